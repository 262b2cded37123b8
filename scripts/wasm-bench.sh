#!/usr/bin/env bash
# The core in wasm (built as the app's: profile web-release, then wasm-opt with the level and
# flags web/index.html gives Trunk) beside Papa Parse, under Node:
# `scripts/wasm-bench.sh [FILE]` (default: a 100,000-row `cargo xtask gen` file under
# target/bench). Needs wasm-bindgen and web/'s wasm-opt (scripts/build-web.sh installs both) and
# tests/e2e's node_modules (`npm ci` there).
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
level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' web/index.html)
params=$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' web/index.html)
# shellcheck disable=SC2086 # the flags are words
web/node_modules/.bin/wasm-opt "-O$level" $params target/wasm-bench/leadsift_wasm_bg.wasm \
  -o target/wasm-bench/leadsift_wasm_bg.wasm
node scripts/wasm-bench.mjs "$file"
