DROP TABLE leads;
DROP TABLE import_issues;
DROP TABLE import_batches;
DROP TABLE import_runs;
