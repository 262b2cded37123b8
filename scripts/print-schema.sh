#!/usr/bin/env bash
# Regenerates crates/leadsift-store/src/schema.rs from the migrations of both backends,
# and fails when the two backends' schemas differ (one schema.rs serves both).
# Needs diesel_cli (`cargo install diesel_cli --no-default-features --features sqlite-bundled,postgres`)
# and a PostgreSQL to apply the migrations to (PG_URL, default the local test server).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
diesel migration run --database-url "$tmp/schema.db" --migration-dir migrations/sqlite >/dev/null
diesel print-schema --database-url "$tmp/schema.db" --sqlite-integer-primary-key-is-bigint > "$tmp/sqlite.rs"
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
db="leadsift_schema_$$"
psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
trap 'psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$tmp"' EXIT
diesel migration run --database-url "$pg/$db" --migration-dir migrations/postgres >/dev/null
diesel print-schema --database-url "$pg/$db" > "$tmp/pg.rs"
# The SQLite printer names two types by their aliases (BigInt = Int8, Double = Float8).
sed -i 's/\bBigInt\b/Int8/g; s/\bDouble\b/Float8/g' "$tmp/sqlite.rs"
if ! diff -u "$tmp/sqlite.rs" "$tmp/pg.rs"; then
  echo "the SQLite and PostgreSQL migrations give different schemas: make them agree" >&2
  exit 1
fi
cp "$tmp/sqlite.rs" crates/leadsift-store/src/schema.rs
