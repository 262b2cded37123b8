//! The import: numbered, checksummed batches to the server, retried with backoff, resumable.
//!
//! The run id and the last batch the server acknowledged are kept in localStorage after every
//! batch, so a reload, a closed tab or a server that went away loses nothing: the same file
//! (recognised by its SHA-256) continues from the next batch. A batch the server already has
//! is answered from its idempotency record, so sending one twice is harmless.

use std::collections::BTreeMap;

use leadsift_core::Outcomes;
use serde::{Deserialize, Serialize};
use wasm_bindgen_futures::JsFuture;

use super::net::{RunView, api_message, request, sleep};
use super::{
    Shared, announce, checked, el, input_value, outcomes_html, set_html, set_text, show, storage,
    thousands,
};
use crate::escape;
use crate::js::{get_f64, get_str, obj};

const KEY: &str = "leadsift.upload";

/// An import in progress, as kept in localStorage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Saved {
    pub run_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub batch_size: u64,
    pub batches: u64,
    /// The last batch the server acknowledged.
    pub acked: u64,
    pub dry_run: bool,
    pub force_refresh: bool,
    pub strict: bool,
    /// Whether the batches carry each lead's original row (kept on resume: a batch sent
    /// again must be the same batch).
    #[serde(default = "yes")]
    pub original: bool,
    pub mapping: BTreeMap<String, String>,
    pub counts: Outcomes,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default)]
pub(crate) struct Upload {
    pub running: bool,
    stop: bool,
    pub saved: Option<Saved>,
    log: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Run {
    id: i64,
}

#[derive(Debug, Deserialize)]
struct Answer {
    counts: Outcomes,
    #[serde(default)]
    replayed: bool,
}

fn save(app: &Shared) {
    let a = app.borrow();
    if let Some(s) = storage(&a.win) {
        match &a.upload.saved {
            Some(saved) => {
                if let Ok(text) = serde_json::to_string(saved) {
                    let _ = s.set_item(KEY, &text);
                }
            }
            None => {
                let _ = s.remove_item(KEY);
            }
        }
    }
}

/// Reads an interrupted import back after a reload.
pub(crate) fn restore(app: &Shared) {
    let saved = storage(&app.borrow().win)
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Saved>(&text).ok());
    // The import section shows the options the interrupted import runs with when resumed.
    if let Some(s) = &saved {
        let doc = app.borrow().doc.clone();
        if let Some(i) = super::input(&doc, "imp-batch") {
            i.set_value(&s.batch_size.to_string());
        }
        for (id, on) in [
            ("imp-dry", s.dry_run),
            ("imp-force", s.force_refresh),
            ("imp-original", s.original),
        ] {
            if let Some(i) = super::input(&doc, id) {
                i.set_checked(on);
            }
        }
    }
    app.borrow_mut().upload.saved = saved;
    render_controls(app);
}

/// Whether an interrupted import of this very file can be resumed.
pub(crate) fn resumable(app: &Shared) -> bool {
    let a = app.borrow();
    match (&a.upload.saved, &a.done) {
        (Some(s), Some(d)) => s.sha256 == d.sha256 && !a.upload.running,
        _ => false,
    }
}

/// The resume banner and the import section's buttons, from the current state.
pub(crate) fn render_controls(app: &Shared) {
    let a = app.borrow();
    let doc = &a.doc;
    let done = a.done.clone();
    let u = &a.upload;
    let matching = match (&u.saved, &done) {
        (Some(s), Some(d)) => s.sha256 == d.sha256,
        _ => false,
    };
    match &u.saved {
        Some(s) if !u.running => {
            set_html(
                doc,
                "resume",
                &format!(
                    "An import of <strong>{}</strong> (run {}) stopped after batch {} of {}. {} \
                     <button type=\"button\" class=\"secondary\" data-action=\"discard\">Discard it</button>",
                    escape(&s.file_name),
                    s.run_id,
                    s.acked,
                    s.batches,
                    if matching {
                        "This is the same file: resume it in step 4, Import."
                    } else {
                        "Choose the same file again to resume it."
                    }
                ),
            );
            show(doc, "resume", true);
        }
        _ => show(doc, "resume", false),
    }
    show(doc, "import", done.is_some());
    let dry = checked(doc, "imp-dry");
    if let Some(b) = el(doc, "imp-start") {
        b.set_text_content(Some(if dry { "Dry run" } else { "Import" }));
        // Something to import: a file read to its end with at least one row.
        set_disabled(
            &b,
            u.running || !a.online || done.as_ref().is_none_or(|d| d.rows == 0),
        );
    }
    if let Some(b) = el(doc, "imp-resume") {
        set_disabled(&b, u.running || !a.online);
    }
    show(doc, "imp-resume", matching && !u.running);
    show(doc, "imp-stop", u.running);
    set_text(
        doc,
        "imp-note",
        if !a.online {
            "The server cannot be reached: importing waits until it can."
        } else if done.as_ref().is_some_and(|d| d.rows == 0) {
            "The file has no rows to import."
        } else {
            ""
        },
    );
}

fn set_disabled(e: &web_sys::Element, disabled: bool) {
    if disabled {
        let _ = e.set_attribute("disabled", "");
    } else {
        let _ = e.remove_attribute("disabled");
    }
}

impl Upload {
    pub(crate) fn stop_for_new_file(&mut self) {
        if self.running {
            self.stop = true;
        }
    }
}

pub(crate) fn stop(app: &Shared) {
    app.borrow_mut().upload.stop = true;
}

/// Forgets the interrupted import here and ends its run on the server (`abandoned`), so the
/// history does not show it running; the batches it committed stay.
pub(crate) fn discard(app: &Shared) {
    let saved = app.borrow_mut().upload.saved.take();
    save(app);
    render_controls(app);
    let Some(saved) = saved else { return };
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let token = input_value(&a.borrow().doc, "imp-token");
        let url = format!("api/v1/imports/{}/abandon", saved.run_id);
        let body = r#"{"reason":"discarded in the browser"}"#;
        let text = match request(&a, "POST", &url, Some(body), &token).await {
            Ok((200, _)) => format!(
                "Run {} was discarded: what it had imported stays, and the history shows it abandoned.",
                saved.run_id
            ),
            Ok((s, text)) => format!(
                "Run {} is forgotten here, but the server did not end it: {}",
                saved.run_id,
                api_message(s, &text)
            ),
            Err(e) => format!(
                "Run {} is forgotten here; the server will mark it abandoned ({e}).",
                saved.run_id
            ),
        };
        // Said where the banner was (the import section is hidden until a file is chosen).
        let doc = a.borrow().doc.clone();
        set_text(&doc, "resume", &text);
        show(&doc, "resume", true);
        announce(&doc, &text);
    });
}

pub(crate) fn begin(app: &Shared, resume: bool) {
    if app.borrow().upload.running || app.borrow().done.is_none() {
        return;
    }
    {
        let mut a = app.borrow_mut();
        a.upload.running = true;
        a.upload.stop = false;
        a.upload.log.clear();
        // The last run's answer goes at once, so that nothing reads it as this run's.
        set_html(&a.doc, "imp-result", "");
        set_html(&a.doc, "imp-log", "");
    }
    render_controls(app);
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = run(&a, resume).await;
        a.borrow_mut().upload.running = false;
        let doc = a.borrow().doc.clone();
        if let Err(e) = result {
            set_html(
                &doc,
                "imp-status",
                &format!("<strong class=\"error\">{}</strong>", escape(&e)),
            );
            announce(&doc, &e);
        }
        render_controls(&a);
    });
}

/// Says where a stopped import can pick up again.
fn stopped(app: &Shared, acked: u64) -> Result<(), String> {
    status(
        app,
        &format!("Stopped after batch {acked}: resume any time, even after a reload."),
    );
    Ok(())
}

fn status(app: &Shared, text: &str) {
    set_text(&app.borrow().doc, "imp-status", text);
}

fn log(app: &Shared, line: String) {
    let html = {
        let mut a = app.borrow_mut();
        a.upload.log.push(line);
        let skip = a.upload.log.len().saturating_sub(12);
        a.upload.log[skip..]
            .iter()
            .map(|l| format!("<li>{}</li>", escape(l)))
            .collect::<String>()
    };
    set_html(&app.borrow().doc, "imp-log", &html);
}

/// The worker's batch `seq` of `size` rows: `(body, rows)`.
async fn batch(
    app: &Shared,
    job: f64,
    seq: u64,
    size: u64,
    original: bool,
) -> Result<(String, u64), String> {
    let promise = {
        let mut a = app.borrow_mut();
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            a.waiting.insert(seq, resolve);
        });
        drop(a);
        promise
    };
    super::send(
        app,
        obj(&[
            ("type", "batch".into()),
            ("job", job.into()),
            ("seq", (seq as f64).into()),
            ("size", (size as f64).into()),
            ("original", original.into()),
        ]),
    );
    let m = JsFuture::from(promise)
        .await
        .map_err(|e| super::error_text(&e))?;
    let error = get_str(&m, "error");
    if !error.is_empty() {
        return Err(error);
    }
    Ok((get_str(&m, "body"), get_f64(&m, "count") as u64))
}

/// Sends `body` until the server answers, waiting longer after each failure; gives up only on
/// an answer that retrying cannot change (a 4xx other than 408 and 429), or when stopped.
async fn send_retrying(
    app: &Shared,
    method: &str,
    url: &str,
    body: Option<&str>,
    what: &str,
) -> Result<Option<String>, String> {
    let mut attempt = 0u32;
    loop {
        let token = input_value(&app.borrow().doc, "imp-token");
        let failure = match request(app, method, url, body, &token).await {
            Ok((200..=299, text)) => return Ok(Some(text)),
            Ok((s, text)) if s == 408 || s == 429 || s >= 500 => api_message(s, &text),
            Ok((401, text)) => {
                return Err(format!(
                    "{what} was refused: {} {}",
                    api_message(401, &text),
                    super::net::token_problem(&text, "then import again")
                ));
            }
            Ok((s, text)) => return Err(format!("{what} was refused: {}", api_message(s, &text))),
            Err(e) => e,
        };
        if app.borrow().upload.stop {
            return Ok(None);
        }
        let wait = crate::backoff_ms(attempt);
        attempt += 1;
        status(
            app,
            &format!(
                "{what} failed ({failure}); trying again in {} s (attempt {attempt})",
                crate::fixed(f64::from(wait) / 1000.0, 1)
            ),
        );
        sleep(app, wait).await;
    }
}

async fn run(app: &Shared, resume: bool) -> Result<(), String> {
    let (file_name, sha256, rows, choices, doc, job) = {
        let a = app.borrow();
        let done = a.done.clone().ok_or("validate a file first")?;
        (
            a.file.as_ref().map(|f| f.name()).unwrap_or_default(),
            done.sha256,
            done.rows,
            a.choices.clone(),
            a.doc.clone(),
            a.job,
        )
    };
    let previous = app.borrow().upload.saved.clone();
    let mut saved = match previous {
        Some(s) if resume && s.sha256 == sha256 => s,
        _ if resume => return Err("there is no interrupted import of this file".to_owned()),
        _ => {
            let size = input_value(&doc, "imp-batch")
                .trim()
                .parse::<u64>()
                .unwrap_or(500);
            if !(1..=100_000).contains(&size) {
                return Err("the batch size must be between 1 and 100000".to_owned());
            }
            let dry_run = checked(&doc, "imp-dry");
            let force_refresh = checked(&doc, "imp-force");
            let original = checked(&doc, "imp-original");
            let body = serde_json::json!({
                "file_name": file_name,
                "file_sha256": sha256,
                "dry_run": dry_run,
                "force_refresh": force_refresh,
                "strict": choices.strict,
                "mapping": choices.mapping,
                "surface": "browser",
            })
            .to_string();
            status(app, "Starting the import…");
            let Some(text) = send_retrying(
                app,
                "POST",
                "api/v1/imports",
                Some(&body),
                "starting the import",
            )
            .await?
            else {
                return Err("stopped before the import started".to_owned());
            };
            let run: Run = serde_json::from_str(&text)
                .map_err(|e| format!("the server's answer is not a run: {e}"))?;
            Saved {
                run_id: run.id,
                file_name: file_name.clone(),
                sha256: sha256.clone(),
                batch_size: size,
                batches: rows.div_ceil(size),
                acked: 0,
                dry_run,
                force_refresh,
                strict: choices.strict,
                original,
                mapping: choices.mapping.clone(),
                counts: Outcomes::default(),
            }
        }
    };
    if resume && (saved.mapping != choices.mapping || saved.strict != choices.strict) {
        return Err(
            "the mapping or strict mode differs from the interrupted import's: set them back to resume"
                .to_owned(),
        );
    }
    app.borrow_mut().upload.saved = Some(saved.clone());
    save(app);
    render_controls(app);
    let progress = el(&doc, "imp-progress");
    show(&doc, "imp-progress", true);
    set_html(&doc, "imp-result", "");
    let verb = if saved.dry_run { "Dry run" } else { "Import" };
    for seq in saved.acked + 1..=saved.batches {
        if app.borrow().upload.stop {
            return stopped(app, saved.acked);
        }
        let (body, count) = batch(app, job, seq, saved.batch_size, saved.original).await?;
        status(
            app,
            &format!(
                "{verb}: sending batch {seq} of {} ({count} rows)",
                saved.batches
            ),
        );
        let url = format!("api/v1/imports/{}/batches/{seq}", saved.run_id);
        let Some(text) =
            send_retrying(app, "PUT", &url, Some(&body), &format!("batch {seq}")).await?
        else {
            return stopped(app, saved.acked);
        };
        let answer: Answer = serde_json::from_str(&text)
            .map_err(|e| format!("the server's answer to batch {seq} is not understood: {e}"))?;
        saved.counts.merge(&answer.counts);
        saved.acked = seq;
        app.borrow_mut().upload.saved = Some(saved.clone());
        save(app);
        let c = &answer.counts;
        // A dry run says what an import would do, not what it did.
        let would = if saved.dry_run { "would be " } else { "" };
        log(
            app,
            format!(
                "batch {seq}: {} rows, {} {would}created, {} {would}updated, {} unchanged, {} existing, {} {would}rejected{}",
                c.rows,
                c.created,
                c.updated,
                c.unchanged,
                c.existing,
                c.rejected,
                if answer.replayed {
                    " (already received)"
                } else {
                    ""
                }
            ),
        );
        if let Some(p) = &progress {
            let _ = p.set_attribute(
                "value",
                &format!("{}", seq as f64 / saved.batches.max(1) as f64),
            );
        }
    }
    status(app, "Finishing…");
    let url = format!("api/v1/imports/{}/finish", saved.run_id);
    let Some(text) = send_retrying(app, "POST", &url, None, "finishing the import").await? else {
        return Ok(());
    };
    let f: RunView = serde_json::from_str(&text)
        .map_err(|e| format!("the server's final answer is not understood: {e}"))?;
    app.borrow_mut().upload.saved = None;
    save(app);
    let total = f.counts;
    let heading = if saved.dry_run {
        "Dry run: nothing was written. An import of this file now would give:"
    } else {
        "Imported"
    };
    set_html(
        &doc,
        "imp-result",
        &format!(
            "<h3>{heading}</h3><p>Run {} {}: {} rows read. <a href=\"#/history\">See it in the import history</a>.</p>{}",
            saved.run_id,
            escape(&f.status),
            thousands(total.rows),
            outcomes_html(&total, saved.dry_run)
        ),
    );
    if let Some(p) = &progress {
        let _ = p.set_attribute("value", "1");
    }
    // The result is shown once, below; the status line only says the run is over (the
    // announcement reads the counts to a screen reader).
    let would = if saved.dry_run { "would be " } else { "" };
    status(
        app,
        if saved.dry_run {
            "Dry run finished."
        } else {
            "Import finished."
        },
    );
    announce(
        &doc,
        &format!(
            "{heading} {} {would}created, {} {would}updated, {} unchanged, {} existing, {} {would}rejected.",
            total.created, total.updated, total.unchanged, total.existing, total.rejected
        ),
    );
    Ok(())
}
