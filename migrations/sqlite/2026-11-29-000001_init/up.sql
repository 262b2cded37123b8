-- The sync history, its batches (the idempotency record), its issues, and the leads.
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    force_refresh BOOLEAN NOT NULL,
    strict BOOLEAN NOT NULL,
    import_source TEXT NOT NULL,
    mapping TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    rows_read BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    existing BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    batches BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX import_runs_started_at ON import_runs (started_at);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    run_id BIGINT NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    checksum TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    existing BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (run_id, seq)
);

CREATE TABLE import_issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    run_id BIGINT NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
    batch_seq BIGINT NOT NULL,
    line BIGINT NOT NULL,
    record BIGINT NOT NULL,
    column_name TEXT,
    field TEXT,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    raw TEXT
);
CREATE INDEX import_issues_run ON import_issues (run_id, line);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    lead_key TEXT NOT NULL UNIQUE,
    lead_id TEXT,
    event_id TEXT,
    submitted_at TIMESTAMP,
    flow_id TEXT,
    flow_name TEXT,
    source_id TEXT,
    source_name TEXT,
    outcome TEXT,
    reason TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone_1 TEXT,
    phone_2 TEXT,
    phone_3 TEXT,
    address_1 TEXT,
    address_2 TEXT,
    city TEXT,
    state TEXT,
    postal_code TEXT,
    country TEXT,
    dob DATE,
    gender TEXT,
    campaign TEXT,
    ad_group TEXT,
    keyword TEXT,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_term TEXT,
    utm_content TEXT,
    quality_score DOUBLE,
    lead_score DOUBLE,
    price DOUBLE,
    is_duplicate BOOLEAN,
    is_test BOOLEAN,
    status TEXT,
    disposition TEXT,
    ip_address TEXT,
    user_agent TEXT,
    referring_url TEXT,
    landing_page TEXT,
    trustedform_cert_url TEXT,
    universal_leadid TEXT,
    comments TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    invalid TEXT NOT NULL DEFAULT '{}',
    import_source TEXT NOT NULL,
    created_run BIGINT REFERENCES import_runs (id) ON DELETE SET NULL,
    updated_run BIGINT REFERENCES import_runs (id) ON DELETE SET NULL,
    content_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_phone_1 ON leads (phone_1);
CREATE INDEX leads_submitted_at ON leads (submitted_at);
CREATE INDEX leads_campaign ON leads (campaign);
CREATE INDEX leads_status ON leads (status);
CREATE INDEX leads_created_run ON leads (created_run);
CREATE INDEX leads_updated_run ON leads (updated_run);
