-- Every run ends: `finished`, `failed` (with the reason in `failure`) or `abandoned` (no
-- batch since `last_activity_at` for longer than the server's abandon_after_secs).
ALTER TABLE import_runs ADD COLUMN failure TEXT;
ALTER TABLE import_runs ADD COLUMN last_activity_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE import_runs SET last_activity_at = COALESCE(finished_at, started_at);
CREATE INDEX import_runs_running ON import_runs (status, last_activity_at);
