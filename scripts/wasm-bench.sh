#!/usr/bin/env bash
# The core in wasm (built as the app's: profile web-release) beside Papa Parse, under Node:
# `scripts/wasm-bench.sh [FILE]` (default: a 100,000-row `cargo xtask gen` file under
# target/bench). Needs wasm-bindgen (scripts/build-web.sh installs it) and tests/e2e's
# node_modules (`npm ci` there).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-target/bench/leads-100k.csv}
if [ ! -f "$file" ]; then
  mkdir -p "$(dirname "$file")"
  cargo run -q --release -p xtask --locked -- gen --rows 100000 --out "$file"
fi
[ -d tests/e2e/node_modules/papaparse ] || (cd tests/e2e && npm ci --no-audit --no-fund)
cargo build -q -p leadsift-wasm --target wasm32-unknown-unknown --profile web-release --locked
wasm-bindgen --target nodejs --out-dir target/wasm-bench \
  target/wasm32-unknown-unknown/web-release/leadsift_wasm.wasm
node scripts/wasm-bench.mjs "$file"
