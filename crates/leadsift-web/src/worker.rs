//! The Web Worker: reads the file in slices, validates it with the core, keeps the rows and
//! builds the downloads; answers the page's requests for pages of rows and upload batches.
//!
//! Protocol (plain objects with a `type`):
//! - in `validate {job, file, options}`: a new job replaces the old one (its rows are dropped);
//!   out `progress {job, bytes, total, rows, summary}` at most every 100 ms, then `done {job,
//!   summary, sha256, rows, spent}` (`spent`: milliseconds spent waiting for the file, hashing
//!   it here or waiting for the hashing worker's digest once the rows were made, making and
//!   keeping the rows, telling the page, and `hashed_beside`, the hashing worker's own time)
//!   or `error {job, message}`. The file's SHA-256 is made beside the rows by the hashing
//!   worker this worker starts ([`crate::hasher`]), or here where it could not start one.
//! - in `remap {job, options}` (the same file's rows under another mapping or strictness,
//!   from the kept cells, edits kept): out `progress {job, rows, summary}` and `done {job,
//!   summary, rows, remapped: true}` as a validation's; the page's `job` is the new one.
//! - in `edit {job, row, column, text}` (row: position in the file's rows; column:
//!   zero-based): out `edited {job, summary, row}` once the row (or, when its key changed,
//!   the whole file) is counted again; `bulk {job, column, find, with}` replaces `find` by
//!   `with` in every cell of the column, `bulk {job, column, clear: true}` empties the
//!   column's invalid cells: out `edited {job, summary, changed}`. Either may answer
//!   `edited {job, error}`.
//!   Edits are kept in IndexedDB for this reading of the file; once a file is read, the edits
//!   kept for it are applied and the page is told `restored {job, summary, changed}`. In
//!   `forget_edits {job}` drops them all: out `forgotten {job, summary, changed}`.
//! - in `samples {job}`: out `samples {job, text}`, per column up to three of the first
//!   non-empty cells, each `[raw, ok, cleaned text or why it fails]` (`ok` null for a column
//!   mapped to no field), as JSON.
//! - in `download {job, kind}` (`errors` or `cleaned`): out `download {job, kind, blob}`, made
//!   from the rows as they now are (edits included), or `download {job, kind, error}`.
//! - in `page {req, filter, from, count}`: out `page {req, total, rows}` where `rows` is a JSON
//!   text `[{row, raw}, …]` (`raw`: the cells as read, before any edit).
//! - in `batch {job, seq, size}`: out `batch {seq, body, count, checksum}`, `body` being the JSON
//!   text to `PUT` (empty `count` past the last row), or `batch {seq, error}` when the store
//!   holds another job's rows or is still filling.
//! - in `bench {file}`: validates the whole file as a job reads it when it reads it itself,
//!   then drops everything; out `bench {ms, bytes, rows, wait_ms}`, `wait_ms` being the part
//!   of `ms` spent waiting for the file.
//! - in `returns {job, codes}` (comma-separated reason codes): out `returns {job, blob, returned,
//!   price, without_event_id, lines}`, the returns file LeadConduit imports, or `returns {job,
//!   error}`.
//! - Comparing with the delivered leads, each answered by `compare {req, …}` (or `compare
//!   {req, error}`): `compare_batch {req, job, seq, size}` gives `{body, count, from, to}`, the
//!   body to `POST /api/v1/reconcile` (and the export's submission window, empty when no row has
//!   a time); `compare_found {req, job, seq, size, text}` takes the answer's text and gives
//!   `{}`; `compare_deliveries {req, job, keys}` (newline-separated keys of a page of
//!   deliveries) gives `{}`; `compare_summary {req, job}` gives `{text}`, the counts as JSON. A new
//!   `compare_batch` with `seq` 1 starts the comparison again.

use std::cell::RefCell;
use std::rc::Rc;

use leadsift_core::digest::FileDigest;
use leadsift_core::reconcile::{Finding, ReconcileSummary, Seen, Window};
use leadsift_core::report::{
    ERROR_REPORT_HEADER, cleaned_csv_header, cleaned_csv_line, error_report_lines,
};
use leadsift_core::returns::{Candidate, RETURNS_HEADER, ReturnRule, ReturnsSummary};
use leadsift_core::wire::{WireRow, WireRowJson, batch_checksum};
use leadsift_core::{
    MappingOverrides, Options, Replay, Replayer, Restand, Row, Standing, Summary, TextMap,
    Validator,
};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageChannel, MessageEvent};

use crate::Remake;
use crate::ahead::{Ahead, Slice};
use crate::hasher;
use crate::js::{get, get_f64, get_str, message, now, obj, to_js};
use crate::store::{Filter, Kept, RowStore};

/// Text gathered before it becomes one part of a download's Blob.
const PART: usize = 4 << 20;

/// A download growing as rows arrive: text parts of a future Blob.
struct Download {
    buf: String,
    parts: js_sys::Array,
}

impl Download {
    fn new(header: &str) -> Download {
        Download {
            buf: header.to_owned(),
            parts: js_sys::Array::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.buf.push_str(text);
        if self.buf.len() >= PART {
            self.part();
        }
    }

    /// The text so far becomes a part: its UTF-8 bytes copied as they are (a JS string would
    /// convert every character to UTF-16 and back).
    fn part(&mut self) {
        self.parts
            .push(&js_sys::Uint8Array::from(self.buf.as_bytes()));
        self.buf.clear();
    }

    fn finish(mut self) -> JsValue {
        if !self.buf.is_empty() {
            self.part();
        }
        let bag = web_sys::BlobPropertyBag::new();
        bag.set_type("text/csv;charset=utf-8");
        web_sys::Blob::new_with_u8_array_sequence_and_options(&self.parts, &bag)
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL)
    }
}

/// How a validation job gets its file's SHA-256.
enum Hashing {
    /// Slice by slice in this worker, beside the rows (no hashing worker).
    Here(FileDigest),
    /// From the hashing worker, which reads the file: the digest once it has answered, since
    /// when the rows have been waiting for it, and the milliseconds the hashing worker took.
    Beside {
        sha256: Option<String>,
        waiting: Option<f64>,
        took: f64,
    },
}

struct Job {
    id: f64,
    ahead: Ahead,
    validator: Validator,
    sha: Hashing,
    /// Whether every row is made (the job then waits only for its digest).
    read_all: bool,
    last_post: f64,
    /// Milliseconds spent so far hashing the slices, making and keeping the rows, and telling
    /// the page (the `done` message's `spent`, beside the time spent waiting for the file).
    spent: Spent,
}

#[derive(Default)]
struct Spent {
    hash: f64,
    rows: f64,
    tell: f64,
}

/// How a [`Remapping`] makes the rows' standing again.
enum Pass {
    /// Every row made again from its cells (after an edit: cells changed).
    Full(Replay),
    /// Each row's standing from its brief and the cells that need cleaning again (a new
    /// mapping or strictness: the cells are as they were).
    Brief(Restand),
}

impl Pass {
    fn kind(&self) -> Remake {
        match self {
            Pass::Full(_) => Remake::Full,
            Pass::Brief(_) => Remake::Brief,
        }
    }

    fn summary(&self) -> &Summary {
        match self {
            Pass::Full(r) => r.summary(),
            Pass::Brief(r) => r.summary(),
        }
    }

    fn finish(self) -> (Replayer, Summary) {
        match self {
            Pass::Full(r) => r.finish(),
            Pass::Brief(r) => r.finish(),
        }
    }
}

/// The store's rows being made again (a remap, or an edit that changed a lead key), a slice
/// of rows per step.
struct Remapping {
    id: f64,
    pass: Pass,
    next: usize,
    made: Vec<Standing>,
    /// What the page is told at the end: `done` (a remap) or `edited` (an edit).
    tell: &'static str,
    /// For a bulk fix: how many cells it changed (an edit of one cell says nothing).
    changed: Option<usize>,
    last_post: f64,
}

/// Rows made again per step of a [`Remapping`].
const REMAP_SLICE: usize = 4096;

struct State {
    scope: DedicatedWorkerGlobalScope,
    /// The hashing worker, when this worker could start one ([`crate::hasher`]).
    hasher: Option<web_sys::Worker>,
    job: Option<Job>,
    store: RowStore,
    /// The job whose rows the store holds.
    store_job: f64,
    /// Makes the store's rows again from their records, once the file's header is read.
    replayer: Option<Replayer>,
    /// The file's account as the rows now stand (after any remap and edit).
    summary: Summary,
    /// The mapping and strictness the rows are now made with.
    overrides: MappingOverrides,
    strict: bool,
    remap: Option<Remapping>,
    bench: Option<Bench>,
    /// The store's rows' submission window, for a comparison with the deliveries.
    window: Window,
    /// Where the person's edits of this reading of the file are kept ([`crate::idb`]): the
    /// file's SHA-256 and how it was read; empty until the file is read.
    edits_key: String,
    /// A comparison's progress: the stored leads some row is, and the counts.
    seen: Seen,
    compared: ReconcileSummary,
    /// Wakes the worker for the next slice without a timer's minimum delay.
    channel: MessageChannel,
}

type Shared = Rc<RefCell<State>>;

/// Starts the worker role: handles `early` (messages that came while the wasm loaded), then
/// every later message.
#[wasm_bindgen]
pub fn worker_main(early: js_sys::Array) -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let channel = MessageChannel::new()?;
    let state: Shared = Rc::new(RefCell::new(State {
        scope: scope.clone(),
        hasher: None,
        job: None,
        store: RowStore::new(),
        store_job: f64::NAN,
        replayer: None,
        summary: Summary::default(),
        overrides: MappingOverrides::default(),
        strict: false,
        remap: None,
        bench: None,
        window: Window::default(),
        edits_key: String::new(),
        seen: Seen::default(),
        compared: ReconcileSummary::default(),
        channel,
    }));

    let s = state.clone();
    let step = Closure::<dyn FnMut(MessageEvent)>::new(move |_e: MessageEvent| step(&s));
    state
        .borrow()
        .channel
        .port2()
        .set_onmessage(Some(step.as_ref().unchecked_ref()));
    step.forget();

    let s = state.clone();
    let on_hashed =
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| hashed(&s, &e.data()));
    let s = state.clone();
    let on_hasher_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        hasher_failed(&s, &get_str(&e, "message"))
    });
    let hasher = hasher::start(
        on_hashed.as_ref().unchecked_ref(),
        on_hasher_error.as_ref().unchecked_ref(),
    );
    on_hashed.forget();
    on_hasher_error.forget();
    state.borrow_mut().hasher = hasher;

    let s = state.clone();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| handle(&s, &e.data()));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    for m in early.iter() {
        handle(&state, &m);
    }
    post(&state, &obj(&[("type", "ready".into())]));
    // Until a file comes the worker is idle: the NANP table is compiled now rather than in the
    // first file's first slice (a job already started waits no longer for it either way).
    let _ = leadsift_core::clean::nanp_is_valid("2015550123");
    Ok(())
}

fn post(state: &Shared, message: &JsValue) {
    let _ = state.borrow().scope.post_message(message);
}

fn handle(state: &Shared, m: &JsValue) {
    match get_str(m, "type").as_str() {
        "validate" => start(state, m),
        "remap" => remap(state, m),
        "edit" | "bulk" => edit(state, m),
        "forget_edits" => forget_edits(state, m),
        "samples" => samples(state, m),
        "download" => download(state, m),
        "page" => page(state, m),
        "batch" => batch(state, m),
        "bench" => bench(state, m),
        "returns" => returns(state, m),
        "compare_batch" | "compare_found" | "compare_deliveries" | "compare_summary" => {
            compare(state, m)
        }
        other => post(
            state,
            &obj(&[
                ("type", "error".into()),
                ("job", JsValue::NULL),
                (
                    "message",
                    format!("the worker does not know the message {other:?}").into(),
                ),
            ]),
        ),
    }
}

fn options(m: &JsValue) -> Result<Options, String> {
    let mut o = leadsift_wasm::options_from_js(get(m, "options"))
        .map_err(|e| message(&JsValue::from(e)))?;
    // The store keeps each record's cells and makes rows (original row included) from them.
    o.keep_cells = true;
    Ok(o)
}

fn start(state: &Shared, m: &JsValue) {
    let id = get_f64(m, "job");
    let file: File = match get(m, "file").dyn_into() {
        Ok(f) => f,
        Err(_) => return fail(state, id, "the message holds no file".to_owned()),
    };
    let options = match options(m) {
        Ok(o) => o,
        Err(e) => return fail(state, id, e),
    };
    {
        let mut s = state.borrow_mut();
        s.store = RowStore::new();
        s.store_job = id;
        s.replayer = None;
        s.summary = Summary::default();
        s.overrides = options.mapping.clone();
        s.strict = options.strict;
        s.remap = None;
        s.edits_key.clear();
        s.seen = Seen::default();
        s.compared = ReconcileSummary::default();
        let port = s.channel.port1();
        // The hashing worker reads and hashes the file when there is one; else this worker.
        let (ahead, sha) = match s.hasher.as_ref().and_then(|h| Ahead::beside(&file, h, id)) {
            Some(ahead) => (
                ahead,
                Hashing::Beside {
                    sha256: None,
                    waiting: None,
                    took: 0.0,
                },
            ),
            None => (Ahead::here(file, port), Hashing::Here(FileDigest::new())),
        };
        s.job = Some(Job {
            id,
            ahead,
            validator: Validator::new(options),
            sha,
            read_all: false,
            last_post: 0.0,
            spent: Spent::default(),
        });
    }
    wake(state);
}

fn wake(state: &Shared) {
    let _ = state.borrow().channel.port1().post_message(&JsValue::NULL);
}

fn fail(state: &Shared, job: f64, message: String) {
    state.borrow_mut().job = None;
    post(
        state,
        &obj(&[
            ("type", "error".into()),
            ("job", job.into()),
            ("message", message.into()),
        ]),
    );
}

/// One slice of the current job (or of the current remapping).
fn step(state: &Shared) {
    if state.borrow().bench.is_some() {
        return bench_step(state);
    }
    if state.borrow().remap.is_some() {
        return remap_step(state);
    }
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let Some(job) = s.job.as_mut().filter(|j| !j.read_all) else {
        // Idle (or waiting for the digest): compress the blocks left raw while the rows
        // arrived, a few per step.
        if s.store.compress_some(4) {
            drop(guard);
            wake(state);
        }
        return;
    };
    let id = job.id;
    let performance = s.scope.performance();
    let clock = || performance.as_ref().map(|p| p.now()).unwrap_or_else(now);
    let t1 = clock();
    let Some(read) = job.ahead.take(t1) else {
        return;
    };
    // The next slice is read while this one is made into rows.
    job.ahead.ask();
    let size = job.ahead.size;
    let mut to = size;
    let result = read.and_then(|slice| {
        to = slice.to;
        let bytes = slice.bytes;
        if let Hashing::Here(sha) = &mut job.sha {
            sha.update(&bytes);
        }
        let t2 = clock();
        job.spent.hash += t2 - t1;
        // Each row is lent and its cells go straight into the store's open block.
        let store = &mut s.store;
        let mut keep = |replayer: &Replayer, row: &Row| store.keep_lent(replayer, row);
        job.validator
            .push_each(&bytes, &mut keep)
            .map_err(|e| e.to_string())?;
        if to >= size {
            job.validator
                .finish_each(&mut keep)
                .map_err(|e| e.to_string())?;
        }
        if s.replayer.is_none()
            && let Some(r) = job.validator.replayer()
        {
            // The store holds the cells: the rows it makes again need no copy of them.
            s.replayer = Some(r.clone().keeping_cells(false));
        }
        job.spent.rows += clock() - t2;
        Ok(())
    });
    if let Err(e) = result {
        drop(guard);
        return fail(state, id, e);
    }
    let t = now();
    if to >= size {
        job.read_all = true;
        drop(guard);
        return finish(state);
    }
    if t - job.last_post >= 100.0 {
        let t3 = clock();
        job.last_post = t;
        let m = obj(&[
            ("type", "progress".into()),
            ("job", id.into()),
            ("bytes", to.into()),
            ("total", size.into()),
            ("rows", (s.store.len() as f64).into()),
            ("summary", to_js(job.validator.summary())),
        ]);
        let _ = s.scope.post_message(&m);
        job.spent.tell += clock() - t3;
    }
    // No wake: the next slice's arrival wakes the worker (or already has).
    job.ahead.rest(clock());
}

/// Ends the current job once its rows are all made and its digest is known: the page is told
/// `done`. A job whose digest is still being made waits for the hashing worker's answer.
fn finish(state: &Shared) {
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let Some(job) = s.job.as_mut().filter(|j| j.read_all) else {
        return;
    };
    let performance = s.scope.performance();
    let clock = || performance.as_ref().map(|p| p.now()).unwrap_or_else(now);
    let t3 = clock();
    let (sha, hashed_beside) = match &mut job.sha {
        Hashing::Here(d) => (std::mem::take(d).finish(), 0.0),
        Hashing::Beside {
            sha256,
            waiting,
            took,
        } => {
            let Some(sha) = sha256.take() else {
                waiting.get_or_insert(t3);
                return;
            };
            // The time the rows, all made, waited for the digest.
            job.spent.hash = waiting.map_or(0.0, |since| t3 - since);
            (sha, *took)
        }
    };
    let Some(job) = s.job.take() else { return };
    let id = job.id;
    let size = job.ahead.size;
    s.summary = job.validator.summary().clone();
    s.edits_key = match &s.summary.sniffed {
        Some(f) => format!("{sha}|{}|{}|{}", f.encoding, f.delimiter, f.header_line),
        None => String::new(),
    };
    let spent = &job.spent;
    let m = obj(&[
        ("type", "done".into()),
        ("job", id.into()),
        ("summary", to_js(&s.summary)),
        ("rows", (s.store.len() as f64).into()),
        ("bytes", size.into()),
        ("total", size.into()),
        ("sha256", sha.into()),
        (
            "spent",
            obj(&[
                ("wait", job.ahead.waited.into()),
                ("hash", spent.hash.into()),
                ("rows", spent.rows.into()),
                ("tell", (spent.tell + clock() - t3).into()),
                ("hashed_beside", hashed_beside.into()),
            ]),
        ),
    ]);
    let _ = s.scope.post_message(&m);
    drop(guard);
    // The store's raw blocks are compressed once nothing else is to be done.
    wake(state);
    restore_edits(state, id)
}

/// The hashing worker's message for a job: a slice it read (the worker is woken to make its
/// rows), the digest, which ends the job if its rows are all made, or why the file could not
/// be read, which fails it.
fn hashed(state: &Shared, m: &JsValue) {
    let id = get_f64(m, "job");
    {
        let mut s = state.borrow_mut();
        let Some(job) = s.job.as_mut().filter(|j| j.id == id) else {
            return; // a job since replaced
        };
        if get_str(m, "type") == "slice" {
            let bytes = js_sys::Uint8Array::new(&get(m, "bytes")).to_vec();
            let to = get_f64(m, "to");
            job.ahead.arrived(Slice { to, bytes });
            drop(s);
            return wake(state);
        }
        let Hashing::Beside { sha256, took, .. } = &mut job.sha else {
            return;
        };
        match get(m, "sha256").as_string() {
            Some(sha) => {
                *sha256 = Some(sha);
                *took = get_f64(m, "ms");
            }
            None => {
                drop(s);
                return fail(state, id, get_str(m, "error"));
            }
        }
    }
    finish(state);
}

/// The hashing worker stopped (its script failed): later jobs hash here, and a job waiting
/// for its digest fails, saying so.
fn hasher_failed(state: &Shared, why: &str) {
    let waiting = {
        let mut s = state.borrow_mut();
        s.hasher = None;
        s.job.as_ref().filter(|j| j.ahead.is_beside()).map(|j| j.id)
    };
    if let Some(id) = waiting {
        fail(
            state,
            id,
            format!(
                "the file could not be read (the reading worker stopped: {why}); choose the file again"
            ),
        );
    }
}

/// The returns file for the chosen reasons, from the rows kept.
fn returns(state: &Shared, m: &JsValue) {
    let s = state.borrow();
    let job = get(m, "job");
    let reply = |fields: &[(&str, JsValue)]| {
        let mut all = vec![("type", JsValue::from("returns")), ("job", job.clone())];
        all.extend(fields.iter().cloned());
        let _ = s.scope.post_message(&obj(&all));
    };
    if let Some(busy) = busy(&s, get_f64(m, "job")) {
        return reply(&[("error", busy.into())]);
    }
    let rule = match ReturnRule::parse_list(&get_str(m, "codes")) {
        Ok(r) => r,
        Err(e) => return reply(&[("error", e.to_string().into())]),
    };
    let mut file = Download::new(RETURNS_HEADER);
    let mut summary = ReturnsSummary::default();
    drop(s);
    each_row(state, |row| {
        if let Some(r) = Candidate::of(row).and_then(|c| c.under(&rule)) {
            summary.add(&r);
            if let Some(line) = r.to_csv() {
                file.push(&line);
            }
        }
    });
    let s = state.borrow();
    let reply = |fields: &[(&str, JsValue)]| {
        let mut all = vec![("type", JsValue::from("returns")), ("job", job.clone())];
        all.extend(fields.iter().cloned());
        let _ = s.scope.post_message(&obj(&all));
    };
    let lines: Vec<String> = summary
        .without_event_id_lines
        .iter()
        .take(20)
        .map(u64::to_string)
        .collect();
    reply(&[
        ("blob", file.finish()),
        ("returned", (summary.returned as f64).into()),
        ("price", summary.price().into()),
        ("without_event_id", (summary.without_event_id as f64).into()),
        ("lines", lines.join(", ").into()),
    ]);
}

fn page(state: &Shared, m: &JsValue) {
    let filter = Filter::parse(&get_str(m, "filter"));
    let from = get_f64(m, "from").max(0.0) as usize;
    let count = (get_f64(m, "count").max(0.0) as usize).min(500);
    let mut s = state.borrow_mut();
    let total = s.store.count(filter);
    let at = s.store.positions(filter, from, count);
    let kept = s.store.at(&at);
    let mut text = String::from("[");
    if let Some(replayer) = &s.replayer {
        for (i, (k, at)) in kept.iter().zip(at).enumerate() {
            if i > 0 {
                text.push(',');
            }
            let mut row = made(replayer, k, true);
            let original = std::mem::take(&mut row.original);
            let json = |v: Result<String, serde_json::Error>| v.unwrap_or_else(|_| "{}".into());
            text.push_str(&format!("{{\"at\":{at},\"row\":"));
            text.push_str(&json(serde_json::to_string(&row)));
            text.push_str(",\"raw\":");
            text.push_str(&json(serde_json::to_string(&TextMap(&original))));
            text.push_str(",\"edits\":");
            text.push_str(&json(serde_json::to_string(&k.edits)));
            text.push('}');
        }
    }
    text.push(']');
    let reply = obj(&[
        ("type", "page".into()),
        ("req", get(m, "req")),
        ("total", (total as f64).into()),
        ("rows", text.into()),
    ]);
    let _ = s.scope.post_message(&reply);
}

fn batch(state: &Shared, m: &JsValue) {
    let seq = get_f64(m, "seq").max(1.0) as usize;
    let size = (get_f64(m, "size").max(1.0) as usize).min(100_000);
    let mut s = state.borrow_mut();
    if busy(&s, get_f64(m, "job")).is_some() {
        // The rows are another file's, or not all read yet: never send those under this run.
        let reply = obj(&[
            ("type", "batch".into()),
            ("seq", (seq as f64).into()),
            (
                "error",
                "the file was chosen again or changed while importing: choose it and resume".into(),
            ),
        ]);
        let _ = s.scope.post_message(&reply);
        return;
    }
    // The original rows go with the batch unless the import was told to keep none.
    let original = get(m, "original").as_bool().unwrap_or(true);
    let rows = s.store.range((seq - 1) * size, seq * size);
    let wire = wire_rows(s.replayer.as_ref(), &rows, original);
    let checksum = batch_checksum(&wire);
    // Written straight from the rows (`json!` would sort every object, the original row's
    // column order with them).
    #[derive(serde::Serialize)]
    struct Body<'a> {
        rows: Vec<WireRowJson<'a>>,
        checksum: &'a str,
    }
    let body = match serde_json::to_string(&Body {
        rows: wire.iter().map(WireRowJson).collect(),
        checksum: &checksum,
    }) {
        Ok(b) => b,
        Err(e) => {
            drop(s);
            return fail(
                state,
                f64::NAN,
                format!("a batch could not be written: {e}"),
            );
        }
    };
    let reply = obj(&[
        ("type", "batch".into()),
        ("seq", (seq as f64).into()),
        ("count", (rows.len() as f64).into()),
        ("checksum", checksum.into()),
        ("body", body.into()),
    ]);
    let _ = s.scope.post_message(&reply);
}

/// A kept record's row, made again with the person's edits; with its original row (the
/// cells as read) when `original`.
fn made(replayer: &Replayer, k: &Kept, original: bool) -> Row {
    let cells = k.cells.get();
    let mut row = if k.edits.is_empty() {
        replayer.row(&cells, k.record, k.line, k.read, k.replaces_line)
    } else {
        replayer.edited_row(&cells, &k.edits, k.record, k.line, k.read, k.replaces_line)
    };
    if original {
        row.original = replayer.original(&cells);
    }
    row
}

/// Why the store's rows cannot be used for job `job` now, if they cannot.
fn busy(s: &State, job: f64) -> Option<&'static str> {
    if job != s.store_job || s.job.is_some() {
        Some("the file is still being read, or was chosen again: wait for it to be read")
    } else if s.remap.is_some() {
        Some("the rows are being made again: wait a moment")
    } else {
        None
    }
}

/// Calls `f` with every row as it now stands, in file order (a block at a time).
fn each_row(state: &Shared, mut f: impl FnMut(&Row)) {
    let mut s = state.borrow_mut();
    let s = &mut *s;
    let Some(replayer) = s.replayer.as_ref() else {
        return;
    };
    let n = s.store.len();
    s.store.visit(0, n, |_, k| f(&made(replayer, &k, false)));
}

/// The error report or the cleaned values, made from the rows as they now stand.
fn download(state: &Shared, m: &JsValue) {
    let kind = get_str(m, "kind");
    let job = get(m, "job");
    let refused = busy(&state.borrow(), get_f64(m, "job"));
    let answer = match (refused, kind.as_str()) {
        (Some(why), _) => Err(why.to_owned()),
        (None, "errors") => {
            let mut file = Download::new(ERROR_REPORT_HEADER);
            each_row(state, |row| file.push(&error_report_lines(row)));
            Ok(file.finish())
        }
        (None, "cleaned") => {
            let mut file = Download::new(&cleaned_csv_header());
            each_row(state, |row| file.push(&cleaned_csv_line(row)));
            Ok(file.finish())
        }
        (None, other) => Err(format!("there is no download {other:?}")),
    };
    let mut fields = vec![
        ("type", JsValue::from("download")),
        ("job", job),
        ("kind", kind.into()),
    ];
    match answer {
        Ok(blob) => fields.push(("blob", blob)),
        Err(e) => fields.push(("error", e.into())),
    }
    post(state, &obj(&fields));
}

/// Starts making the rows again under the message's mapping and strictness.
fn remap(state: &Shared, m: &JsValue) {
    let options = match options(m) {
        Ok(o) => o,
        Err(e) => return fail(state, get_f64(m, "job"), e),
    };
    let id = get_f64(m, "job");
    let in_brief = {
        let mut s = state.borrow_mut();
        // A remap replaces a remap under way; it needs the whole file read.
        let replaced = s.remap.take().map(|r| r.pass.kind());
        let in_brief = Remake::for_remap(replaced) == Remake::Brief;
        if let Some(why) = busy(&s, s.store_job) {
            drop(s);
            return fail(state, id, why.to_owned());
        }
        s.store_job = id;
        s.overrides = options.mapping;
        s.strict = options.strict;
        in_brief
    };
    remake(state, id, "done", None, in_brief);
}

/// Makes every row again under the current choices and counts them afresh; at the end the
/// page is told `tell`.
fn replay_all(state: &Shared, id: f64, tell: &'static str, changed: Option<usize>) {
    remake(state, id, tell, changed, false);
}

/// Makes every row's standing again under the current choices, from its brief when `brief`
/// (the cells unchanged since the briefs were made), else from all its cells.
fn remake(state: &Shared, id: f64, tell: &'static str, changed: Option<usize>, brief: bool) {
    let mut s = state.borrow_mut();
    let Some(replayer) = s.replayer.as_ref() else {
        drop(s);
        return fail(state, id, "the file has no header row to map".to_owned());
    };
    let pass = if brief {
        Pass::Brief(replayer.restand(&s.summary, &s.overrides, s.strict))
    } else {
        Pass::Full(replayer.replay(&s.summary, &s.overrides, s.strict))
    };
    let n = s.store.len();
    s.remap = Some(Remapping {
        id,
        pass,
        next: 0,
        made: Vec::with_capacity(n),
        tell,
        changed,
        last_post: now(),
    });
    // A comparison's classes were of the old rows.
    s.store.clear_classes();
    s.seen = Seen::default();
    s.compared = ReconcileSummary::default();
    drop(s);
    wake(state);
}

fn remap_step(state: &Shared) {
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let Some(r) = s.remap.as_mut() else { return };
    let n = s.store.len();
    let to = (r.next + REMAP_SLICE).min(n);
    s.store.visit_briefly(r.next, to, |_, k, brief| {
        let cells = k.cells.get();
        let standing = match &mut r.pass {
            Pass::Brief(restand) => restand.row(&cells, &k.edits, k.line, brief),
            Pass::Full(replay) => {
                let row = if k.edits.is_empty() {
                    replay.row(&cells, k.record, k.line, k.read)
                } else {
                    replay.edited_row(&cells, &k.edits, k.record, k.line, k.read)
                };
                replay.replayer().standing(&row)
            }
        };
        r.made.push(standing);
    });
    r.next = to;
    if to < n {
        let t = now();
        if t - r.last_post >= 100.0 && r.tell == "done" {
            r.last_post = t;
            let m = obj(&[
                ("type", "progress".into()),
                ("job", r.id.into()),
                ("bytes", (to as f64).into()),
                ("total", (n as f64).into()),
                ("rows", (to as f64).into()),
                ("summary", to_js(r.pass.summary())),
            ]);
            let _ = s.scope.post_message(&m);
        }
        drop(guard);
        return wake(state);
    }
    let Some(r) = s.remap.take() else { return };
    let (replayer, summary) = r.pass.finish();
    s.replayer = Some(replayer);
    for (i, standing) in r.made.into_iter().enumerate() {
        s.store.set_standing(i, standing);
    }
    s.summary = summary;
    let mut fields = vec![
        ("type", JsValue::from(r.tell)),
        ("job", r.id.into()),
        ("summary", to_js(&s.summary)),
        ("rows", (n as f64).into()),
        ("remapped", true.into()),
    ];
    if let Some(changed) = r.changed {
        fields.push(("changed", (changed as f64).into()));
    }
    let m = obj(&fields);
    let _ = s.scope.post_message(&m);
    drop(guard);
    // Whatever waited while the rows were made again (the idle compression) goes on.
    wake(state);
}

/// Applies the edits kept for this reading of the file from an earlier visit, if any, and
/// counts the file again with them (the page is told `restored`).
fn restore_edits(state: &Shared, id: f64) {
    let key = state.borrow().edits_key.clone();
    if key.is_empty() {
        return;
    }
    let state = state.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(Some(text)) = crate::idb::load(&key).await else {
            return;
        };
        let Ok(kept) = serde_json::from_str::<EditMap>(&text) else {
            return;
        };
        let mut n = 0;
        {
            let mut s = state.borrow_mut();
            // The same reading of the same file, not replaced while IndexedDB answered.
            if s.edits_key != key || busy(&s, id).is_some() {
                return;
            }
            let limit = leadsift_core::Limits::default().max_field_bytes;
            for (row, edits) in kept {
                for (column, text) in edits {
                    if text.len() <= limit && s.store.edit(row, column, text) {
                        n += 1;
                    }
                }
            }
        }
        if n > 0 {
            replay_all(&state, id, "restored", Some(n));
        }
    });
}

/// Every edit of the store, by row position: what is kept in IndexedDB.
type EditMap = std::collections::BTreeMap<usize, Vec<(usize, String)>>;

/// Keeps the store's edits for this reading of the file (forgets them when there are none).
fn save_edits(state: &Shared) {
    let (key, text) = {
        let s = state.borrow();
        let edits = s.store.edits();
        let text = if edits.is_empty() {
            None
        } else {
            serde_json::to_string(edits).ok()
        };
        (s.edits_key.clone(), text)
    };
    if key.is_empty() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = crate::idb::save(&key, text.as_deref()).await {
            web_sys::console::warn_1(
                &format!("the edits could not be kept: {}", message(&e)).into(),
            );
        }
    });
}

/// Forgets every edit of the file (here and in IndexedDB) and counts the file again.
fn forget_edits(state: &Shared, m: &JsValue) {
    let id = get_f64(m, "job");
    let n = {
        let mut s = state.borrow_mut();
        if let Some(why) = busy(&s, id) {
            drop(s);
            let reply = obj(&[
                ("type", "edited".into()),
                ("job", id.into()),
                ("error", why.into()),
            ]);
            return post(state, &reply);
        }
        let n: usize = s.store.edits().values().map(Vec::len).sum();
        s.store.clear_edits();
        n
    };
    save_edits(state);
    replay_all(state, id, "forgotten", Some(n));
}

/// Up to three sample cells per column from the first rows, each with what the current
/// mapping makes of it.
fn samples(state: &Shared, m: &JsValue) {
    let id = get_f64(m, "job");
    let text = {
        let mut guard = state.borrow_mut();
        let s = &mut *guard;
        let Some(replayer) = s.replayer.as_ref() else {
            return;
        };
        let n = replayer.columns().len();
        let mut out: Vec<Vec<(String, Option<bool>, String)>> = vec![Vec::new(); n];
        let mut from = 0;
        while from < s.store.len().min(4 * crate::store::BLOCK_ROWS)
            && out.iter().any(|c| c.len() < 3)
        {
            let to = (from + 256).min(s.store.len());
            for k in s.store.range(from, to) {
                for (i, cell) in k.cells.get().iter().enumerate().take(n) {
                    let cell = cell.trim();
                    if cell.is_empty() || out[i].len() >= 3 || out[i].iter().any(|c| c.0 == cell) {
                        continue;
                    }
                    let short: String = cell.chars().take(60).collect();
                    let (ok, said) = match replayer.cleaned_cell(i, cell) {
                        Some(Ok(t)) => (Some(true), t),
                        Some(Err(why)) => (Some(false), why),
                        None => (None, String::new()),
                    };
                    out[i].push((short, ok, said));
                }
            }
            from = to;
        }
        serde_json::to_string(&out).unwrap_or_default()
    };
    let reply = obj(&[
        ("type", "samples".into()),
        ("job", id.into()),
        ("text", text.into()),
    ]);
    post(state, &reply);
}

/// A person's edit of one cell, or of a column's cells at once.
fn edit(state: &Shared, m: &JsValue) {
    let id = get_f64(m, "job");
    let reply = |fields: &[(&str, JsValue)]| {
        let mut all = vec![("type", JsValue::from("edited")), ("job", id.into())];
        all.extend(fields.iter().cloned());
        post(state, &obj(&all));
    };
    if let Some(why) = busy(&state.borrow(), id) {
        return reply(&[("error", why.into())]);
    }
    // A column of the file's header (an edit past it would change nothing).
    let columns = state
        .borrow()
        .replayer
        .as_ref()
        .map_or(0, |r| r.columns().len());
    // Whole numbers only: a missing or non-numeric position is no position (never 0).
    let whole = |key: &str, below: f64| {
        get(m, key)
            .as_f64()
            .filter(|n| *n >= 0.0 && *n < below && n.fract() == 0.0)
            .map(|n| n as usize)
    };
    let Some(column) = whole("column", columns as f64) else {
        return reply(&[("error", "the edit names no column of the file".into())]);
    };
    if get_str(m, "type") == "bulk" {
        return bulk(state, m, id, column);
    }
    let text = get_str(m, "text");
    if text.len() > leadsift_core::Limits::default().max_field_bytes {
        return reply(&[("error", "the text is longer than a cell may be".into())]);
    }
    let Some(i) = whole("row", f64::MAX) else {
        return reply(&[("error", "the edit names no row".into())]);
    };
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let Some(replayer) = s.replayer.as_ref() else {
        drop(guard);
        return reply(&[("error", "the file has no rows".into())]);
    };
    let Some(before) = s.store.get(i) else {
        drop(guard);
        return reply(&[("error", format!("there is no row {i}").into())]);
    };
    let old = made(replayer, &before, false);
    s.store.edit(i, column, text);
    let Some(after) = s.store.get(i) else { return };
    let new = made(replayer, &after, false);
    let standing = replayer.standing(&new);
    drop(guard);
    save_edits(state);
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    if s.summary.replace_row(&old, &new) {
        s.store.set_standing(i, standing);
        s.store.clear_classes();
        let summary = to_js(&s.summary);
        drop(guard);
        return reply(&[("summary", summary), ("row", (i as f64).into())]);
    }
    // The lead key changed: which rows replace which is counted again over the whole file.
    drop(guard);
    replay_all(state, id, "edited", None);
}

/// Replaces text in a column's cells, or empties the column's invalid cells; then counts the
/// file again.
fn bulk(state: &Shared, m: &JsValue, id: f64, column: usize) {
    let clear = get(m, "clear").as_bool().unwrap_or(false);
    let find = get_str(m, "find");
    let with = get_str(m, "with");
    let limit = leadsift_core::Limits::default().max_field_bytes;
    let refused = if !clear && find.is_empty() {
        Some("say what to replace")
    } else if find.len() > limit || with.len() > limit {
        Some("the text is longer than a cell may be")
    } else {
        None
    };
    if let Some(why) = refused {
        let reply = obj(&[
            ("type", "edited".into()),
            ("job", id.into()),
            ("error", why.into()),
        ]);
        return post(state, &reply);
    }
    let mut edits: Vec<(usize, String)> = Vec::new();
    {
        let mut guard = state.borrow_mut();
        let s = &mut *guard;
        let Some(replayer) = s.replayer.as_ref() else {
            return;
        };
        let header = replayer
            .columns()
            .get(column)
            .map(|c| c.header.clone())
            .unwrap_or_default();
        let n = s.store.len();
        s.store.visit(0, n, |i, k| {
            let Some(current) = k.text(column) else {
                return;
            };
            if clear {
                if !current.is_empty() && made(replayer, &k, false).failed_in_column(&header) {
                    edits.push((i, String::new()));
                }
            } else if current.contains(find.as_str()) {
                let replaced = current.replace(find.as_str(), &with);
                // A cell no larger than a cell may be; a longer result leaves it as it is.
                if replaced.len() <= limit {
                    edits.push((i, replaced));
                }
            }
        });
        for (i, text) in &edits {
            s.store.edit(*i, column, text.clone());
        }
    }
    save_edits(state);
    replay_all(state, id, "edited", Some(edits.len()));
}

/// Kept records in the wire form a batch carries, with their original rows when `original`.
fn wire_rows(replayer: Option<&Replayer>, kept: &[Kept], original: bool) -> Vec<WireRow> {
    replayer.map_or_else(Vec::new, |r| {
        kept.iter()
            .map(|k| WireRow::from_row(&made(r, k, original)))
            .collect()
    })
}

/// One step of a comparison with the delivered leads (the page talks to the server; the worker
/// holds the rows, the classes and the counts, all judged by the core).
fn compare(state: &Shared, m: &JsValue) {
    let mut s = state.borrow_mut();
    let req = get(m, "req");
    let reply = |s: &State, fields: &[(&str, JsValue)]| {
        let mut all = vec![("type", JsValue::from("compare")), ("req", req.clone())];
        all.extend(fields.iter().cloned());
        let _ = s.scope.post_message(&obj(&all));
    };
    if let Some(why) = busy(&s, get_f64(m, "job")) {
        return reply(&s, &[("error", why.into())]);
    }
    let seq = get_f64(m, "seq").max(1.0) as usize;
    let size = (get_f64(m, "size").max(1.0) as usize).min(10_000);
    match get_str(m, "type").as_str() {
        "compare_batch" => {
            if seq == 1 {
                s.seen = Seen::default();
                s.compared = ReconcileSummary::default();
                s.store.clear_classes();
                // The export's submission window, from the rows as they now stand.
                drop(s);
                let mut window = Window::default();
                each_row(state, |row| window.add(row));
                s = state.borrow_mut();
                s.window = window;
            }
            let rows = s.store.range((seq - 1) * size, seq * size);
            let wire = wire_rows(s.replayer.as_ref(), &rows, false);
            #[derive(serde::Serialize)]
            struct Body<'a> {
                rows: Vec<WireRowJson<'a>>,
            }
            let body = serde_json::to_string(&Body {
                rows: wire.iter().map(WireRowJson).collect(),
            })
            .map_err(|e| format!("the rows could not be written: {e}"));
            match body {
                Ok(body) => {
                    let (from, to) = s.window.bounds().unwrap_or_default();
                    reply(
                        &s,
                        &[
                            ("body", body.into()),
                            ("count", (rows.len() as f64).into()),
                            ("from", from.into()),
                            ("to", to.into()),
                        ],
                    )
                }
                Err(e) => reply(&s, &[("error", e.into())]),
            }
        }
        "compare_found" => {
            #[derive(serde::Deserialize)]
            struct Answer {
                findings: Vec<Finding>,
            }
            let answer = match serde_json::from_str::<Answer>(&get_str(m, "text")) {
                Ok(a) => a,
                Err(e) => {
                    let e = format!("the server's answer is not a list of findings: {e}");
                    return reply(&s, &[("error", e.into())]);
                }
            };
            let s = &mut *s;
            for (i, f) in answer.findings.iter().enumerate() {
                s.store.set_class((seq - 1) * size + i, f.class);
                s.seen.add(f);
                s.compared.add(f);
            }
            reply(s, &[]);
        }
        "compare_deliveries" => {
            let s = &mut *s;
            for key in get_str(m, "keys").lines() {
                if let Some(f) = s.seen.not_exported(key) {
                    s.compared.add(&f);
                }
            }
            reply(s, &[]);
        }
        _ => {
            let text = serde_json::to_string(&s.compared).unwrap_or_default();
            reply(&s, &[("text", text.into())])
        }
    }
}

/// A benchmark run: validation alone, read as a job reads when no hashing worker reads for it.
struct Bench {
    ahead: Ahead,
    validator: Validator,
    rows: usize,
    started: f64,
}

fn bench(state: &Shared, m: &JsValue) {
    let file: File = match get(m, "file").dyn_into() {
        Ok(f) => f,
        Err(_) => return fail(state, f64::NAN, "the message holds no file".to_owned()),
    };
    let options = match options(m) {
        Ok(mut o) => {
            o.keep_original = false;
            o
        }
        Err(e) => return fail(state, f64::NAN, e),
    };
    {
        let mut s = state.borrow_mut();
        let port = s.channel.port1();
        let started = s.scope.performance().map(|p| p.now()).unwrap_or_else(now);
        s.bench = Some(Bench {
            ahead: Ahead::here(file, port),
            validator: Validator::new(options),
            rows: 0,
            started,
        });
    }
    wake(state);
}

fn bench_step(state: &Shared) {
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let Some(b) = s.bench.as_mut() else { return };
    let performance = s.scope.performance();
    let clock = || performance.as_ref().map(|p| p.now()).unwrap_or_else(now);
    let Some(read) = b.ahead.take(clock()) else {
        return;
    };
    b.ahead.ask();
    let slice = match read {
        Ok(slice) => slice,
        Err(e) => {
            s.bench = None;
            drop(guard);
            return fail(state, f64::NAN, e);
        }
    };
    let rows = &mut b.rows;
    let mut each = |_: &Replayer, _: &Row| *rows += 1;
    let _ = b.validator.push_each(&slice.bytes, &mut each);
    if !b.ahead.all_read(&slice) {
        return;
    }
    let _ = b.validator.finish_each(&mut each);
    let ms = clock() - b.started;
    let reply = obj(&[
        ("type", "bench".into()),
        ("ms", ms.into()),
        ("bytes", b.ahead.size.into()),
        ("rows", (b.rows as f64).into()),
        ("wait_ms", b.ahead.waited.into()),
    ]);
    s.bench = None;
    let _ = s.scope.post_message(&reply);
    drop(guard);
    // Whatever waited while the benchmark ran (a job's slice, the idle compression) goes on.
    wake(state);
}
