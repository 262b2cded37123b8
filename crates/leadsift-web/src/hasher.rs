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

use std::cell::RefCell;
use std::rc::Rc;

use leadsift_core::digest::FileDigest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::ahead::{SLICE, unreadable};
use crate::js::{get, get_f64, obj};

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

/// The job being read, how many of its slices were taken, and the reading's wake-up when it
/// waits for the next `took`.
struct Reading {
    job: f64,
    taken: f64,
    wake: Option<js_sys::Function>,
}

type Shared = Rc<RefCell<Reading>>;

/// Starts the hashing role: handles `early` (messages that came while the wasm loaded), then
/// every later message.
#[wasm_bindgen]
pub fn hasher_main(early: js_sys::Array) -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let reading: Shared = Rc::new(RefCell::new(Reading {
        job: f64::NAN,
        taken: 0.0,
        wake: None,
    }));
    let handle = {
        let scope = scope.clone();
        move |m: JsValue| {
            let job = get_f64(&m, "job");
            let wake = {
                let mut r = reading.borrow_mut();
                match get(&m, "type").as_string().as_deref() {
                    Some("read") => {
                        r.job = job;
                        r.taken = 0.0;
                    }
                    Some("took") if r.job == job => r.taken = get_f64(&m, "taken"),
                    _ => return,
                }
                r.wake.take()
            };
            // A reading waiting for room goes on (or, replaced, ends).
            if let Some(wake) = wake {
                let _ = wake.call0(&JsValue::NULL);
            }
            if let (Some("read"), Ok(file)) = (
                get(&m, "type").as_string().as_deref(),
                get(&m, "file").dyn_into::<File>(),
            ) {
                let (scope, reading) = (scope.clone(), reading.clone());
                wasm_bindgen_futures::spawn_local(read(scope, reading, job, file));
            }
        }
    };
    let handle = Rc::new(handle);
    let h = handle.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| h(e.data()));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    for m in early.iter() {
        handle(m);
    }
    Ok(())
}

/// Reads `file` for `job` a slice at a time, each sent on as soon as it is read and then
/// hashed; ends with the digest, or early when the job is replaced.
async fn read(scope: DedicatedWorkerGlobalScope, reading: Shared, job: f64, file: File) {
    let clock = || {
        scope
            .performance()
            .map(|p| p.now())
            .unwrap_or_else(crate::js::now)
    };
    let t0 = clock();
    let size = file.size();
    let mut digest = FileDigest::new();
    let mut bytes = Vec::new();
    let mut from = 0.0;
    let mut sent = 0.0;
    let outcome = loop {
        // Room for the next slice: at most AHEAD past the last taken.
        loop {
            let room = {
                let r = reading.borrow();
                if r.job != job {
                    return; // replaced
                }
                sent < r.taken + AHEAD
            };
            if room {
                break;
            }
            let wait = js_sys::Promise::new(&mut |resolve, _| {
                reading.borrow_mut().wake = Some(resolve);
            });
            let _ = JsFuture::from(wait).await;
        }
        let to = f64::min(from + SLICE, size);
        let buf = match file.slice_with_f64_and_f64(from, to) {
            Ok(blob) => JsFuture::from(blob.array_buffer()).await,
            Err(e) => Err(e),
        };
        let buf = match buf {
            Ok(buf) => buf,
            Err(e) => break Err(unreadable(from, &e)),
        };
        if reading.borrow().job != job {
            return;
        }
        // Copied for the digest, then the buffer itself goes to the validation worker.
        let view = js_sys::Uint8Array::new(&buf);
        bytes.resize(view.length() as usize, 0);
        view.copy_to(&mut bytes);
        let slice = obj(&[
            ("type", "slice".into()),
            ("job", job.into()),
            ("to", to.into()),
            ("bytes", buf.clone()),
        ]);
        let _ = scope.post_message_with_transfer(&slice, &js_sys::Array::of1(&buf));
        sent += 1.0;
        digest.update(&bytes);
        from = to;
        if from >= size {
            break Ok(std::mem::take(&mut digest).finish());
        }
    };
    let answer = match outcome {
        Ok(sha256) => obj(&[
            ("type", "hashed".into()),
            ("job", job.into()),
            ("sha256", sha256.into()),
            ("ms", (clock() - t0).into()),
        ]),
        Err(e) => obj(&[
            ("type", "hashed".into()),
            ("job", job.into()),
            ("error", e.into()),
        ]),
    };
    let _ = scope.post_message(&answer);
}
