DROP INDEX import_runs_running;
ALTER TABLE import_runs DROP COLUMN last_activity_at;
ALTER TABLE import_runs DROP COLUMN failure;
