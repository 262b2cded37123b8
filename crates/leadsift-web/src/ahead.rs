//! A file's bytes as the validation worker takes them, a slice at a time, read ahead of it.
//!
//! Reading is not free for the thread that reads: in Chromium a `Blob.arrayBuffer()` is filled
//! on the thread that asked for it, about 10 ms for each 4 MiB slice here. So a job's file is
//! read by the hashing worker ([`crate::hasher`]), which hashes each slice and sends it on, and
//! the validation worker only makes rows ([`Source::Beside`]). The benchmark's runs, and a job
//! where no hashing worker could start, read here ([`Source::Here`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::File;

use crate::js::{message, obj};

/// Bytes read and validated per step (about 50 ms of work in Chromium here); between steps the
/// worker answers page requests. 4 MiB rather than 1: a slice costs a read, a copy into the
/// wasm memory and a task, and a file read in 1 MiB slices took 5 to 10 % longer.
pub const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// The bytes of the file up to `to`, from where the slice before ended.
pub struct Slice {
    pub to: f64,
    pub bytes: Vec<u8>,
}

/// The slices of one file, in order, for the worker that makes its rows.
pub struct Ahead {
    pub size: f64,
    source: Source,
    /// Since when the worker has been waiting for a slice, and how long it waited in all (ms).
    waiting: Option<f64>,
    pub waited: f64,
}

enum Source {
    /// Read here, one slice ahead: while the worker makes one slice's rows, the browser reads
    /// the next (the synchronous `FileReaderSync` made the worker wait for every slice, 12 to
    /// 15 % of the time). A read that ends wakes the worker through `port`.
    Here {
        file: File,
        /// Where the next read starts.
        next: f64,
        /// Whether a read was asked for (an empty file is still read once).
        started: bool,
        slot: Rc<RefCell<Read>>,
        port: web_sys::MessagePort,
    },
    /// Read by the hashing worker, which sends each slice as it reads it and reads at most
    /// [`crate::hasher::AHEAD`] slices past the last one taken here (so no more than that
    /// waits in memory); each slice taken is acknowledged.
    Beside {
        hasher: web_sys::Worker,
        job: f64,
        taken: f64,
        arrived: VecDeque<Slice>,
    },
}

enum Read {
    Idle,
    Reading,
    Done(Result<Slice, String>),
}

impl Ahead {
    /// `file`, read by this worker, which `port` wakes when a slice has been read.
    pub fn here(file: File, port: web_sys::MessagePort) -> Ahead {
        Ahead::of(
            file.size(),
            Source::Here {
                file,
                next: 0.0,
                started: false,
                slot: Rc::new(RefCell::new(Read::Idle)),
                port,
            },
        )
    }

    /// `file`, read (and hashed) for job `job` by the hashing worker, whose slices are handed
    /// over with [`Ahead::arrived`]; `None` when the hashing worker cannot be asked.
    pub fn beside(file: &File, hasher: &web_sys::Worker, job: f64) -> Option<Ahead> {
        let asked = obj(&[
            ("type", "read".into()),
            ("job", job.into()),
            ("file", file.into()),
        ]);
        hasher.post_message(&asked).ok()?;
        Some(Ahead::of(
            file.size(),
            Source::Beside {
                hasher: hasher.clone(),
                job,
                taken: 0.0,
                arrived: VecDeque::new(),
            },
        ))
    }

    fn of(size: f64, source: Source) -> Ahead {
        Ahead {
            size,
            source,
            waiting: None,
            waited: 0.0,
        }
    }

    /// Whether the hashing worker reads the file (and so makes its digest).
    pub fn is_beside(&self) -> bool {
        matches!(self.source, Source::Beside { .. })
    }

    /// A slice the hashing worker sent (its bytes in an `ArrayBuffer`); why it could not read
    /// the file comes in its `hashed` answer instead.
    pub fn arrived(&mut self, slice: Slice) {
        if let Source::Beside { arrived, .. } = &mut self.source {
            arrived.push_back(slice);
        }
    }

    /// Starts reading the next slice here, unless one is being read or waits to be taken, or
    /// the file is all read (the hashing worker reads ahead on its own).
    pub fn ask(&mut self) {
        let Source::Here {
            file,
            next,
            started,
            slot,
            port,
        } = &mut self.source
        else {
            return;
        };
        if !matches!(*slot.borrow(), Read::Idle) || (*started && *next >= self.size) {
            return;
        }
        *started = true;
        let from = *next;
        let to = (from + SLICE).min(self.size);
        *next = to;
        let blob = match file.slice_with_f64_and_f64(from, to) {
            Ok(b) => b,
            Err(e) => {
                *slot.borrow_mut() = Read::Done(Err(message(&e)));
                let _ = port.post_message(&JsValue::NULL);
                return;
            }
        };
        *slot.borrow_mut() = Read::Reading;
        let slot = slot.clone();
        let port = port.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await;
            *slot.borrow_mut() = Read::Done(match read {
                Ok(buf) => Ok(Slice {
                    to,
                    bytes: js_sys::Uint8Array::new(&buf).to_vec(),
                }),
                Err(e) => Err(unreadable(from, &e)),
            });
            let _ = port.post_message(&JsValue::NULL);
        });
    }

    /// The next slice, if it is there; else `None`, and the worker is woken when it is.
    pub fn take(&mut self, now: f64) -> Option<Result<Slice, String>> {
        let read = match &mut self.source {
            Source::Here { slot, .. } => {
                let mut slot = slot.borrow_mut();
                if matches!(*slot, Read::Done(_)) {
                    match std::mem::replace(&mut *slot, Read::Idle) {
                        Read::Done(read) => Some(read),
                        _ => None,
                    }
                } else {
                    None
                }
            }
            Source::Beside {
                hasher,
                job,
                taken,
                arrived,
            } => arrived.pop_front().map(Ok).inspect(|_| {
                *taken += 1.0;
                let took = obj(&[
                    ("type", "took".into()),
                    ("job", (*job).into()),
                    ("taken", (*taken).into()),
                ]);
                let _ = hasher.post_message(&took);
            }),
        };
        match read {
            Some(read) => {
                if let Some(since) = self.waiting.take() {
                    self.waited += now - since;
                }
                Some(read)
            }
            None => {
                self.waiting.get_or_insert(now);
                self.ask();
                None
            }
        }
    }

    /// A step has made its slice's rows: if the next slice is not there yet, the worker waits
    /// for it from `now` (an idle worker is waiting for the file, though no step asked).
    pub fn rest(&mut self, now: f64) {
        let ready = match &self.source {
            Source::Here { slot, .. } => matches!(*slot.borrow(), Read::Done(_)),
            Source::Beside { arrived, .. } => !arrived.is_empty(),
        };
        if !ready {
            self.waiting.get_or_insert(now);
        }
    }

    pub fn all_read(&self, slice: &Slice) -> bool {
        slice.to >= self.size
    }
}

/// Why the file could not be read from byte `from`.
pub fn unreadable(from: f64, e: &JsValue) -> String {
    format!("the file could not be read at byte {from}: {}", message(e))
}
