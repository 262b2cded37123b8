#!/usr/bin/env bash
# Regenerates crates/leadsift-server/src/db/schema_{sqlite,pg}.rs from the migrations.
# Needs diesel_cli (`cargo install diesel_cli --no-default-features --features sqlite-bundled,postgres`)
# and a PostgreSQL to apply the migrations to (PG_URL, default the local test server).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
diesel migration run --database-url "$tmp/schema.db" --migration-dir migrations/sqlite >/dev/null
diesel print-schema --database-url "$tmp/schema.db" --sqlite-integer-primary-key-is-bigint \
  > crates/leadsift-server/src/db/schema_sqlite.rs
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
db="leadsift_schema_$$"
psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
trap 'psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$tmp"' EXIT
diesel migration run --database-url "$pg/$db" --migration-dir migrations/postgres >/dev/null
diesel print-schema --database-url "$pg/$db" > crates/leadsift-server/src/db/schema_pg.rs
