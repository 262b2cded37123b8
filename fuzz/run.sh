#!/usr/bin/env bash
# Runs a fuzz target with coverage feedback on the stable toolchain:
#   fuzz/run.sh validate|clean [seconds]
# (`cargo fuzz run` does the same with a nightly toolchain and sanitizers.)
# Without arguments it only builds both targets, as CI does.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -eq 0 ]; then
  exec cargo build --release --locked
fi
target=$1
seconds=${2:-60}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
triple=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --target "$triple" --target-dir target/cov --bin "$target"
mkdir -p "corpus/$target"
if [ "$target" = validate ]; then
  cp -n ../tests/fixtures/bad/*.csv "corpus/$target/" 2>/dev/null || true
  head -c 3000 ../tests/fixtures/golden/lc-comma-utf8.csv > "corpus/$target/golden-head.csv"
fi
exec "target/cov/$triple/release/$target" "corpus/$target" -max_len=4096 -max_total_time="$seconds"
