-- Where each run was started: browser, cli, upload or api ('unknown' for runs stored before
-- this column existed).
ALTER TABLE import_runs ADD COLUMN surface TEXT NOT NULL DEFAULT 'unknown';
-- The columns whose cells a person edited in the page before the lead was sent, as a JSON
-- array of column keys; NULL when none was edited (and for leads stored before this column).
ALTER TABLE leads ADD COLUMN edited TEXT;
