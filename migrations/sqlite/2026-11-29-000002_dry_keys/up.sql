-- The keys that a dry run's earlier batches would have written, so that its later batches
-- classify a repeated key as a duplicate, as the real run would. Kept while the run runs.
CREATE TABLE import_dry_keys (
    run_id BIGINT NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
    lead_key TEXT NOT NULL,
    PRIMARY KEY (run_id, lead_key)
);
