//! The hashing worker: a second dedicated worker, started by the validation worker, that reads
//! a job's file, computes its SHA-256 (the file's identity, the core's `FileDigest`) and sends
//! each slice on to the validation worker, which only makes the rows. Reading costs the
//! reading thread about 10 ms per 4 MiB slice in Chromium and hashing about 18, against about
//! 30 for the rows: on two threads a file takes the time of its rows.
//!
//! Protocol: in `read {job, file}` (a new job replaces the one under way, which stops at its
//! next slice); out `slice {job, to, bytes}` for each slice in order (`bytes` an `ArrayBuffer`,
//! transferred), at most [`AHEAD`] past the last taken; in `took {job, taken}` (how many slices
//! the validation worker has taken); out at the end `hashed {job, sha256, ms}` (`ms`: the time
//! from the ask to the digest), or `hashed {job, error}` when the file could not be read.

use leadsift_core::digest::FileDigest;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::ahead::{SLICE, unreadable};
use crate::js::{get, get_f64, get_str, message, obj};

/// Slices read past the last one the validation worker took: one being made into rows, one
/// waiting, one being read.
pub const AHEAD: f64 = 2.0;

/// The worker's name (`WorkerOptions.name`) that gives it this role in `worker.js`.
const NAME: &str = "hasher";

/// Starts the hashing worker beside the validation worker; `None` where a worker cannot start
/// another (the validation worker then reads and hashes the file itself).
pub fn start(
    on_message: &js_sys::Function,
    on_error: &js_sys::Function,
) -> Option<web_sys::Worker> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    options.set_name(NAME);
    let worker = web_sys::Worker::new_with_options("worker.js", &options).ok()?;
    worker.set_onmessage(Some(on_message));
    worker.set_onerror(Some(on_error));
    Some(worker)
}

/// The job being read: its file (until it is all sent or cannot be read), where the next
/// slice starts, how many slices were sent, and the digest so far.
struct Reading {
    job: f64,
    file: Option<File>,
    from: f64,
    sent: f64,
    digest: FileDigest,
    started: f64,
}

/// Starts the hashing role: handles `early` (messages that came while the wasm loaded), then
/// every later message.
#[wasm_bindgen]
pub fn hasher_main(early: js_sys::Array) -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let mut reading = Reading {
        job: f64::NAN,
        file: None,
        from: 0.0,
        sent: 0.0,
        digest: FileDigest::new(),
        started: 0.0,
    };
    let mut handle = move |m: JsValue| {
        let job = get_f64(&m, "job");
        match get_str(&m, "type").as_str() {
            "read" => {
                reading = Reading {
                    job,
                    file: get(&m, "file").dyn_into().ok(),
                    from: 0.0,
                    sent: 0.0,
                    digest: FileDigest::new(),
                    started: clock(&scope),
                };
                if reading.file.is_some() {
                    reading.send(&scope, 0.0);
                } else {
                    reading.end(&scope, ("error", "the message holds no file".into()));
                }
            }
            "took" if reading.job == job => reading.send(&scope, get_f64(&m, "taken")),
            _ => {}
        }
    };
    for m in early.iter() {
        handle(m);
    }
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| handle(e.data()));
    js_sys::global()
        .unchecked_into::<DedicatedWorkerGlobalScope>()
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    Ok(())
}

fn clock(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(crate::js::now)
}

impl Reading {
    /// Reads, sends on and hashes the slices that fit before `taken` + [`AHEAD`], each read
    /// synchronously (this worker has nothing else to do meanwhile); once the last is sent,
    /// the digest.
    fn send(&mut self, scope: &DedicatedWorkerGlobalScope, taken: f64) {
        while self.sent < taken + AHEAD {
            let Some(file) = &self.file else { return };
            let (from, size) = (self.from, file.size());
            let to = f64::min(from + SLICE, size);
            let read = file
                .slice_with_f64_and_f64(from, to)
                .and_then(|blob| web_sys::FileReaderSync::new()?.read_as_array_buffer(&blob));
            let buf = match read {
                Ok(buf) => buf,
                Err(e) => return self.end(scope, ("error", unreadable(from, &e).into())),
            };
            // Copied for the digest, then the buffer itself goes to the validation worker.
            let bytes = js_sys::Uint8Array::new(&buf).to_vec();
            let slice = obj(&[
                ("type", "slice".into()),
                ("job", self.job.into()),
                ("to", to.into()),
                ("bytes", buf.clone().into()),
            ]);
            if let Err(e) = scope.post_message_with_transfer(&slice, &js_sys::Array::of1(&buf)) {
                let why = format!("a slice could not be passed on: {}", message(&e));
                return self.end(scope, ("error", why.into()));
            }
            self.digest.update(&bytes);
            self.sent += 1.0;
            self.from = to;
            if to >= size {
                let sha256 = std::mem::take(&mut self.digest).finish();
                return self.end(scope, ("sha256", sha256.into()));
            }
        }
    }

    /// Tells the validation worker the digest or why the file could not be read; the file is
    /// let go.
    fn end(&mut self, scope: &DedicatedWorkerGlobalScope, outcome: (&str, JsValue)) {
        self.file = None;
        let _ = scope.post_message(&obj(&[
            ("type", "hashed".into()),
            ("job", self.job.into()),
            outcome,
            ("ms", (clock(scope) - self.started).into()),
        ]));
    }
}
