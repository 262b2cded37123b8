// The core in wasm beside Papa Parse under Node, in one process: `scripts/wasm-bench.sh [FILE]`.
// A quicker loop than the browser benchmark (no Chromium, no end-to-end steps) for the same
// question, WASM validation ÷ Papa Parse (`header: true`); the browser's figure is the one the
// README's table reports. The wasm is built as the app's is (profile `web-release`).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = process.env.LEADSIFT_WASM_BENCH_PKG || path.join(root, 'target/wasm-bench');
const { Validator } = require(path.join(pkg, 'leadsift_wasm.js'));
const Papa = require(path.join(root, 'tests/e2e/node_modules/papaparse'));

const file = process.argv[2];
const bytes = fs.readFileSync(file);
const mb = bytes.length / 1e6;
const CHUNK = 4 << 20;

function wasm() {
  const t = performance.now();
  const v = new Validator(undefined);
  let rows = 0;
  for (let i = 0; i < bytes.length; i += CHUNK) rows += v.check(bytes.subarray(i, i + CHUNK));
  rows += v.finishCheck();
  v.free();
  return { ms: performance.now() - t, rows };
}

function papa() {
  const t = performance.now();
  const text = new TextDecoder().decode(bytes);
  let rows = 0;
  Papa.parse(text, { header: true, step: () => { rows += 1; } });
  return { ms: performance.now() - t, rows };
}

// The first validation in a process pays the one-time tables (the NANP patterns); the browser's
// worker pays it on every file, so it is shown apart.
const cold = wasm();
const w = [];
const p = [];
for (let i = 0; i < 5; i += 1) {
  w.push(wasm());
  p.push(papa());
}
const median = (xs) => xs.map((x) => x.ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [wm, pm] = [median(w), median(p)];
console.log(`file: ${file} (${mb.toFixed(1)} MB, ${w[0].rows} rows; Papa Parse read ${p[0].rows})`);
console.log(`WASM validation: ${(mb / (wm / 1000)).toFixed(1)} MB/s (median of 5; the first in the process: ${(mb / (cold.ms / 1000)).toFixed(1)} MB/s)`);
console.log(`Papa Parse, header: true: ${(mb / (pm / 1000)).toFixed(1)} MB/s`);
console.log(`ratio WASM / Papa Parse (speed): ${(pm / wm).toFixed(2)} (the browser's target: >= 1.5)`);
