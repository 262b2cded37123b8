// End-to-end tests of the browser app, in Debian's Chromium driven by playwright-core, against
// `leadsift serve` on a loopback port; then (with --bench or LEADSIFT_E2E_BENCH=1) the browser
// benchmarks. Every expectation is checked against the native `leadsift` on the same file.
//
//   node tests/e2e/run.mjs [--bench]
//
// Needs: target/web built by `scripts/build-web.sh`, a `leadsift` binary (LEADSIFT_BIN, else
// target/release/leadsift, else target/debug/leadsift), /usr/bin/chromium and the project's
// export generator, `xtask gen` (LEADSIFT_XTASK, else target/release/xtask: `cargo build
// --release -p xtask`). Screenshots go to tests/e2e/screenshots/.

import { chromium } from 'playwright-core';
import Papa from 'papaparse';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const firstExisting = (...p) => p.find((x) => x && fs.existsSync(x));
const bin = firstExisting(process.env.LEADSIFT_BIN, path.join(root, 'target/release/leadsift'), path.join(root, 'target/debug/leadsift'));
const webDir = process.env.LEADSIFT_WEB_DIR || path.join(root, 'target/web');
const xtask = firstExisting(process.env.LEADSIFT_XTASK, path.join(root, 'target/release/xtask'));
const shots = path.join(here, 'screenshots');
const bench = process.argv.includes('--bench') || process.env.LEADSIFT_E2E_BENCH === '1';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'leadsift-e2e-'));

for (const [what, p] of [['leadsift binary', bin], ['built app', path.join(webDir, 'index.html')], ['the generator (cargo build --release -p xtask)', xtask], ['chromium', '/usr/bin/chromium']]) {
  if (!p || !fs.existsSync(p)) {
    console.error(`missing ${what}${p ? ` at ${p}` : ''}`);
    process.exit(2);
  }
}
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

let failures = 0;
let shotNo = 0;
let page;

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(actual, expected, msg) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${msg}: got ${a}, expected ${e}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  if (!page) return;
  shotNo += 1;
  const file = path.join(shots, `${String(shotNo).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    await shot(name);
  } catch (e) {
    failures += 1;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    await shot(`FAIL-${name}`);
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return r;
}

function generate(name, args) {
  const out = path.join(work, name);
  run(xtask, ['gen', ...args, '--out', out, '--expected', `${out}.expected.jsonl`]);
  return out;
}

function nativeSummary(file, extra = []) {
  const r = run(bin, ['validate', file, '--format', 'summary', ...extra], { allowFail: true });
  assert(r.status === 0 || r.status === 1, `leadsift validate failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

class Server {
  constructor(port, db, token = null) {
    this.port = port;
    this.db = db;
    this.token = token;
    this.url = `http://127.0.0.1:${port}/`;
  }
  async start() {
    const token = this.token ? { LEADSIFT_TOKEN: this.token } : {};
    this.proc = spawn(bin, ['serve', '--bind', `127.0.0.1:${this.port}`, '--database-url', this.db], {
      env: { ...process.env, LEADSIFT_WEB_DIR: webDir, RUST_LOG: 'warn', ...token },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 300; i++) {
      try {
        const r = await fetch(`${this.url}readyz`);
        if (r.ok) return;
      } catch {}
      await sleep(100);
    }
    throw new Error('leadsift serve did not become ready');
  }
  async kill() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
  async json(p) {
    const r = await fetch(this.url + p);
    assert(r.ok, `GET ${p}: HTTP ${r.status}`);
    return r.json();
  }
  async leadCount() {
    let n = 0;
    let cursor = null;
    for (;;) {
      const page = await this.json(`api/v1/leads?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      n += page.leads.length;
      if (!page.next_cursor) return n;
      cursor = page.next_cursor;
    }
  }
}

// --- page helpers ---------------------------------------------------------------------------

async function dropFile(file) {
  const b64 = fs.readFileSync(file).toString('base64');
  const dt = await page.evaluateHandle(({ b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const t = new DataTransfer();
    t.items.add(new File([bytes], name, { type: 'text/csv' }));
    return t;
  }, { b64, name: path.basename(file) });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
}

async function waitValidated(timeout = 120_000) {
  await page.waitForFunction(
    () => /^(Validated|Mapped)/.test(document.getElementById('progress-text').textContent) && !document.getElementById('downloads').hidden,
    null,
    { timeout },
  );
}

async function counts() {
  const n = async (id) => Number((await page.textContent(`#n-${id}`)).replace(/,/g, ''));
  return {
    rows: await n('rows'), valid: await n('valid'), warning: await n('warning'), rejected: await n('rejected'),
    duplicates: await n('duplicates'), blank: await n('blank'),
  };
}
const pick = (s) => ({ rows: s.rows, valid: s.valid, warning: s.warning, rejected: s.rejected, duplicates: s.duplicates, blank: s.blank });

async function importResult(timeout = 300_000) {
  await page.waitForFunction(() => document.querySelector('#imp-result dl'), null, { timeout });
  const text = await page.textContent('#imp-result');
  // A dry run says what it would do; an import what it did ("already there": existing).
  const words = {
    created: ['created', 'would create'], updated: ['updated', 'would update'], unchanged: ['unchanged'],
    existing: ['already there'], rejected: ['rejected', 'would reject'], duplicates: ['duplicates'],
  };
  const get = async (name) => Number((await page.evaluate((names) => {
    const dts = [...document.querySelectorAll('#imp-result dt')];
    const dt = dts.find((d) => names.includes(d.textContent));
    return dt ? dt.nextElementSibling.textContent : 'NaN';
  }, words[name])).replace(/,/g, ''));
  return {
    text,
    created: await get('created'), updated: await get('updated'), unchanged: await get('unchanged'),
    existing: await get('existing'), rejected: await get('rejected'), duplicates: await get('duplicates'),
  };
}

// A hidden file input `#id` holding `file`, for code that hands a File to a worker of its own.
async function hiddenFile(id, file) {
  await page.evaluate((id) => {
    const i = document.createElement('input');
    i.type = 'file';
    i.id = id;
    i.hidden = true;
    document.body.append(i);
  }, id);
  await page.setInputFiles(`#${id}`, file);
}

async function setChecked(id, on) {
  if ((await page.isChecked(id)) !== on) await page.click(id);
}

function cliImport(file, db, extra = []) {
  const r = run(bin, ['import', file, '--database-url', db, '--format', 'json', ...extra]);
  return JSON.parse(r.stdout);
}
const outcome = (o) => ({ created: o.created, updated: o.updated, unchanged: o.unchanged, existing: o.existing, rejected: o.rejected, duplicates: o.duplicates });

// --- the run ---------------------------------------------------------------------------------

const port = await freePort();
const server = new Server(port, `sqlite://${path.join(work, 'app.db')}`);
// Whatever happens, the server does not outlive the run.
process.on('exit', () => server.proc && server.proc.exitCode === null && server.proc.kill('SIGKILL'));
await server.start();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
// The page is four steps, one screen each. Before acting on a control, go where it is the way a
// person does: click its step in the step bar (a step that needs a file read waits for it).
function guided(p) {
  const click = p.click.bind(p);
  for (const m of ['click', 'selectOption', 'fill', 'focus']) {
    const act = p[m].bind(p);
    p[m] = async (sel, ...rest) => {
      if (typeof sel === 'string' && !sel.startsWith('#step-')) {
        const step = await p.evaluate((s) => {
          const screen = document.querySelector(s)?.closest('[data-screen]');
          return screen && screen.hidden ? screen.dataset.screen : null;
        }, sel).catch(() => null);
        if (step) await click(`#step-${step}`);
      }
      return act(sel, ...rest);
    };
  }
  return p;
}
const newPage = async () => guided(await context.newPage());
page = await newPage();
page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
const notFound = [];
page.on('console', (m) => m.type() === 'error' && console.log(`console: ${m.text()}`));
page.on('response', (r) => r.status() === 404 && notFound.push(r.url()));

const small = generate('messy.csv', ['--rows', '600', '--seed', '7', '--invalid', '0.04', '--crlf']);
const mid = generate('mid.csv', ['--rows', '12000', '--seed', '11', '--invalid', '0.02', '--header-style', 'snake']);
const smallNative = nativeSummary(small);

await page.goto(server.url);
await page.waitForFunction(() => window.leadsiftReady === true, null, { timeout: 60_000 });

let firstAnnounced = '';
/** A file's SHA-256 in hex, as the page's worker makes it. */
function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

await step('drop a messy export: mapping and counts as leadsift validate', async () => {
  // The zone lights up while a file is dragged over it, and not after.
  await page.dispatchEvent('#drop', 'dragover');
  assert(await page.$eval('#drop', (d) => d.classList.contains('over')), 'the drop zone shows where to drop');
  await dropFile(small);
  assert(!(await page.$eval('#drop', (d) => d.classList.contains('over'))), 'the highlight ends with the drop');
  await waitValidated();
  firstAnnounced = await page.textContent('#announce');
  eq(notFound, [], 'every file the page asks for exists (the favicon included)');
  eq(await counts(), pick(smallNative), 'browser counts against leadsift validate');
  eq(await page.getAttribute('#detected', 'data-sha256'), sha256(small), 'the file\'s SHA-256, hashed by the worker');
  assert(smallNative.warning > 0, 'the fixture should have rows with invalid values');
  const mapping = await page.$$eval('#mapping select', (s) => s.map((x) => [x.dataset.header, x.value]));
  assert(mapping.length >= 20, `expected a select per column, got ${mapping.length}`);
  for (const field of ['email', 'phone_1', 'state', 'postal_code', 'first_name']) {
    assert(mapping.some(([, v]) => v === field), `no column is mapped to ${field}: ${JSON.stringify(mapping)}`);
  }
  const how = await page.$$eval('#mapping tbody td:last-child', (t) => t.map((x) => x.textContent));
  assert(how.every((h) => h.length > 0), 'every column says how it was matched');
  eq(await page.textContent('#det-delimiter'), 'comma (,) (detected)', 'delimiter shown');
  // The grid: first row, and the invalid cells marked with their message.
  await page.selectOption('#filter', 'issues');
  const withIssues = smallNative.warning + smallNative.rejected;
  await page.waitForFunction((n) => document.getElementById('grid-count').textContent.startsWith(`${n.toLocaleString('en-US')} rows`), withIssues);
  // In place, without hovering: the marked cell holds its text and the message under it.
  const bad = await page.$$eval('table.grid td.bad, table.grid td.warn', (t) => t.map((x) => x.querySelector('.why')?.textContent));
  assert(bad.length > 0 && bad.every((t) => t && t.length > 3), 'rows with issues show marked cells with messages');
  const failed = await page.$$eval('table.grid td.bad', (t) => t.map((x) => x.querySelector('.v').textContent));
  assert(failed.some((v) => v.length > 0), 'a value that failed cleaning shows its raw text, not an empty box');
  const heads = await page.$$eval('table.grid thead th', (t) => t.map((x) => x.textContent));
  eq(heads.slice(0, 3), ['Line', 'Row status', 'Issues'], 'line, status and issues come first');
  assert(heads.includes('Phone 1') && !heads.includes('phone_1'), `fields have readable labels: ${heads}`);
  eq(heads.filter((h) => h.toLowerCase() === 'status').length, 1, 'one column headed status');
  const statuses = await page.$$eval('table.grid tbody tr td.st', (t) => t.map((x) => x.textContent));
  assert(statuses.every((x) => x !== 'valid'), `the filter shows only rows with issues: ${statuses}`);
  await page.click('#raw');
  await page.waitForFunction(() => document.querySelector('table.grid').getAttribute('aria-label').startsWith('Raw values'));
  await page.click('#raw');
  await page.selectOption('#filter', 'all');
  await page.waitForFunction(() => document.querySelector('table.grid tbody tr .line')?.textContent === '2');
});

await step('the announcement and the keyboard: the whole flow without a mouse', async () => {
  const said = firstAnnounced;
  assert(said.startsWith(`Validated ${smallNative.rows} rows`) && said.endsWith('Step 2 of 4: Map the columns.'), `aria-live says ${said}`);
  // Each step from the keyboard: Enter on it in the step bar, and Tab reaches its controls.
  const want = {
    upload: ['file', 'ov-encoding'], map: ['map-0'], review: ['filter', 'grid-scroll', 'dl-errors'], import: ['imp-dry', 'imp-start'],
  };
  for (const [stepName, ids] of Object.entries(want)) {
    await page.focus(`#step-${stepName}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => !document.querySelector(`[data-screen="${n}"]`).hidden, stepName);
    const said = await page.textContent('#announce');
    assert(said.startsWith('Step '), `the step change is announced: ${said}`);
    const seen = new Set();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      seen.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    for (const id of ids) assert(seen.has(id), `Tab never reaches #${id} in step ${stepName}`);
  }
  // The grid scrolls from the keyboard.
  await page.focus('#grid-scroll');
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => Number(document.querySelector('table.grid tbody tr .line').textContent) > 5);
});

await step('an override of what was detected validates again', async () => {
  await page.selectOption('#ov-delimiter', ';');
  await page.fill('#ov-header', '1');
  await page.click('[data-action=apply-detected]');
  await waitValidated();
  eq(await page.textContent('#det-delimiter'), 'semicolon (;) (override)', 'delimiter override shown');
  eq(await page.textContent('#det-header'), 'line 1 (override)', 'header override shown');
  const forced = nativeSummary(small, ['--delimiter', ';', '--header-line', '1']);
  eq(await counts(), pick(forced), 'counts with the overrides against leadsift validate');
  await page.selectOption('#ov-delimiter', '');
  await page.fill('#ov-header', '');
  await page.click('[data-action=apply-detected]');
  await waitValidated();
  eq(await counts(), pick(smallNative), 'counts back to detection');
});

let phoneHeader;
await step('change a mapping, then download the error report', async () => {
  phoneHeader = await page.$$eval('#mapping select', (s) => s.find((x) => x.value === 'phone_1').dataset.header);
  const sel = `#mapping select[data-header="${phoneHeader}"]`;
  await page.focus(sel);
  await page.selectOption(sel, 'ignore');
  await page.waitForFunction((s) => document.querySelector(s)?.value === 'ignore', sel);
  await waitValidated();
  // "No field" on a column that was matched keeps its values in extra, as the CLI's "extra".
  const cityHeader = await page.$$eval('#mapping select', (s) => s.find((x) => x.value === 'city').dataset.header);
  const citySel = `#mapping select[data-header="${cityHeader}"]`;
  await page.focus(citySel);
  await page.selectOption(citySel, '');
  await waitValidated();
  eq(await page.$eval(citySel, (s) => s.value), '', 'the city column has no field');
  const mappingFile = path.join(work, 'mapping.json');
  fs.writeFileSync(mappingFile, JSON.stringify({ [phoneHeader]: 'ignore', [cityHeader]: 'extra' }));
  const nativeErrors = path.join(work, 'native-errors.csv');
  const mapped = nativeSummary(small, ['--mapping', mappingFile, '--errors', nativeErrors]);
  eq(await counts(), pick(mapped), 'counts after the mapping change');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-errors')]);
  const saved = path.join(work, 'browser-errors.csv');
  await download.saveAs(saved);
  eq(download.suggestedFilename(), 'messy.errors.csv', 'error report name');
  const browserText = fs.readFileSync(saved, 'utf8');
  const nativeText = fs.readFileSync(nativeErrors, 'utf8');
  assert(browserText.startsWith('line,record,column,field,code,severity,message,raw'), 'error report header');
  assert(browserText === nativeText, `the error report differs from leadsift validate --errors (${browserText.length} vs ${nativeText.length} bytes)`);
  const [cleaned] = await Promise.all([page.waitForEvent('download'), page.click('#dl-cleaned')]);
  const parsed = Papa.parse(fs.readFileSync(await cleaned.path(), 'utf8'), { header: true, skipEmptyLines: true });
  eq(parsed.data.length, mapped.rows - mapped.blank, 'cleaned CSV rows');
  eq(parsed.meta.fields.slice(0, 3), ['line', 'row_status', 'lead_key'], 'cleaned CSV header');
  const nativeCleaned = path.join(work, 'native-cleaned.csv');
  nativeSummary(small, ['--mapping', mappingFile, '--cleaned', nativeCleaned]);
  assert(fs.readFileSync(await cleaned.path(), 'utf8') === fs.readFileSync(nativeCleaned, 'utf8'), 'the cleaned CSV differs from leadsift validate --cleaned');
});

await step('the mapping is remembered for the same headers', async () => {
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true);
  await dropFile(small);
  await waitValidated();
  eq(await page.$eval(`#mapping select[data-header="${phoneHeader}"]`, (s) => s.value), 'ignore', 'remembered choice');
  // Hard to miss: which choices were applied, and the way back.
  const said = await page.textContent('#your-mapping');
  assert(said.includes(`${phoneHeader} → a custom column`), `the remembered choices by name: ${said}`);
  await page.click('[data-action=forget-mapping]');
  await waitValidated();
  eq(await counts(), pick(smallNative), 'counts after forgetting the choice');
});

let smallRun;
await step('the returns file, with the reasons chosen by checkboxes, is leadsift returns\'', async () => {
  const codes = await page.$$eval('input[name=return-code]', (b) => b.map((x) => [x.value, x.checked]));
  const checked = codes.filter(([, on]) => on).map(([c]) => c);
  eq(checked, ['invalid_phone', 'invalid_email', 'duplicate_in_file', 'is_test'], 'the usual reasons are checked');
  await page.click('[data-action=make-returns]');
  await page.waitForSelector('#dl-returns:not([hidden])');
  const said = await page.textContent('#returns-said');
  assert(/^\d[\d,]* leads? to return, \d+\.\d\d of price\./.test(said), `what the page says: ${said}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-returns')]);
  eq(download.suggestedFilename(), 'messy.returns.csv', 'returns file name');
  const nativeReturns = path.join(work, 'native-returns.csv');
  const r = run(bin, ['returns', small, '--out', nativeReturns]);
  assert(r.status === 0, `leadsift returns failed: ${r.stderr}`);
  const browserText = fs.readFileSync(await download.path(), 'utf8');
  assert(browserText.startsWith('Event ID,Reason\n'), 'returns header');
  assert(browserText === fs.readFileSync(nativeReturns, 'utf8'), 'the returns file differs from leadsift returns');
  assert(said.startsWith(r.stdout.split(' ')[1]), `the page and leadsift returns count differently: ${said} / ${r.stdout}`);
  // One reason alone, then none.
  for (const c of checked.slice(1)) await setChecked(`input[name=return-code][value=${c}]`, false);
  await page.click('[data-action=make-returns]');
  await page.waitForFunction(() => !document.querySelector('#returns-said').textContent.startsWith('Making'));
  const phonesOnly = path.join(work, 'native-returns-phones.csv');
  run(bin, ['returns', small, '--reason-codes', 'invalid_phone', '--out', phonesOnly]);
  const [again] = await Promise.all([page.waitForEvent('download'), page.click('#dl-returns')]);
  assert(fs.readFileSync(await again.path(), 'utf8') === fs.readFileSync(phonesOnly, 'utf8'), 'the invalid_phone returns file differs');
  await setChecked('input[name=return-code][value=invalid_phone]', false);
  await page.click('[data-action=make-returns]');
  eq(await page.textContent('#returns-said'), 'Check at least one reason.', 'no reason checked');
  await setChecked('input[name=return-code][value=invalid_phone]', true);
});

await step('dry run, then import, then the rows are in the database', async () => {
  await setChecked('#imp-dry', true);
  eq(await page.textContent('#imp-start'), 'Dry run', 'button label');
  await page.click('#imp-start');
  const dry = await importResult();
  assert(dry.text.includes('nothing was written'), 'a dry run says it wrote nothing');
  assert(dry.text.includes('would give'), 'a dry run says what an import would do');
  const dryWords = await page.$$eval('#imp-result dt', (d) => d.map((x) => x.textContent));
  eq(dryWords, ['would create', 'would update', 'unchanged', 'already there', 'would reject', 'duplicates'], 'the dry run in its own words');
  assert(await page.$('#imp-result a[href="#/history"]'), 'the result links to the run in the history');
  eq(await page.textContent('#imp-status'), 'Dry run finished.', 'the result is shown once, not again in the status');
  const logged = await page.$$eval('#imp-log li', (l) => l.map((x) => x.textContent));
  assert(logged.length > 0 && logged.every((l) => l.includes('would be created')), `the batch log of a dry run: ${logged[0]}`);
  eq(await server.leadCount(), 0, 'leads after a dry run');
  await setChecked('#imp-dry', false);
  await page.click('#imp-start');
  const real = await importResult();
  eq(outcome(real), outcome(dry), 'the dry run predicted the import');
  eq(real.rejected, smallNative.rejected, 'rejected rows: browser validation against the server');
  eq(real.duplicates, smallNative.duplicates, 'duplicates: browser validation against the server');
  const clean = cliImport(small, `sqlite://${path.join(work, 'clean-small.db')}`);
  eq(outcome(real), outcome(clean), 'the browser import against leadsift import');
  eq(await server.leadCount(), real.created, 'leads stored');
  // Stored values are the generator's expected cleaned values.
  const expected = fs.readFileSync(`${small}.expected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  let checked = 0;
  for (const e of expected.filter((x) => x.invalid.length === 0 && x.lead.email).slice(0, 25)) {
    const found = await server.json(`api/v1/leads?email=${encodeURIComponent(e.lead.email)}`);
    assert(found.leads.length >= 1, `no stored lead for ${e.lead.email}`);
    const stored = found.leads[found.leads.length - 1];
    for (const f of ['email', 'phone_1', 'state', 'postal_code', 'first_name', 'last_name', 'city']) {
      if (e.lead[f] != null && found.leads.every((l) => String(l[f] ?? l.lead?.[f]) !== String(e.lead[f]))) {
        throw new Error(`${e.lead.email}: ${f} stored as ${JSON.stringify(stored[f] ?? stored.lead?.[f])}, expected ${JSON.stringify(e.lead[f])}`);
      }
    }
    checked += 1;
  }
  assert(checked >= 10, `only ${checked} leads compared`);
  // Each stored lead keeps its original row: every column of the file, under its header.
  const some = (await server.json('api/v1/leads?limit=5')).leads;
  const headers = smallNative.mapping.map((c) => c.extra_key);
  for (const l of some) {
    eq(Object.keys(l.original ?? {}), headers, `the original row of ${l.lead_key}`);
  }
  smallRun = real;
});

await step('the server is killed in the middle of an upload and the import resumes', async () => {
  await page.setInputFiles('#file', mid);
  await waitValidated();
  // A file of several slices: its SHA-256 (what the import resumes by) is the hashing worker's,
  // made beside the rows.
  eq(await page.getAttribute('#detected', 'data-sha256'), sha256(mid), 'the SHA-256 of a file of several slices');
  const beside = Number((await page.getAttribute('#detected', 'data-spent')).split(' ')[4]);
  assert(beside > 0, `the hashing worker made the digest (its time ${beside} ms)`);
  await page.fill('#imp-batch', '150');
  await page.click('#imp-start');
  await page.waitForFunction(() => document.querySelectorAll('#imp-log li').length >= 4, null, { timeout: 120_000 });
  await server.kill();
  await page.waitForFunction(() => document.getElementById('imp-status').textContent.includes('trying again'), null, { timeout: 60_000 });
  await shot('server-down-mid-upload');
  await sleep(1500);
  await server.start();
  const result = await importResult(600_000);
  const clean = cliImport(mid, `sqlite://${path.join(work, 'clean-mid.db')}`);
  eq(outcome(result), outcome(clean), 'an interrupted browser import ends like one clean import');
  eq(await server.leadCount(), smallRun.created + clean.created, 'leads stored after the resumed import');
});

// Chooses mid.csv again, resumes its forced import and compares the end with a clean CLI run.
async function resumeMidForced(what) {
  await page.setInputFiles('#file', mid);
  await waitValidated();
  await page.waitForSelector('#imp-resume:not([hidden])');
  await page.click('#imp-resume');
  const result = await importResult(600_000);
  const clean = cliImport(mid, `sqlite://${path.join(work, 'clean-mid.db')}`, ['--force-refresh']);
  eq(outcome(result), outcome(clean), `${what} ends like one clean import`);
}

await step('an import resumes after a reload', async () => {
  await setChecked('#imp-force', true);
  await page.fill('#imp-batch', '250');
  await page.click('#imp-start');
  await page.waitForFunction(() => document.querySelectorAll('#imp-log li').length >= 4, null, { timeout: 120_000 });
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true);
  await page.waitForSelector('#resume:not([hidden])');
  assert((await page.textContent('#resume')).includes('Choose the same file again'), 'the banner asks for the file');
  // A new tab (no form state to restore) shows the options the resumed import runs with.
  const fresh = await newPage();
  await fresh.goto(server.url);
  await fresh.waitForFunction(() => window.leadsiftReady === true);
  eq(await fresh.inputValue('#imp-batch'), '250', 'the batch size of the interrupted import');
  assert(await fresh.isChecked('#imp-force'), 'force refresh, as the interrupted import');
  await fresh.close();
  await resumeMidForced('a reloaded browser import');
  await page.waitForSelector('#resume', { state: 'hidden' });
  await page.fill('#imp-batch', '500');
});

await step('choosing another file during an import stops it; the first file resumes it', async () => {
  await setChecked('#imp-force', true);
  await page.click('#imp-start');
  await page.waitForFunction(() => document.querySelectorAll('#imp-log li').length >= 2, null, { timeout: 120_000 });
  await page.setInputFiles('#file', small);
  await page.waitForFunction(() => /Stopped after batch|chosen again/.test(document.getElementById('imp-status').textContent), null, { timeout: 60_000 });
  await waitValidated();
  await page.waitForSelector('#resume:not([hidden])');
  assert(await page.isHidden('#imp-resume'), 'another file offers no resume');
  await resumeMidForced('an import stopped by another file');
});

await step('"Discard it" ends the interrupted run on the server', async () => {
  await page.setInputFiles('#file', mid);
  await waitValidated();
  await setChecked('#imp-force', true);
  await page.click('#imp-start');
  await page.waitForFunction(() => document.querySelectorAll('#imp-log li').length >= 2, null, { timeout: 120_000 });
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true);
  await page.waitForSelector('#resume:not([hidden]) [data-action=discard]');
  await page.click('[data-action=discard]');
  await page.waitForFunction(() => document.getElementById('resume').textContent.includes('was discarded: what it had imported stays'), null, { timeout: 30_000 });
  await shot('import-discarded');
  const newest = (await server.json('api/v1/imports?limit=1')).runs[0];
  eq(newest.status, 'abandoned', 'the discarded run has ended');
  eq(newest.failure, 'the client gave up: discarded in the browser', 'why it ended');
});

await step('the history page lists the imports', async () => {
  await page.click('#nav-history');
  await page.waitForSelector('table.history tbody tr');
  const rows = await page.$$eval('table.history tbody tr', (r) => r.length);
  eq(rows, 6, 'runs listed: a dry run, four imports and a discarded one');
  const status = await page.$eval('table.history tbody tr td:nth-child(6)', (t) => t.textContent);
  assert(status.includes('abandoned') && status.includes('discarded in the browser'), `the discarded run's status: ${status}`);
  // Where each run was started, and when to the second (no fractions).
  const from = await page.$$eval('table.history tbody tr td:nth-child(4)', (t) => t.map((x) => x.textContent));
  assert(from.every((f) => f === 'browser'), `every run here was started in the browser: ${from}`);
  const started = await page.$$eval('table.history tbody tr td:nth-child(2)', (t) => t.map((x) => x.textContent));
  assert(started.every((t) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t)), `started times in seconds: ${started}`);
  await shot('history');
  // A phone's width: the table scrolls inside its box, the page does not.
  await page.setViewportSize({ width: 390, height: 844 });
  await shot('history-narrow');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1400, height: 1000 });
  assert(overflow <= 0, `the history page is ${overflow} px wider than a phone's screen`);
  const first = await page.$eval('table.history tbody tr td:nth-child(3)', (t) => t.textContent);
  eq(first, 'mid.csv', 'newest first');
  await page.click('#nav-validate');
});

await step('offline: with no server the app still opens, validates and offers the downloads', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await server.kill();
  // While the server is away the health checks slow down (5, then 10 s apart).
  const checks = [];
  const onRequest = (r) => r.url().endsWith('/healthz') && checks.push(Date.now());
  page.on('request', onRequest);
  const reloaded = Date.now();
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true, null, { timeout: 30_000 });
  await page.waitForSelector('#offline:not([hidden])', { timeout: 15_000 });
  await dropFile(small);
  await waitValidated();
  eq(await counts(), pick(smallNative), 'offline counts');
  assert(await page.isDisabled('#imp-start'), 'import is disabled offline');
  assert((await page.textContent('#imp-note')).includes('cannot be reached'), 'the page says why');
  await page.click('#nav-history');
  await page.waitForSelector('#history-body .error');
  await page.click('#nav-validate');
  await sleep(Math.max(0, 17_000 - (Date.now() - reloaded)));
  page.off('request', onRequest);
  // At 0, 5 and 15 s, and once when the file was chosen; every 5 s would have made 5.
  assert(checks.length >= 3 && checks.length <= 4, `health checks in 17 s offline: ${checks.length}`);
  await server.start();
});

await step('every bad fixture: the page gives the outcome its expected file states', async () => {
  const dir = path.join(root, 'tests/fixtures/bad');
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
  assert(names.length >= 25, `only ${names.length} bad fixtures`);
  // The server is back after the offline step: the page sees it within its health watch.
  await page.waitForFunction(() => document.getElementById('offline').hidden, null, { timeout: 20_000 });
  for (const name of names) {
    const exp = JSON.parse(fs.readFileSync(path.join(dir, name.replace(/\.csv$/, '.expected.json')), 'utf8'));
    await page.evaluate(() => { document.getElementById('progress-text').textContent = ''; });
    await dropFile(path.join(dir, name));
    await page.waitForFunction(
      () => {
        const t = document.getElementById('progress-text');
        return t.textContent.startsWith('Validated') || t.querySelector('.error');
      },
      null,
      { timeout: 30_000 },
    );
    const text = await page.textContent('#progress-text');
    if (exp.error) {
      assert(text.includes(exp.error), `${name}: the page says ${JSON.stringify(text)}`);
      // Nothing of the file before stays: no reading, mapping, counts, rows or import.
      for (const id of ['detected', 'mapping', 'summary', 'preview', 'import', 'downloads']) {
        assert(await page.$eval(`#${id}`, (e) => e.hidden), `${name}: #${id} still shows the previous file`);
      }
      await shot('unreadable-file-after-a-good-one');
      continue;
    }
    assert(text.startsWith('Validated'), `${name}: ${text}`);
    await page.waitForFunction(() => !document.getElementById('downloads').hidden);
    const got = await counts();
    for (const k of ['rows', 'valid', 'warning', 'rejected', 'blank']) {
      if (k in exp) eq(got[k], exp[k], `${name}: ${k}`);
    }
    for (const [header, field] of Object.entries(exp.fields ?? {})) {
      const chosen = await page.$eval(`#mapping select[data-header="${header}"]`, (x) => x.value).catch(() => null);
      eq(chosen || null, field, `${name}: the column ${header}`);
    }
    if (exp.rows === 0 || exp.rows === exp.blank) {
      assert(await page.isDisabled('#imp-start'), `${name}: Import is enabled with no rows to import`);
      eq(await page.textContent('#imp-note'), 'The file has no rows to import.', `${name}: why`);
    }
    for (const [code, n] of Object.entries(exp.issues ?? {})) {
      const shown = await page.$eval(`#issues-by-code [data-code="${code}"]`, (b) => b.closest('tr').textContent).catch(() => '');
      assert(shown.includes(code.replaceAll('_', ' ')) && shown.endsWith(String(n)), `${name}: ${code} (${n}) is not listed: ${shown}`);
    }
  }
  await shot('bad-fixture-last');
});

await step('a mapping without an identity says so above the mapping', async () => {
  // Each file, and what the mapping says above its table.
  const says = async (name, text, selector) => {
    const file = path.join(work, name);
    fs.writeFileSync(file, text);
    await dropFile(file);
    await waitValidated();
    return page.textContent(selector);
  };
  const bad = await says('no-identity.csv', 'First Name,Cell Renamed\nAnn,5127891111\n', '#identity-warning.bad');
  assert(bad.includes('every row will be rejected'), `the warning: ${bad}`);
  await shot('no-identity-warning');
  const warn = await says('contact-only.csv', 'Email,City\nann@example.com,Austin\n', '#identity-warning.warn');
  assert(warn.includes('told apart by e-mail and phone'), `the warning: ${warn}`);
  // A field named by two columns says so, naming the second.
  const dup = await says('twice.csv', 'Email,Phone,Email\nann@example.com,5127891111,ann@work.example.com\n', '#mapped-twice');
  assert(dup.startsWith('Email names a field an earlier column already has'), `the warning: ${dup}`);
  await dropFile(small);
  await waitValidated();
  eq(await page.$('#identity-warning'), null, 'no warning when lead_id is mapped');
  eq(await page.$('#mapped-twice'), null, 'no field named twice here');
});

await step('four steps, each its own screen, at a laptop and a phone size', async () => {
  await dropFile(small);
  await waitValidated();
  // A new file moves on to its mapping once read; the earlier step stays a click away.
  await page.waitForFunction(() => !document.querySelector('[data-screen="map"]').hidden);
  eq(await page.getAttribute('#step-map', 'aria-current'), 'step', 'the step bar says where the person is');
  for (const name of ['upload', 'map', 'review', 'import']) {
    await page.click(`#step-${name}`);
    for (const [w, h] of [[1366, 768], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(`step-${name}-${w}`);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      eq(sideways, 0, `step ${name} at ${w} px does not scroll sideways`);
    }
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
  // An unreadable file starts clean: back to the upload, the later steps closed.
  const png = path.join(work, 'picture.csv');
  fs.writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  await dropFile(png);
  await page.waitForFunction(() => document.querySelector('#progress-text .error'));
  assert(!(await page.$eval('[data-screen="upload"]', (s) => s.hidden)), 'the upload screen is shown');
  for (const name of ['map', 'review', 'import']) assert(await page.isDisabled(`#step-${name}`), `step ${name} is closed`);
});

await step('a clean file and a UTF-16 file with tabs walk the four steps to a dry run', async () => {
  for (const [name, args] of [
    ['clean.csv', ['--rows', '300', '--seed', '21', '--invalid', '0']],
    ['wide-utf16.tsv', ['--rows', '300', '--seed', '22', '--invalid', '0.05', '--encoding', 'utf-16', '--delimiter', 'tab', '--header-style', 'camel']],
  ]) {
    const file = generate(name, args);
    const native = nativeSummary(file);
    await page.click('#step-upload');
    await dropFile(file);
    await waitValidated();
    await page.waitForFunction(() => !document.querySelector('[data-screen="map"]').hidden);
    assert(await page.$('#samples-0 li'), `${name}: the mapping shows sample cells`);
    await page.click('[data-screen="map"] .next');
    await page.waitForFunction(() => !document.querySelector('[data-screen="review"]').hidden);
    eq(await counts(), pick(native), `${name}: counts in the review step against leadsift validate`);
    await page.click('[data-screen="review"] .next');
    await page.waitForFunction(() => !document.querySelector('[data-screen="import"]').hidden);
    await setChecked('#imp-dry', true);
    await page.click('#imp-start');
    const dry = await importResult();
    eq(dry.rejected, native.rejected, `${name}: the dry run rejects what validation rejects`);
    await setChecked('#imp-dry', false);
  }
});

await step('review and fix: an edit turns a rejected row valid and is imported with it; bulk fixes; filter by code', async () => {
  const file = path.join(work, 'fixable.csv');
  fs.writeFileSync(file, [
    'Email,Phone,First Name,State',
    'fa@example.com,(415) 555-0101,Ann,CA',
    'not-an-email,,Bob,CA',
    'fc@example.com,555-12,Cy,ZZ',
    'fd@example.com,(415) 555-0104,Di,Calif',
    '',
  ].join('\n'));
  await dropFile(file);
  await waitValidated();
  const before = await counts();
  eq([before.valid, before.warning, before.rejected], [1, 2, 1], 'counts as read');
  // A code in the summary shows its rows.
  await page.click('#issues-by-code [data-code="no_identity"]');
  await page.waitForFunction(() => document.getElementById('grid-count').textContent === '1 row match');
  eq(await page.$eval('#filter', (s) => s.value), 'code:no_identity', 'the filter says which code');
  // The rejected row's e-mail, edited in place from the keyboard: the row is valid at once.
  const emailCell = 'table.grid tbody tr td[data-col="0"]';
  eq(await page.$eval(`${emailCell} .v`, (v) => v.textContent), 'not-an-email', 'the failed value shows its raw text');
  await page.focus(emailCell);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#grid-editor');
  eq(await page.$eval('#grid-editor', (i) => i.value), 'not-an-email', 'the editor starts from the text as it stands');
  await page.fill('#grid-editor', 'bob@example.com');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('edit-said').textContent.startsWith('Edit kept'));
  const edited = await counts();
  eq([edited.valid, edited.warning, edited.rejected], [2, 2, 0], 'counts after the edit');
  // The filter still asks for no_identity: the row has left it.
  await page.waitForFunction(() => document.getElementById('grid-count').textContent === '0 rows match');
  await page.selectOption('#filter', 'edited');
  await page.waitForFunction(() => document.getElementById('grid-count').textContent === '1 row match');
  eq(await page.$eval(`${emailCell}`, (td) => td.classList.contains('edited') && td.querySelector('.v').textContent), 'bob@example.com', 'the edited cell is marked');
  eq(await page.$eval('table.grid tbody tr .st', (td) => td.textContent), 'valid', 'the edited row is valid');
  // Bulk: "Calif" replaced in the State column, then the column's invalid cells emptied.
  await page.click('#bulk summary');
  await page.selectOption('#bulk-col', '3');
  await page.fill('#bulk-find', 'Calif');
  await page.fill('#bulk-with', 'CA');
  await page.click('[data-action=bulk-replace]');
  await page.waitForFunction(() => document.getElementById('bulk-said').textContent.startsWith('1 cell changed'));
  eq((await counts()).valid, 3, 'the replaced state makes its row valid');
  await page.click('[data-action=bulk-clear]');
  await page.waitForFunction(() => document.getElementById('bulk-said').textContent.startsWith('1 cell changed'));
  const cleared = await counts();
  eq([cleared.valid, cleared.warning, cleared.rejected], [3, 1, 0], 'ZZ emptied: only the bad phone is left');
  await page.selectOption('#filter', 'all');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.evaluate(() => document.getElementById('preview').scrollIntoView());
  await shot('review-and-fix');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => document.getElementById('preview').scrollIntoView());
  await shot('review-and-fix-narrow');
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.parentElement.closest('#grid-scroll, .table-scroll'))
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`).slice(0, 6));
  eq(sideways, 0, `at 390 px the page does not scroll sideways (the grid scrolls in its box); too wide: ${wide}`);
  await page.setViewportSize({ width: 1400, height: 1000 });
  // The cleaned download holds the edits.
  const [cleaned] = await Promise.all([page.waitForEvent('download'), page.click('#dl-cleaned')]);
  const text = fs.readFileSync(await cleaned.path(), 'utf8');
  assert(text.includes('bob@example.com') && !text.includes('not-an-email'), 'the cleaned CSV has the edited value');
  // Imported with the edited values, and the server knows which cells were edited.
  await setChecked('#imp-dry', false);
  await page.click('#imp-start');
  const done = await importResult();
  eq(done.created, 4, 'every row imported');
  const bob = (await server.json('api/v1/leads?email=bob@example.com')).leads;
  eq(bob.length, 1, 'the edited e-mail is stored');
  eq(bob[0].edited, ['Email'], 'the stored lead says its e-mail was edited');
  eq(bob[0].original.Email, 'not-an-email', 'its original row keeps the cell as read');
  const di = (await server.json('api/v1/leads?email=fd@example.com')).leads[0];
  eq([di.state, di.edited], ['CA', ['State']], 'the bulk replace is stored and marked');
  // A reload keeps the edits: the same file chosen again gets them back.
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true);
  await dropFile(file);
  await page.waitForFunction(() => document.getElementById('edit-said').textContent.startsWith('Your 3 cells edited on an earlier visit to this file were restored'), null, { timeout: 30_000 });
  const restored = await counts();
  eq([restored.valid, restored.warning, restored.rejected], [3, 1, 0], 'counts with the restored edits');
  await page.click('#forget-edits');
  await page.waitForFunction(() => document.getElementById('edit-said').textContent.startsWith('Your edits of 3 cells were undone'));
  const undone = await counts();
  eq([undone.valid, undone.warning, undone.rejected], [1, 2, 1], 'counts as read again');
  await page.reload();
  await page.waitForFunction(() => window.leadsiftReady === true);
  await dropFile(file);
  await waitValidated();
  await sleep(500);
  assert((await page.textContent('#edit-said')).startsWith('Double-click'), 'nothing restored once undone');
  eq((await counts()).rejected, 1, 'the file as read');
});

await step('the worker refuses a bad edit with a clear answer and changes nothing', async () => {
  const file = path.join(work, 'edit-bounds.csv');
  fs.writeFileSync(file, 'Email,Phone\nann@example.com,555-12\n');
  await hiddenFile('bounds-file', file);
  const answers = await page.evaluate(async () => {
    const file = document.getElementById('bounds-file').files[0];
    const w = new Worker('worker.js', { type: 'module' });
    const next = (type) => new Promise((r) => { w.onmessage = (e) => e.data.type === type && r(e.data); });
    await next('ready');
    const done = next('done');
    w.postMessage({ type: 'validate', job: 1, file, options: {} });
    const counted = (await done).summary;
    const ask = async (m) => { const a = next('edited'); w.postMessage(m); return (await a).error ?? 'accepted'; };
    const long = 'x'.repeat((1 << 20) + 1);
    const out = {
      negative: await ask({ type: 'edit', job: 1, row: 0, column: -1, text: 'x' }),
      past: await ask({ type: 'edit', job: 1, row: 0, column: 2, text: 'x' }),
      nan: await ask({ type: 'edit', job: 1, row: 0, column: 'one', text: 'x' }),
      row: await ask({ type: 'edit', job: 1, row: 5, column: 0, text: 'x' }),
      noRow: await ask({ type: 'edit', job: 1, column: 0, text: 'x' }),
      half: await ask({ type: 'edit', job: 1, row: 0.5, column: 0, text: 'x' }),
      long: await ask({ type: 'edit', job: 1, row: 0, column: 0, text: long }),
      other: await ask({ type: 'edit', job: 2, row: 0, column: 0, text: 'x' }),
      empty: await ask({ type: 'bulk', job: 1, column: 1, find: '' }),
      longFind: await ask({ type: 'bulk', job: 1, column: 1, find: long, with: '' }),
      longWith: await ask({ type: 'bulk', job: 1, column: 1, find: '5', with: long }),
    };
    // Nothing was changed by any of them: the download is the file as read.
    const dl = next('download');
    w.postMessage({ type: 'download', job: 1, kind: 'cleaned' });
    out.cleaned = await (await dl).blob.text();
    out.rejected = counted.rejected;
    w.terminate();
    return out;
  });
  eq(answers.negative, 'the edit names no column of the file', 'a negative column');
  eq(answers.past, 'the edit names no column of the file', 'a column past the header');
  eq(answers.nan, 'the edit names no column of the file', 'a column that is no number');
  eq(answers.row, 'there is no row 5', 'a row past the file');
  eq(answers.noRow, 'the edit names no row', 'an edit without a row');
  eq(answers.half, 'the edit names no row', 'a row that is no whole number');
  eq(answers.long, 'the text is longer than a cell may be', 'a text over the cell limit');
  assert(answers.other.startsWith('the file is still being read, or was chosen again'), `another job: ${answers.other}`);
  eq(answers.empty, 'say what to replace', 'a bulk replace of nothing');
  eq(answers.longFind, 'the text is longer than a cell may be', 'a bulk find over the limit');
  eq(answers.longWith, 'the text is longer than a cell may be', 'a bulk replacement over the limit');
  assert(answers.cleaned.includes('ann@example.com') && !answers.cleaned.includes(',x,'), 'nothing was edited');
});

await step('the hashing worker stops: the job waiting on it says so, and the next file is read without it', async () => {
  // In this context the validation worker's hashing worker is a stand-in that never answers
  // and, when the test says so, fails as a worker whose script stopped does. (No service
  // worker, so worker.js comes through the route.)
  const ctx = await browser.newContext({ serviceWorkers: 'block' });
  await ctx.addInitScript(() => {
    const Real = window.Worker;
    window.Worker = class extends Real {
      constructor(...args) { super(...args); (window.testWorkers ??= []).push(this); }
    };
  });
  await ctx.route('**/worker.js', async (r) => {
    const res = await r.fetch();
    const standIn = `if (self.name !== 'hasher') {
  let made = null;
  self.Worker = class extends EventTarget { constructor() { super(); made = this; } postMessage() {} terminate() {} };
  self.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'test:stop-hasher' && made && made.onerror) made.onerror(new ErrorEvent('error', { message: 'stopped by the test' }));
  });
}
`;
    return r.fulfill({ status: 200, contentType: 'text/javascript', body: standIn + await res.text() });
  });
  const p = await ctx.newPage();
  await p.goto(server.url);
  await p.waitForFunction(() => window.leadsiftReady === true && window.testWorkers?.length === 1, null, { timeout: 60_000 });
  await p.setInputFiles('#file', mid);
  await p.waitForFunction(() => /^(Reading|Validating)/.test(document.getElementById('progress-text').textContent));
  await sleep(300);
  eq(await p.textContent('#progress-text'), 'Reading…', 'the job waits for the hashing worker\'s slices');
  await p.evaluate(() => window.testWorkers[0].postMessage({ type: 'test:stop-hasher' }));
  await p.waitForSelector('#progress-text .error', { timeout: 30_000 });
  const said = await p.textContent('#progress-text');
  assert(said.includes('the reading worker stopped: stopped by the test') && said.includes('choose the file again'), `the job says why it stopped: ${said}`);
  // The next file: read and hashed by the validation worker itself.
  await p.setInputFiles('#file', small);
  await p.waitForFunction(() => /^Validated/.test(document.getElementById('progress-text').textContent) || document.querySelector('#progress-text .error'), null, { timeout: 120_000 });
  const next = await p.textContent('#progress-text');
  assert(next.startsWith('Validated'), `validated without the hashing worker: ${next}`);
  eq(await p.getAttribute('#detected', 'data-sha256'), sha256(small), 'the SHA-256 made by the validation worker');
  const beside = Number((await p.getAttribute('#detected', 'data-spent')).split(' ')[4]);
  eq(beside, 0, 'no hashing worker\'s time');
  await ctx.close();
});

await step('compare with what was delivered: the five counts, and the grid filtered by them', async () => {
  // The scenario of `leadsift reconcile`'s own test: of 60 exported leads, 0-4 were never
  // delivered, 5-8 were delivered with another city and e-mail, 9-11 twice under other ids,
  // and two deliveries of the export's period are not in it.
  const file = generate('delivered.csv', ['--rows', '60', '--seed', '77', '--invalid', '0']);
  const records = fs.readFileSync(`${file}.expected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const token = 'e2e-compare-token-0123456789';
  const cmp = new Server(await freePort(), `sqlite://${path.join(work, 'delivered.db')}`, token);
  await cmp.start();
  const other = await newPage();
  try {
    const deliver = async (lead) => {
      const r = await fetch(`${cmp.url}api/v1/leads`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(lead),
      });
      assert(r.ok, `delivery: HTTP ${r.status} ${await r.text()}`);
    };
    const delivery = (rec) => {
      const lead = Object.fromEntries(Object.entries(rec.lead).filter(([, v]) => v !== null));
      return { ...lead, ...rec.extra };
    };
    for (const [i, rec] of records.entries()) {
      const lead = delivery(rec);
      if (i <= 4) continue;
      if (i <= 8) Object.assign(lead, { city: 'Elsewhere', email: `changed${i}@example.com` });
      else if (i <= 11) await deliver({ ...lead, lead_id: `again-${i}`, event_id: `again-event-${i}` });
      await deliver(lead);
    }
    for (const n of [0, 1]) {
      const lead = { ...delivery(records[20]), lead_id: `elsewhere-${n}`, email: `nobody${n}@example.com`, phone_1: `512789100${n}` };
      delete lead.event_id;
      await deliver(lead);
    }
    await other.goto(cmp.url);
    await other.waitForFunction(() => window.leadsiftReady === true, null, { timeout: 30_000 });
    await other.setInputFiles('#file', file);
    await other.waitForFunction(() => document.getElementById('progress-text').textContent.startsWith('Validated'), null, { timeout: 60_000 });
    // A wrong token is told apart from a missing one, and nothing is counted.
    await other.fill('#imp-token', 'not-the-token');
    await other.click('#cmp-start');
    await other.waitForFunction(() => document.querySelector('#cmp-status .error'), null, { timeout: 20_000 });
    const refused = await other.textContent('#cmp-status');
    assert(refused.includes("is not the server's"), `a wrong token: ${refused}`);
    eq(await other.$('#cmp-counts dl'), null, 'no counts after a refusal');
    await other.fill('#imp-token', token);
    await other.click('#cmp-start');
    await other.waitForSelector('#cmp-counts dl', { timeout: 60_000 });
    const shown = await other.$$eval('#cmp-counts dt', (dts) => Object.fromEntries(dts.map((d) => [d.textContent, Number(d.nextElementSibling.textContent.replace(/,/g, ''))])));
    const cli = JSON.parse(run(bin, ['reconcile', file, '--server', cmp.url, '--token', token, '--format', 'json']).stdout);
    const expected = { matched: 48, differs: 4, 'not delivered': 5, 'delivered, not exported': 2, 'delivered twice': 3 };
    eq(shown, expected, 'the five counts');
    eq([cli.matched, cli.differs, cli.not_delivered, cli.delivered_not_exported, cli.delivered_twice], Object.values(expected), 'the same counts from leadsift reconcile --server');
    const said = await other.textContent('#cmp-counts');
    assert(said.includes('city (4)') && said.includes('email (4)'), `the differing fields: ${said}`);
    assert((await other.textContent('#cmp-status')).includes('Compared 60 rows'), 'the status says how many rows were compared');
    // A count is a filter: the grid then shows exactly those rows.
    const gridLines = () => other.$$eval('#grid-table tbody tr .line', (tds) => tds.map((t) => Number(t.textContent)));
    const firstFive = (await gridLines()).slice(0, 5);
    eq(firstFive.length, 5, 'the grid shows the first rows');
    await other.click('#cmp-counts button[data-class="differs"]');
    await other.waitForFunction(() => document.getElementById('grid-count').textContent === '4 rows match', null, { timeout: 10_000 });
    eq(await other.$eval('#filter', (s) => s.value), 'class:differs', 'the filter chosen');
    await other.selectOption('#filter', 'class:not_delivered');
    await other.waitForFunction(() => document.getElementById('grid-count').textContent === '5 rows match', null, { timeout: 10_000 });
    eq(await gridLines(), firstFive, 'the undelivered rows are the first five of the file');
    shotNo += 1;
    await other.screenshot({ path: path.join(shots, `${String(shotNo).padStart(2, '0')}-compare-with-deliveries.png`), fullPage: true });
    // A new file forgets the comparison.
    await other.setInputFiles('#file', small);
    await other.waitForFunction(() => document.getElementById('progress-text').textContent.startsWith('Validated'), null, { timeout: 60_000 });
    eq(await other.$('#cmp-counts dl'), null, 'the counts of the last file are gone');
    eq(await other.$eval('#filter', (s) => s.value), 'all', 'the class filter is gone');
  } finally {
    await other.close();
    await cmp.kill();
  }
});

await step('a server with a token: the history and the import say whether the token is missing or wrong', async () => {
  const guarded = new Server(await freePort(), `sqlite://${path.join(work, 'guarded.db')}`, 'e2e-token-0123456789');
  await guarded.start();
  const other = await newPage();
  try {
    await other.goto(`${guarded.url}#/history`);
    await other.waitForFunction(() => window.leadsiftReady === true, null, { timeout: 30_000 });
    await other.waitForSelector('#history-body .error');
    const missing = await other.textContent('#history-body');
    assert(missing.includes("Enter the server's token"), `no token: ${missing}`);
    // The token field lives in the import section (hidden until a file is read).
    await other.evaluate(() => { document.getElementById('imp-token').value = 'not-the-token'; });
    await other.click('#nav-validate');
    await other.click('#nav-history');
    await other.waitForFunction(() => document.getElementById('history-body').textContent.includes('is not the server'), null, { timeout: 10_000 });
    await other.evaluate((t) => { document.getElementById('imp-token').value = t; }, guarded.token);
    await other.click('#nav-validate');
    await other.click('#nav-history');
    await other.waitForFunction(() => !document.querySelector('#history-body .error'), null, { timeout: 10_000 });
    // An import says the same two things apart.
    await other.click('#nav-validate');
    await other.setInputFiles('#file', small);
    await other.waitForFunction(() => document.getElementById('progress-text').textContent.startsWith('Validated'), null, { timeout: 60_000 });
    for (const [token, says] of [['', "Enter the server's token"], ['not-the-token', "is not the server's"]]) {
      await other.fill('#imp-token', token);
      await other.click('#imp-start');
      await other.waitForFunction((s) => document.getElementById('imp-status').textContent.includes(s), says, { timeout: 20_000 });
    }
  } finally {
    await other.close();
    await guarded.kill();
  }
});

// --- benchmarks ------------------------------------------------------------------------------

const table = [];
if (bench) {
  await step('benchmarks', async () => {
    // The bytes a browser downloads: what `leadsift serve` sends when gzip is accepted.
    const sizes = {};
    for (const f of ['leadsift-web_bg.wasm', 'leadsift-web.js', 'worker.js']) {
      const wire = await new Promise((resolve, reject) => {
        http.get(`${server.url}${f}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          let n = 0;
          res.on('data', (c) => { n += c.length; });
          res.on('end', () => resolve({ n, encoding: res.headers['content-encoding'] }));
        }).on('error', reject);
      });
      assert(wire.encoding === 'gzip', `${f} is not served gzipped`);
      sizes[f] = { raw: fs.statSync(path.join(webDir, f)).size, gz: wire.n };
    }
    const gz = Object.values(sizes).reduce((a, s) => a + s.gz, 0);
    // The issue's target is the wasm's size; the row after it keeps the stricter reading.
    const wasmGz = sizes['leadsift-web_bg.wasm'].gz;
    table.push(['app size, .wasm gzipped as served', `${(wasmGz / 1e6).toFixed(3)} MB (${wasmGz} bytes)`, '≤ 1 MB', wasmGz <= 1e6 ? 'met' : 'not met']);
    table.push(['app size, .wasm + JS, gzipped as served', `${(gz / 1e6).toFixed(3)} MB (${gz} bytes)`, '≤ 1 MB', gz <= 1e6 ? 'met' : 'not met']);

    // The picker works before the wasm has loaded: hold the wasm back for 3 s.
    const slow = await browser.newContext();
    const p2 = await slow.newPage();
    await p2.route('**/leadsift-web_bg.wasm', async (r) => { await sleep(3000); await r.continue(); });
    await p2.goto(server.url, { waitUntil: 'domcontentloaded' });
    await p2.setInputFiles('#file', small);
    const early = await p2.textContent('#loading');
    assert(early.startsWith('Chosen: messy.csv'), `early choice not kept: ${early}`);
    await p2.waitForFunction(() => document.getElementById('progress-text').textContent.startsWith('Validated'), null, { timeout: 60_000 });
    await slow.close();
    table.push(['file chosen before the wasm loaded', 'kept, then validated', 'works', 'met']);

    const big = generate('bench.csv', ['--rows', '100000', '--seed', '5', '--invalid', '0.02']);
    const mb = fs.statSync(big).size / 1e6;
    await hiddenFile('bench-file', big);
    await page.addScriptTag({ path: path.join(here, 'node_modules/papaparse/papaparse.min.js') });
    const measure = () => page.evaluate(async () => {
      const file = document.getElementById('bench-file').files[0];
      const w = new Worker('worker.js', { type: 'module' });
      await new Promise((r) => { w.onmessage = (e) => e.data.type === 'ready' && r(); });
      const once = (extra) => new Promise((r) => { w.onmessage = (e) => e.data.type === 'bench' && r(e.data); w.postMessage({ type: 'bench', file, ...extra }); });
      const wasm = await once({});
      w.terminate();
      const t0 = performance.now();
      let rows = 0;
      await new Promise((r) => window.Papa.parse(file, { header: true, worker: false, step: () => { rows += 1; }, complete: r }));
      const papa = { ms: performance.now() - t0, rows };
      return { wasm, papa };
    });
    // The best of five of each (the machine is shared: the slowest run is the noisiest; of
    // three, the same build's WASM figure moved 10 % between runs).
    const runs = [];
    for (let i = 0; i < 5; i += 1) runs.push(await measure());
    const best = (k) => Math.min(...runs.map((r) => r[k].ms));
    const wasmMs = best('wasm');
    const papaMs = best('papa');
    const nativeMs = Math.min(...[0, 1, 2, 3, 4].map(() => {
      const t0 = process.hrtime.bigint();
      run(bin, ['validate', big, '--format', 'summary'], { allowFail: true });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }));
    const rows = runs[0].wasm.rows;
    for (const r of runs) {
      assert(r.wasm.wait_ms >= 0 && r.wasm.wait_ms < r.wasm.ms, `waiting for the file: ${r.wasm.wait_ms} of ${r.wasm.ms} ms`);
    }
    table.push(['WASM validation (worker)', `${(mb / (wasmMs / 1000)).toFixed(1)} MB/s, ${Math.round(rows / (wasmMs / 1000)).toLocaleString('en-US')} rows/s`, '', '']);
    table.push(['Papa Parse, header: true, no worker', `${(mb / (papaMs / 1000)).toFixed(1)} MB/s`, '', '']);
    table.push(['WASM ÷ Papa Parse (speed)', (papaMs / wasmMs).toFixed(2), '≥ 1.5 (goal 2)', papaMs / wasmMs >= 1.5 ? 'met' : 'not met']);
    table.push(['native leadsift validate', `${(mb / (nativeMs / 1000)).toFixed(1)} MB/s`, '', '']);
    table.push(['WASM ÷ native (speed)', (nativeMs / wasmMs).toFixed(2), '≥ 0.5', nativeMs / wasmMs >= 0.5 ? 'met' : 'not met']);

    // The whole app on a 100 MB file: main-thread long tasks.
    const hundred = generate('hundred.csv', ['--rows', String(Math.ceil(100 / mb * 100000)), '--seed', '9']);
    const hmb = fs.statSync(hundred).size / 1e6;
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
    });
    // The best of five, as for every speed above: the same bytes under five names (a file
    // chosen again under the same name is no change to the input), each run reading, hashing
    // and storing the file from the start.
    const appRuns = [];
    const appSpent = [];
    const copies = [hundred, ...[2, 3, 4, 5].map((n) => {
      const copy = hundred.replace(/\.csv$/, `-${n}.csv`);
      fs.copyFileSync(hundred, copy);
      return copy;
    })];
    for (const file of copies) {
      const t0 = Date.now();
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => !/^(Validated|Mapped)/.test(document.getElementById('progress-text').textContent));
      await waitValidated(600_000);
      appRuns.push((Date.now() - t0) / 1000);
      const spent = (await page.getAttribute('#detected', 'data-spent') ?? '').split(' ').map(Number);
      eq(spent.length === 5 && spent.every(Number.isFinite), true, `the worker's time on the page (data-spent), not ${spent}`);
      appSpent.push(spent);
    }
    const appSecs = Math.min(...appRuns);
    eq(await page.getAttribute('#detected', 'data-sha256'), sha256(hundred), 'the big file\'s SHA-256, a slice at a time');
    // Scroll the grid through the million-row-capable view while idle (in the review step).
    await page.click('#step-review');
    await page.waitForFunction(() => document.querySelector('table.grid tbody tr .line'));
    await page.evaluate(() => { const g = document.getElementById('grid-scroll'); g.scrollTop = g.scrollHeight / 2; });
    await page.waitForFunction(() => Number(document.querySelector('table.grid tbody tr .line')?.textContent) > 1000);
    const long = await page.evaluate(() => window.longTasks);
    const worst = long.length ? Math.max(...long) : 0;
    table.push([`app: ${hmb.toFixed(0)} MB file validated and stored (reports made when asked)`, `${(hmb / appSecs).toFixed(1)} MB/s (best of ${appRuns.map((s) => `${s.toFixed(2)} s`).join(', ')})`, '', '']);
    // Where the best run's time went in the worker (its `done` message's `spent`); the rest is
    // the page's, and the messages' between them.
    const [wait, hash, made, tell, beside] = appSpent[appRuns.indexOf(appSecs)] ?? [];
    const inWorker = wait + hash + made + tell;
    table.push(['the app\'s best run in the worker', `${(inWorker / 1000).toFixed(2)} s of its ${appSecs.toFixed(2)} s: waiting for the file ${(wait / 1000).toFixed(2)}, hashing or waiting for the digest ${(hash / 1000).toFixed(2)}, rows ${(made / 1000).toFixed(2)}, telling the page ${(tell / 1000).toFixed(2)}; the hashing worker beside it ${(beside / 1000).toFixed(2)}`, '', '']);
    const appRatio = (hmb / appSecs) / (mb / (wasmMs / 1000));
    table.push(['app ÷ WASM validation alone (speed)', appRatio.toFixed(2), '≥ 0.6', appRatio >= 0.6 ? 'met' : 'not met']);
    table.push(['main-thread long tasks during it', `${long.length}, longest ${worst.toFixed(0)} ms`, 'none > 100 ms', worst <= 100 ? 'met' : 'not met']);
    // A mapping change on the same rows: made again from the kept cells, the file not read.
    const hrows = Number((await page.textContent('#n-rows')).replace(/,/g, ''));
    const firstSel = await page.$eval('#mapping select', (s) => s.id);
    const r0 = Date.now();
    await page.focus(`#${firstSel}`);
    await page.selectOption(`#${firstSel}`, 'ignore');
    await page.waitForFunction(() => document.getElementById('progress-text').textContent.startsWith('Mapped'), null, { timeout: 600_000 });
    const remapSecs = (Date.now() - r0) / 1000;
    const per200k = remapSecs * 200_000 / hrows;
    table.push([`remap: one column's mapping changed on ${hrows.toLocaleString('en-US')} rows`, `${remapSecs.toFixed(2)} s (${per200k.toFixed(2)} s per 200,000 rows)`, '< 2 s per 200,000 rows', per200k < 2 ? 'met' : 'not met']);
    table.push(['remap ÷ first validation (time)', (remapSecs / appSecs).toFixed(2), '', '']);
    fs.writeFileSync(path.join(root, 'target/e2e-bench.json'), JSON.stringify({ sizes, wasmMs, papaMs, nativeMs, mb, rows, long, appSecs, appRuns, appSpent, hmb, remapSecs, hrows }, null, 2));
  });
  console.log('\n| measure | result | target | |\n|---|---|---|---|');
  for (const r of table) console.log(`| ${r.join(' | ')} |`);
}

await browser.close();
await server.kill();
fs.rmSync(work, { recursive: true, force: true });
console.log(`\ne2e: ${failures === 0 ? 'all steps passed' : `${failures} step(s) failed`}; screenshots in ${path.relative(root, shots)}/`);
process.exit(failures === 0 ? 0 : 1);
