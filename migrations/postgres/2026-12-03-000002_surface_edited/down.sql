ALTER TABLE leads DROP COLUMN edited;
ALTER TABLE import_runs DROP COLUMN surface;
