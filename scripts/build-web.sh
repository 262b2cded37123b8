#!/usr/bin/env bash
# Builds the browser app into target/web, which `leadsift serve` serves at `/`. Installs what
# the build needs when it is missing: the wasm32 target, a wasm-bindgen CLI of the version in
# Cargo.lock, Trunk 0.21.14 (0.22 needs a newer rustc) and binaryen's wasm-opt (npm, in web/).
# Nothing is downloaded by Trunk itself: Trunk.toml pins the tool versions found here.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-unknown-unknown >/dev/null
wb=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb$"; then
  # Not --locked: the registry here lacks a version its lock file names.
  cargo install wasm-bindgen-cli --version "$wb"
fi
if ! trunk --version 2>/dev/null | grep -q " 0.21.14$"; then
  cargo install trunk --version 0.21.14 --locked
fi
(cd web && npm ci --no-audit --no-fund --loglevel=error)
# The post-build hook makes the gzip twins with `xtask gzip` (Zopfli).
cargo build --release -p xtask --locked
PATH="$PWD/web/node_modules/.bin:$PATH" trunk build --release "$@"
