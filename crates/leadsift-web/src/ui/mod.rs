//! The page: DOM, events and the conversation with the worker.
//!
//! The static skeleton is in `web/index.html` (so the file picker works before the wasm has
//! loaded); this module fills its sections. Events are delegated: one listener per event type on
//! the document, dispatching on the target's `id` or `data-action`. Sections that hold form
//! controls are rendered only when their content changes, never on a progress tick, so that
//! keyboard focus is not lost.

mod compare;
mod grid;
mod history;
mod net;
mod upload;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use leadsift_core::mapping::MatchKind;
use leadsift_core::{Field, Outcomes, Summary};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, File, HtmlInputElement, HtmlSelectElement, MessageEvent, Window};

use crate::escape;
use crate::js::{get, get_f64, get_str, message, obj, to_js};

pub(crate) type Shared = Rc<RefCell<App>>;

/// What the user chose; the validator's options are made from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Choices {
    pub encoding: String,
    pub delimiter: String,
    pub header_line: String,
    pub timezone: String,
    pub strict: bool,
    /// Header → field name, or "ignore".
    pub mapping: BTreeMap<String, String>,
}

impl Choices {
    fn to_options(&self) -> JsValue {
        let mut pairs: Vec<(&str, JsValue)> = vec![("strict", self.strict.into())];
        if !self.encoding.is_empty() {
            pairs.push(("encoding", self.encoding.as_str().into()));
        }
        if !self.delimiter.is_empty() {
            pairs.push(("delimiter", self.delimiter.as_str().into()));
        }
        if let Ok(n) = self.header_line.trim().parse::<u32>() {
            pairs.push(("headerLine", n.into()));
        }
        if !self.timezone.trim().is_empty() {
            pairs.push(("timezone", self.timezone.trim().into()));
        }
        if !self.mapping.is_empty() {
            pairs.push(("mapping", to_js(&self.mapping)));
        }
        obj(&pairs)
    }
}

/// A finished validation.
#[derive(Debug, Clone)]
pub(crate) struct Done {
    pub sha256: String,
    pub rows: u64,
}

pub(crate) struct App {
    pub win: Window,
    pub doc: Document,
    pub worker: web_sys::Worker,
    worker_ready: bool,
    queued: Vec<JsValue>,
    pub file: Option<File>,
    pub job: f64,
    pub choices: Choices,
    pub summary: Option<Summary>,
    pub done: Option<Done>,
    /// The headers' mapping was looked up in localStorage for this file already.
    remembered_checked: bool,
    urls: Vec<String>,
    pub grid: grid::Grid,
    pub upload: upload::Upload,
    pub online: bool,
    /// Resolvers of promises waiting for the worker's `batch` answers, by sequence number.
    pub waiting: BTreeMap<u64, js_sys::Function>,
    /// Resolvers of promises waiting for the worker's `compare` answers, by request number.
    pub asks: BTreeMap<u64, js_sys::Function>,
    pub next_ask: u64,
    /// A comparison with the deliveries is running.
    pub comparing: bool,
    /// The rows are being made again under a new mapping (the file is not read again).
    remapping: bool,
    /// The file's SHA-256, once read to the end (a remap keeps it).
    digest: String,
    /// The step on screen: upload, map, review or import.
    step: &'static str,
    /// A file was just chosen: its first complete reading moves on to the mapping.
    advance: bool,
    started_at: f64,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("job", &self.job).finish()
    }
}

pub(crate) fn el(doc: &Document, id: &str) -> Option<Element> {
    doc.get_element_by_id(id)
}

pub(crate) fn set_html(doc: &Document, id: &str, html: &str) {
    if let Some(e) = el(doc, id) {
        e.set_inner_html(html);
    }
}

pub(crate) fn set_text(doc: &Document, id: &str, text: &str) {
    if let Some(e) = el(doc, id) {
        e.set_text_content(Some(text));
    }
}

pub(crate) fn show(doc: &Document, id: &str, visible: bool) {
    if let Some(e) = el(doc, id) {
        if visible {
            let _ = e.remove_attribute("hidden");
        } else {
            let _ = e.set_attribute("hidden", "");
        }
    }
}

/// Says `text` through the aria-live region.
pub(crate) fn announce(doc: &Document, text: &str) {
    set_text(doc, "announce", text);
}

pub(crate) fn input_value(doc: &Document, id: &str) -> String {
    input(doc, id).map(|i| i.value()).unwrap_or_default()
}

pub(crate) fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    el(doc, id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
}

pub(crate) fn checked(doc: &Document, id: &str) -> bool {
    input(doc, id).is_some_and(|i| i.checked())
}

fn select_value(e: &Element) -> String {
    e.clone()
        .dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

pub(crate) fn storage(win: &Window) -> Option<web_sys::Storage> {
    win.local_storage().ok().flatten()
}

pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn start() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let doc = win.document().ok_or("no document")?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("worker.js", &options)?;
    let app: Shared = Rc::new(RefCell::new(App {
        win: win.clone(),
        doc: doc.clone(),
        worker: worker.clone(),
        worker_ready: false,
        queued: Vec::new(),
        file: None,
        job: 0.0,
        choices: Choices::default(),
        summary: None,
        done: None,
        remembered_checked: false,
        urls: Vec::new(),
        grid: grid::Grid::default(),
        upload: upload::Upload::default(),
        online: true,
        waiting: BTreeMap::new(),
        asks: BTreeMap::new(),
        next_ask: 0,
        comparing: false,
        remapping: false,
        digest: String::new(),
        step: "upload",
        advance: false,
        started_at: 0.0,
    }));

    let a = app.clone();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| on_worker(&a, e.data()));
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let a = app.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let text = get_str(&e, "message");
        failed(&a, &format!("the validator could not start: {text}"));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();

    listen(&app, &doc, "change", on_change)?;
    listen(&app, &doc, "click", on_click)?;
    listen(&app, &doc, "keydown", on_keydown)?;
    listen(&app, &doc, "focusin", fill_field_options)?;
    listen(&app, &doc, "pointerdown", fill_field_options)?;
    if let Some(drop) = el(&doc, "drop") {
        listen(&app, &drop, "dragover", |_, e| e.prevent_default())?;
        listen(&app, &drop, "drop", on_drop)?;
    }
    grid::install(&app)?;
    let a = app.clone();
    let hash = Closure::<dyn FnMut()>::new(move || route(&a));
    win.set_onhashchange(Some(hash.as_ref().unchecked_ref()));
    hash.forget();

    // The page worked before the wasm: take over what the early script kept.
    let _ = js_sys::Reflect::set(&win, &"leadsiftReady".into(), &true.into());
    set_text(&doc, "loading", "");
    show(&doc, "loading", false);
    upload::restore(&app);
    route(&app);
    net::watch(&app);
    if let Ok(container) = js_sys::Reflect::get(&win.navigator(), &"serviceWorker".into())
        && !container.is_undefined()
    {
        let _ = win.navigator().service_worker().register("sw.js");
    }
    let pending = js_sys::Reflect::get(&win, &"leadsiftPending".into()).unwrap_or_default();
    if let Ok(file) = pending.dyn_into::<File>() {
        choose(&app, file);
    }
    Ok(())
}

fn listen<T: AsRef<web_sys::EventTarget>>(
    app: &Shared,
    target: &T,
    kind: &str,
    f: fn(&Shared, web_sys::Event),
) -> Result<(), JsValue> {
    let a = app.clone();
    let c = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| f(&a, e));
    target
        .as_ref()
        .add_event_listener_with_callback(kind, c.as_ref().unchecked_ref())?;
    c.forget();
    Ok(())
}

fn route(app: &Shared) {
    let (doc, hash) = {
        let a = app.borrow();
        (a.doc.clone(), a.win.location().hash().unwrap_or_default())
    };
    let history = hash == "#/history";
    show(&doc, "page-validate", !history);
    show(&doc, "page-history", history);
    for (id, on) in [("nav-validate", !history), ("nav-history", history)] {
        if let Some(e) = el(&doc, id) {
            if on {
                let _ = e.set_attribute("aria-current", "page");
            } else {
                let _ = e.remove_attribute("aria-current");
            }
        }
    }
    if history {
        history::load(app, None);
    }
    // A one-time notice in the banner (a discarded import) does not follow to another page.
    upload::render_controls(app);
}

fn target(e: &web_sys::Event) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

fn on_drop(app: &Shared, e: web_sys::Event) {
    e.prevent_default();
    let file = e
        .dyn_ref::<web_sys::DragEvent>()
        .and_then(|d| d.data_transfer())
        .and_then(|dt| dt.files())
        .and_then(|files| files.get(0));
    if let Some(f) = file {
        choose(app, f);
    }
}

fn on_keydown(app: &Shared, e: web_sys::Event) {
    let Some(t) = target(&e) else { return };
    // The drop zone is a label; Enter and Space on it open the picker as a click does.
    if t.id() == "drop"
        && let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>()
        && (k.key() == "Enter" || k.key() == " ")
    {
        e.prevent_default();
        if let Some(input) =
            el(&app.borrow().doc, "file").and_then(|i| i.dyn_into::<web_sys::HtmlElement>().ok())
        {
            input.click();
        }
    }
}

fn on_change(app: &Shared, e: web_sys::Event) {
    let Some(t) = target(&e) else { return };
    let id = t.id();
    match id.as_str() {
        "file" => {
            let file = t
                .dyn_ref::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            if let Some(f) = file {
                choose(app, f);
            }
        }
        "filter" | "raw" => grid::reset(app),
        "imp-strict" => {
            let strict = checked(&app.borrow().doc, "imp-strict");
            app.borrow_mut().choices.strict = strict;
            remap(app);
        }
        "imp-dry" => upload::render_controls(app),
        _ => {
            if let Some(header) = t.get_attribute("data-header") {
                let value = select_value(&t);
                set_mapping(app, &header, &value);
            }
        }
    }
}

fn on_click(app: &Shared, e: web_sys::Event) {
    let Some(t) = target(&e) else { return };
    let t = t.closest("[data-action]").ok().flatten().unwrap_or(t);
    let action = t.get_attribute("data-action").unwrap_or_default();
    match action.as_str() {
        "apply-detected" => {
            let doc = app.borrow().doc.clone();
            let select = |id: &str| el(&doc, id).map(|e| select_value(&e)).unwrap_or_default();
            {
                let mut a = app.borrow_mut();
                a.choices.encoding = select("ov-encoding");
                a.choices.delimiter = select("ov-delimiter");
                a.choices.header_line = input_value(&doc, "ov-header");
                a.choices.timezone = input_value(&doc, "ov-timezone");
            }
            rerun(app);
        }
        "use-suggestion" => {
            let header = t.get_attribute("data-header").unwrap_or_default();
            let field = t.get_attribute("data-field").unwrap_or_default();
            set_mapping(app, &header, &field);
        }
        "forget-mapping" => {
            let key = headers_key_of(app);
            if let (Some(s), Some(k)) = (storage(&app.borrow().win), key) {
                let _ = s.remove_item(&k);
            }
            app.borrow_mut().choices.mapping.clear();
            remap(app);
        }
        "import" => upload::begin(app, false),
        "resume" => upload::begin(app, true),
        "stop" => upload::stop(app),
        "discard" => upload::discard(app),
        "history-more" => {
            let before = t
                .get_attribute("data-before")
                .and_then(|b| b.parse::<i64>().ok());
            history::load(app, before);
        }
        "history-refresh" => history::load(app, None),
        "make-returns" => make_returns(app),
        "step" => {
            if let Some(step) = t.get_attribute("data-step") {
                go(app, &step, true);
            }
        }
        "filter-code" => {
            if let Some(code) = t.get_attribute("data-code") {
                let doc = app.borrow().doc.clone();
                if let Some(sel) =
                    el(&doc, "filter").and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
                {
                    sel.set_value(&format!("code:{code}"));
                }
                grid::reset(app);
                if let Some(p) = el(&doc, "preview") {
                    p.scroll_into_view();
                }
            }
        }
        "forget-edits" => {
            let job = app.borrow().job;
            let m = obj(&[("type", "forget_edits".into()), ("job", job.into())]);
            send(app, m);
        }
        "bulk-replace" => grid::bulk(app, false),
        "bulk-clear" => grid::bulk(app, true),
        "download" => {
            let kind = t.get_attribute("data-kind").unwrap_or_default();
            let (doc, job) = {
                let a = app.borrow();
                (a.doc.clone(), a.job)
            };
            set_text(
                &doc,
                "dl-said",
                "Making the file from the rows as they now stand…",
            );
            let m = obj(&[
                ("type", "download".into()),
                ("job", job.into()),
                ("kind", kind.into()),
            ]);
            send(app, m);
        }
        "compare" => compare::begin(app),
        "compare-filter" => {
            if let Some(class) = t.get_attribute("data-class") {
                compare::filter(app, &class);
            }
        }
        "errors-csv" => {
            if let Some(run) = t.get_attribute("data-run").and_then(|r| r.parse().ok()) {
                history::errors_csv(app, run);
            }
        }
        _ => {}
    }
}

fn headers_key_of(app: &Shared) -> Option<String> {
    let a = app.borrow();
    let mapping = a.summary.as_ref()?.mapping.as_ref()?;
    let headers: Vec<String> = mapping.columns.iter().map(|c| c.header.clone()).collect();
    Some(crate::headers_key(&headers))
}

fn set_mapping(app: &Shared, header: &str, value: &str) {
    {
        let mut a = app.borrow_mut();
        let detected = a
            .summary
            .as_ref()
            .and_then(|s| s.mapping.as_ref())
            .and_then(|m| m.columns.iter().find(|c| c.header == header))
            .map(|c| c.field.map(|f| f.name().to_owned()).unwrap_or_default());
        // Choosing what the column maps to already is no change; "" is "no field", which the
        // core calls "extra".
        if detected.as_deref() == Some(value) {
            a.choices.mapping.remove(header);
        } else {
            let target = if value.is_empty() { "extra" } else { value };
            a.choices
                .mapping
                .insert(header.to_owned(), target.to_owned());
        }
    }
    if let Some(key) = headers_key_of(app) {
        let a = app.borrow();
        if let Some(s) = storage(&a.win) {
            if a.choices.mapping.is_empty() {
                let _ = s.remove_item(&key);
            } else if let Ok(text) = serde_json::to_string(&a.choices.mapping) {
                let _ = s.set_item(&key, &text);
            }
        }
    }
    remap(app);
}

/// The sections that describe a file's reading: hidden and emptied when another file is chosen
/// or a file cannot be read, so that nothing of an earlier file stays on screen.
const FILE_SECTIONS: [&str; 3] = ["detected", "mapping", "summary"];

fn clear_file_sections(doc: &web_sys::Document) {
    for id in FILE_SECTIONS {
        if id != "summary" {
            set_html(doc, id, "");
        }
        show(doc, id, false);
    }
}

/// The four steps of an import, each a screen: (name, what the step bar and the announcement
/// call it, the heading that takes the focus).
const STEPS: [(&str, &str, &str); 4] = [
    ("upload", "Upload a file", "h-file"),
    ("map", "Map the columns", "h-map"),
    ("review", "Review and fix", "h-summary"),
    ("import", "Import", "h-import"),
];

/// Shows step `step`'s screen (when it may be shown: the later steps need a file read to the
/// end); `focus` moves the keyboard focus to its heading and announces it.
pub(crate) fn go(app: &Shared, step: &str, focus: bool) {
    let Some(n) = STEPS.iter().position(|(name, _, _)| *name == step) else {
        return;
    };
    let (doc, ready) = {
        let a = app.borrow();
        (a.doc.clone(), a.done.is_some())
    };
    if n > 0 && !ready {
        return;
    }
    app.borrow_mut().step = STEPS[n].0;
    for (i, (name, _, _)) in STEPS.iter().enumerate() {
        if let Ok(Some(screen)) = doc.query_selector(&format!("[data-screen=\"{name}\"]")) {
            if i == n {
                let _ = screen.remove_attribute("hidden");
            } else {
                let _ = screen.set_attribute("hidden", "");
            }
        }
        if let Some(b) = el(&doc, &format!("step-{name}")) {
            if i == n {
                let _ = b.set_attribute("aria-current", "step");
            } else {
                let _ = b.remove_attribute("aria-current");
            }
            let _ = b.set_attribute("class", if i < n { "done" } else { "" });
        }
    }
    if focus {
        if let Some(h) =
            el(&doc, STEPS[n].2).and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = h.focus();
        }
        announce(&doc, &format!("Step {} of 4: {}.", n + 1, STEPS[n].1));
    }
    if STEPS[n].0 == "review" {
        grid::reset(app);
    }
}

/// Enables the steps after the upload once the file is read to the end, and disables them
/// while it is not.
fn enable_steps(app: &Shared) {
    let (doc, ready) = {
        let a = app.borrow();
        (a.doc.clone(), a.done.is_some())
    };
    if let Ok(list) = doc.query_selector_all("[data-action=step]") {
        for i in 0..list.length() {
            if let Some(b) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let later = b.get_attribute("data-step").as_deref() != Some("upload");
                if later && !ready {
                    let _ = b.set_attribute("disabled", "");
                } else {
                    let _ = b.remove_attribute("disabled");
                }
            }
        }
    }
}

/// A file was chosen or dropped: everything shown of the previous one goes.
pub(crate) fn choose(app: &Shared, file: File) {
    clear_file_sections(&app.borrow().doc.clone());
    net::check_now(app);
    {
        let mut a = app.borrow_mut();
        a.advance = true;
        a.file = Some(file);
        a.remembered_checked = false;
        a.choices.mapping.clear();
        a.choices.encoding.clear();
        a.choices.delimiter.clear();
        a.choices.header_line.clear();
    }
    rerun(app);
}

/// Makes the rows again under the current mapping and strictness from what the worker kept,
/// without reading the file again (reading it again when it has not been read to the end).
pub(crate) fn remap(app: &Shared) {
    if app.borrow().done.is_none() {
        return rerun(app);
    }
    let (doc, message) = {
        let mut a = app.borrow_mut();
        // An import of the rows as they were stops at its next batch.
        a.upload.stop_for_new_file();
        a.job += 1.0;
        a.done = None;
        a.remapping = true;
        a.started_at = crate::js::now();
        let m = obj(&[
            ("type", "remap".into()),
            ("job", a.job.into()),
            ("options", a.choices.to_options()),
        ]);
        (a.doc.clone(), m)
    };
    set_text(&doc, "progress-text", "Mapping the rows again…");
    send(app, message);
    compare::reset(app);
    upload::render_controls(app);
}

/// Validates the chosen file again with the current choices.
pub(crate) fn rerun(app: &Shared) {
    let (doc, message) = {
        let mut a = app.borrow_mut();
        let Some(file) = a.file.clone() else { return };
        // An import of the previous rows stops at its next batch (and can be resumed).
        a.upload.stop_for_new_file();
        a.job += 1.0;
        a.summary = None;
        a.done = None;
        a.remapping = false;
        a.digest.clear();
        a.started_at = crate::js::now();
        for url in a.urls.drain(..) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        let m = obj(&[
            ("type", "validate".into()),
            ("job", a.job.into()),
            ("file", file.clone().into()),
            ("options", a.choices.to_options()),
        ]);
        set_text(
            &a.doc,
            "file-name",
            &format!("{} ({} bytes)", file.name(), thousands(file.size() as u64)),
        );
        (a.doc.clone(), m)
    };
    show(&doc, "progress-wrap", true);
    show(&doc, "downloads", false);
    show(&doc, "forget-edits", false);
    enable_steps(app);
    if app.borrow().advance {
        go(app, "upload", false);
    }
    set_text(&doc, "progress-text", "Reading…");
    set_html(&doc, "issues-by-code", "");
    send(app, message);
    compare::reset(app);
    grid::reset(app);
    upload::render_controls(app);
}

pub(crate) fn send(app: &Shared, m: JsValue) {
    let mut a = app.borrow_mut();
    if a.worker_ready {
        let _ = a.worker.post_message(&m);
    } else {
        a.queued.push(m);
    }
}

fn failed(app: &Shared, text: &str) {
    let doc = app.borrow().doc.clone();
    // An unreadable file has no reading, mapping, counts or rows to show, and nothing to import.
    {
        let mut a = app.borrow_mut();
        a.summary = None;
        a.done = None;
        a.advance = false;
    }
    clear_file_sections(&doc);
    enable_steps(app);
    go(app, "upload", false);
    show(&doc, "preview", false);
    show(&doc, "downloads", false);
    // A full bar would read as done.
    if let Some(p) = el(&doc, "progress") {
        let _ = p.set_attribute("value", "0");
    }
    upload::render_controls(app);
    set_html(
        &doc,
        "progress-text",
        &format!("<strong class=\"error\">{}</strong>", escape(text)),
    );
    announce(&doc, text);
}

fn on_worker(app: &Shared, m: JsValue) {
    let kind = get_str(&m, "type");
    if kind == "ready" {
        let mut a = app.borrow_mut();
        a.worker_ready = true;
        for q in std::mem::take(&mut a.queued) {
            let _ = a.worker.post_message(&q);
        }
        return;
    }
    if kind == "page" {
        return grid::on_page(app, &m);
    }
    if kind == "returns" {
        return on_returns(app, &m);
    }
    if kind == "compare" {
        return compare::on_answer(app, &m);
    }
    if kind == "download" {
        return on_download(app, &m);
    }
    if kind == "samples" {
        return on_samples(app, &m);
    }
    if matches!(kind.as_str(), "edited" | "restored" | "forgotten") {
        return grid::on_edited(app, &m);
    }
    if kind == "batch" {
        let seq = get_f64(&m, "seq") as u64;
        let resolve = app.borrow_mut().waiting.remove(&seq);
        if let Some(f) = resolve {
            let _ = f.call1(&JsValue::NULL, &m);
        }
        return;
    }
    let job = get_f64(&m, "job");
    if job != app.borrow().job {
        return; // an answer to a job that was replaced
    }
    match kind.as_str() {
        "progress" | "done" => {
            let summary: Summary =
                serde_wasm_bindgen::from_value(get(&m, "summary")).unwrap_or_default();
            let first = app
                .borrow()
                .summary
                .as_ref()
                .and_then(|s| s.mapping.as_ref())
                .is_none()
                && summary.mapping.is_some();
            app.borrow_mut().summary = Some(summary);
            if first && remember(app) {
                return; // validating again with the remembered mapping
            }
            // The mapping is known from the first rows on and does not change after, but for
            // a remap: render it then (it is the largest section). What was detected gains its
            // row count.
            let remapped = get(&m, "remapped").as_bool() == Some(true);
            if first || (remapped && kind == "done") {
                render_mapping(app);
            }
            if first || kind == "done" {
                render_detected(app);
            }
            render_counts(app, &m, kind == "done");
            if kind == "done" {
                finished(app, &m);
            } else {
                grid::refresh_if_short(app);
            }
        }
        "error" => failed(app, &get_str(&m, "message")),
        _ => {}
    }
}

/// Applies the mapping remembered for these headers, once per file. True when validation was
/// restarted with it.
fn remember(app: &Shared) -> bool {
    if app.borrow().remembered_checked {
        return false;
    }
    app.borrow_mut().remembered_checked = true;
    let Some(key) = headers_key_of(app) else {
        return false;
    };
    let saved = storage(&app.borrow().win)
        .and_then(|s| s.get_item(&key).ok().flatten())
        .and_then(|text| serde_json::from_str::<BTreeMap<String, String>>(&text).ok());
    match saved {
        Some(m) if !m.is_empty() && m != app.borrow().choices.mapping => {
            app.borrow_mut().choices.mapping = m;
            rerun(app);
            true
        }
        _ => false,
    }
}

fn delimiter_name(d: &str) -> String {
    match d {
        "," => "comma (,)".to_owned(),
        ";" => "semicolon (;)".to_owned(),
        "\t" => "tab".to_owned(),
        "|" => "pipe (|)".to_owned(),
        other => format!("{other:?}"),
    }
}

fn options_html(choices: &[(&str, &str)], selected: &str) -> String {
    choices
        .iter()
        .map(|(value, label)| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                escape(value),
                if *value == selected { " selected" } else { "" },
                escape(label)
            )
        })
        .collect()
}

fn render_detected(app: &Shared) {
    let a = app.borrow();
    let Some(summary) = &a.summary else { return };
    let c = &a.choices;
    let facts = match &summary.sniffed {
        Some(s) => format!(
            "<dl class=\"facts\">\
             <dt>Encoding</dt><dd id=\"det-encoding\">{}{}{} <small>({})</small></dd>\
             <dt>Delimiter</dt><dd id=\"det-delimiter\">{} <small>({})</small></dd>\
             <dt>Header row</dt><dd id=\"det-header\">line {} <small>({})</small></dd>\
             <dt>Line endings</dt><dd>{}</dd>\
             <dt>Rows read</dt><dd id=\"rows-read\">{}</dd></dl>",
            escape(&s.encoding),
            if s.bom { ", with BOM" } else { "" },
            if s.gzip { ", gzip" } else { "" },
            s.encoding_source.as_str(),
            escape(&delimiter_name(&s.delimiter)),
            s.delimiter_source.as_str(),
            s.header_line,
            s.header_source.as_str(),
            s.line_endings.as_str(),
            thousands(summary.rows),
        ),
        None => "<p>Nothing detected yet.</p>".to_owned(),
    };
    let encodings = [
        ("", "detect"),
        ("utf-8", "UTF-8"),
        ("utf-16le", "UTF-16LE"),
        ("utf-16be", "UTF-16BE"),
        ("windows-1252", "Windows-1252 / Latin-1"),
        ("macintosh", "Mac Roman (Excel CSV Macintosh)"),
        ("ibm437", "Code page 437 (Excel CSV MS-DOS)"),
        ("iso-8859-15", "ISO-8859-15 / Latin-9"),
    ];
    let delimiters = [
        ("", "detect"),
        (",", "comma (,)"),
        (";", "semicolon (;)"),
        ("\t", "tab"),
        ("|", "pipe (|)"),
    ];
    let html = format!(
        "<h2>Detected</h2>{facts}\
         <fieldset><legend>Overrides</legend>\
         <label>Encoding <select id=\"ov-encoding\">{}</select></label> \
         <label>Delimiter <select id=\"ov-delimiter\">{}</select></label> \
         <label>Header line <input id=\"ov-header\" type=\"number\" min=\"1\" inputmode=\"numeric\" placeholder=\"detect\" value=\"{}\"></label> \
         <label>Time zone <input id=\"ov-timezone\" type=\"text\" placeholder=\"UTC\" value=\"{}\" size=\"16\"></label> \
         <button type=\"button\" data-action=\"apply-detected\">Validate again</button></fieldset>",
        options_html(&encodings, &c.encoding),
        options_html(&delimiters, &c.delimiter),
        escape(&c.header_line),
        escape(&c.timezone),
    );
    set_html(&a.doc, "detected", &html);
    show(&a.doc, "detected", true);
}

fn match_text(c: &leadsift_core::mapping::Column) -> String {
    let pct = |x: f32| format!("{}%", crate::fixed(f64::from(x) * 100.0, 0));
    match c.matched {
        MatchKind::Exact => "exact".to_owned(),
        MatchKind::Alias => "alias".to_owned(),
        MatchKind::Fuzzy => format!("fuzzy, {} confidence", pct(c.confidence)),
        MatchKind::Override => "your choice".to_owned(),
        MatchKind::Duplicate => "a field named twice: kept as a custom column".to_owned(),
        MatchKind::Component => "part of a field: kept as a custom column".to_owned(),
        MatchKind::Unmapped => "no field: kept as a custom column".to_owned(),
    }
}

/// The options of a mapping select: no field, ignore, then (when `all`) every field; the
/// current choice selected and always present.
fn field_options(current: &str, all: bool) -> String {
    let option = |value: &str, label: &str| {
        format!(
            "<option value=\"{value}\"{}>{label}</option>",
            if current == value { " selected" } else { "" }
        )
    };
    let mut html = option("", "Keep as a custom column") + &option("ignore", "Ignore (no field)");
    for f in Field::ALL {
        if all || current == f.name() {
            html.push_str(&option(f.name(), &format!("{} · {}", f.label(), f.name())));
        }
    }
    html
}

/// Gives a mapping select every field when it first takes focus.
fn fill_field_options(_: &Shared, e: web_sys::Event) {
    let Some(t) = target(&e) else { return };
    if t.has_attribute("data-lazy") {
        let current = select_value(&t);
        t.set_inner_html(&field_options(&current, true));
        let _ = t.remove_attribute("data-lazy");
    }
}

fn render_mapping(app: &Shared) {
    let a = app.borrow();
    let Some(mapping) = a.summary.as_ref().and_then(|s| s.mapping.as_ref()) else {
        return;
    };
    let mut rows = String::new();
    for (i, c) in mapping.columns.iter().enumerate() {
        let chosen = a.choices.mapping.get(&c.header).cloned();
        let current = chosen
            .clone()
            .filter(|t| t != "extra")
            .unwrap_or_else(|| c.field.map(|f| f.name().to_owned()).unwrap_or_default());
        // Each select starts with its current choice only; the other fields are added when it
        // takes focus (`fill_field_options`): thousands of options slow the first render.
        let options = field_options(&current, false);
        let suggestion = match (&c.suggestion, c.field) {
            (Some((f, conf)), None) if chosen.is_none() => format!(
                " <button type=\"button\" class=\"link\" data-action=\"use-suggestion\" data-header=\"{}\" data-field=\"{}\">use suggestion: {} ({}%)</button>",
                escape(&c.header),
                f.name(),
                f.name(),
                crate::fixed(f64::from(*conf) * 100.0, 0)
            ),
            _ => String::new(),
        };
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td id=\"samples-{i}\" class=\"samples\"></td><td><label class=\"sr-only\" for=\"map-{i}\">Field for column {}</label>\
             <select id=\"map-{i}\" data-header=\"{}\" data-lazy>{options}</select></td><td class=\"match-{}\">{}{suggestion}</td></tr>",
            escape(&c.header),
            escape(&c.header),
            escape(&c.header),
            serde_json::to_string(&c.matched).unwrap_or_default().trim_matches('"'),
            escape(&match_text(c)),
        ));
    }
    // Your choices, by name, with the way back to what was detected.
    let remembered = if a.choices.mapping.is_empty() {
        String::new()
    } else {
        let which: Vec<String> = a
            .choices
            .mapping
            .iter()
            .map(|(header, target)| {
                let to = match Field::from_name(target) {
                    Some(f) => f.label().to_owned(),
                    None => "a custom column".to_owned(),
                };
                format!("<b>{}</b> → {}", escape(header), escape(&to))
            })
            .collect();
        format!(
            "<p id=\"your-mapping\" class=\"callout warn\" role=\"status\">Your choices, remembered for files with these headers: {}. \
             <button type=\"button\" class=\"secondary\" data-action=\"forget-mapping\">Undo: use what was detected</button></p>",
            which.join(", ")
        )
    };
    // A field named by two columns: the second one's cells are kept as a custom column.
    let twice: Vec<String> = mapping
        .columns
        .iter()
        .filter(|c| c.matched == MatchKind::Duplicate)
        .map(|c| format!("<b>{}</b>", escape(&c.header)))
        .collect();
    let remembered = if twice.is_empty() {
        remembered
    } else {
        format!(
            "{remembered}<p id=\"mapped-twice\" class=\"callout warn\" role=\"status\">{} {} a field an earlier column already has: {} cells are kept as custom columns. Choose another field if they are not the same thing.</p>",
            twice.join(", "),
            if twice.len() == 1 { "names" } else { "name" },
            if twice.len() == 1 { "its" } else { "their" }
        )
    };
    // Hard to miss, and blocking nothing: what the mapped fields allow as identity.
    let identity = match mapping.identity().warning() {
        Some(w) => format!(
            "<p id=\"identity-warning\" class=\"callout {}\" role=\"alert\">{}</p>",
            if mapping.identity() == leadsift_core::mapping::Identity::None {
                "bad"
            } else {
                "warn"
            },
            escape(&sentence(w))
        ),
        None => String::new(),
    };
    let html = format!(
        "<h2 id=\"h-map\" tabindex=\"-1\">Map the columns</h2>{identity}{remembered}<div class=\"table-scroll\"><table class=\"mapping\"><thead><tr><th scope=\"col\">Column</th>\
         <th scope=\"col\">Sample values</th><th scope=\"col\">Field</th><th scope=\"col\">How it was matched</th></tr></thead><tbody>{rows}</tbody></table></div>"
    );
    set_html(&a.doc, "mapping", &html);
    show(&a.doc, "mapping", true);
}

fn render_counts(app: &Shared, m: &JsValue, done: bool) {
    let a = app.borrow();
    let Some(s) = &a.summary else { return };
    let total = get_f64(m, "total").max(get_f64(m, "bytes"));
    let bytes = if done { total } else { get_f64(m, "bytes") };
    if let Some(p) = el(&a.doc, "progress") {
        let _ = p.set_attribute(
            "value",
            &format!("{}", if total > 0.0 { bytes / total } else { 1.0 }),
        );
    }
    let secs = ((crate::js::now() - a.started_at) / 1000.0).max(0.001);
    let text = if a.remapping && done {
        format!(
            "Mapped the {} rows again in {} s, without reading the file again.",
            thousands(s.rows),
            crate::fixed(secs, 1)
        )
    } else if a.remapping {
        format!(
            "Mapping the rows again… {} of {} rows",
            thousands(bytes as u64),
            thousands(total as u64)
        )
    } else {
        format!(
            "{} {} of {} bytes, {} rows ({} rows/s)",
            if done { "Validated" } else { "Validating…" },
            thousands(bytes as u64),
            thousands(total as u64),
            thousands(s.rows),
            thousands((s.rows as f64 / secs).round() as u64)
        )
    };
    set_text(&a.doc, "progress-text", &text);
    drop(a);
    render_totals(app, done);
}

/// The counts and, once every row is counted, the issues by code and the notes.
pub(crate) fn render_counts_done(app: &Shared) {
    render_totals(app, true);
}

fn render_totals(app: &Shared, done: bool) {
    let a = app.borrow();
    let Some(s) = &a.summary else { return };
    set_text(&a.doc, "rows-read", &thousands(s.rows));
    for (id, n) in [
        ("n-rows", s.rows),
        ("n-valid", s.valid),
        ("n-warning", s.warning),
        ("n-rejected", s.rejected),
        ("n-duplicates", s.duplicates),
        ("n-blank", s.blank),
        ("n-preamble", s.preamble),
    ] {
        set_text(&a.doc, id, &thousands(n));
    }
    show(&a.doc, "summary", true);
    if done {
        // Most frequent first; each code a button that shows its rows.
        let mut codes: Vec<(&leadsift_core::IssueCode, &u64)> = s.issues.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut rows = String::new();
        for (code, n) in &codes {
            rows.push_str(&format!(
                "<tr><td><button type=\"button\" class=\"link\" data-action=\"filter-code\" data-code=\"{0}\" title=\"Show the rows with this issue\">{1}</button></td><td class=\"sev-{2}\">{3}</td><td class=\"num\">{4}</td></tr>",
                code.as_str(),
                escape(&grid::code_words(code.as_str())),
                code.severity().as_str(),
                code.effect(a.choices.strict),
                thousands(**n)
            ));
        }
        fill_filters(&a.doc, s);
        let notes: String = s
            .notes
            .iter()
            .map(|n| format!("<li>{}</li>", escape(n)))
            .collect();
        set_html(
            &a.doc,
            "issues-by-code",
            &format!(
                "{}{}",
                if rows.is_empty() {
                    "<p>No issues.</p>".to_owned()
                } else {
                    format!(
                        "<p class=\"muted legend\">A row is <b>valid</b> with no issue; a <b>warning</b> when an issue left a value out or added a note (it is imported, the value left out empty); <b>rejected</b> when an issue rejects it (it is not imported).</p>\
                         <table><caption>Issues by code</caption><thead><tr><th scope=\"col\">Issue</th><th scope=\"col\">What it does</th><th scope=\"col\">Count</th></tr></thead><tbody>{rows}</tbody></table>"
                    )
                },
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("<ul class=\"notes\">{notes}</ul>")
                }
            ),
        );
    }
}

fn finished(app: &Shared, m: &JsValue) {
    let (doc, announce_text) = {
        let mut a = app.borrow_mut();
        let sha = get_str(m, "sha256");
        if !sha.is_empty() {
            a.digest = sha;
        }
        a.remapping = false;
        a.done = Some(Done {
            sha256: a.digest.clone(),
            rows: get_f64(m, "rows") as u64,
        });
        // The file's identity (what an import is resumed by) on its Detected panel, and what
        // the worker spent the reading on (milliseconds waiting for the file, hashing it or
        // waiting for the hashing worker's digest once the rows were made, making and keeping
        // the rows, telling the page, and the hashing worker's own time), which the bench
        // reports.
        if let Some(panel) = a.doc.get_element_by_id("detected") {
            let _ = panel.set_attribute("data-sha256", &a.digest);
            let spent = crate::js::get(m, "spent");
            if spent.is_object() {
                let part = |k: &str| crate::js::get(&spent, k).as_f64().unwrap_or(0.0);
                let text = ["wait", "hash", "rows", "tell", "hashed_beside"]
                    .map(|k| crate::fixed(part(k), 0))
                    .join(" ");
                let _ = panel.set_attribute("data-spent", &text);
            } else {
                let _ = panel.remove_attribute("data-spent");
            }
        }
        let s = a.summary.clone().unwrap_or_default();
        (
            a.doc.clone(),
            format!(
                "Validated {} rows: {} valid, {} with warnings, {} rejected, {} duplicates, {} blank.",
                thousands(s.rows),
                thousands(s.valid),
                thousands(s.warning),
                thousands(s.rejected),
                thousands(s.duplicates),
                thousands(s.blank)
            ),
        )
    };
    render_return_codes(app);
    let job = app.borrow().job;
    send(app, obj(&[("type", "samples".into()), ("job", job.into())]));
    show(&doc, "downloads", true);
    enable_steps(app);
    // A file just chosen and read moves on to its mapping, or to its interrupted import.
    let mut said = announce_text;
    if std::mem::take(&mut app.borrow_mut().advance) {
        let (next, step) = if upload::resumable(app) {
            (
                "import",
                " Step 4 of 4: Import, to resume the interrupted import.",
            )
        } else {
            ("map", " Step 2 of 4: Map the columns.")
        };
        go(app, next, false);
        said.push_str(step);
    }
    announce(&doc, &said);
    grid::reset(app);
    upload::render_controls(app);
}

/// The reasons a returns file may give: the usual ones (checked) and every other issue of
/// this file, each with how many rows have it.
pub(crate) fn render_return_codes(app: &Shared) {
    use leadsift_core::returns::{DEFAULT_RETURN_CODES, ReturnCode};
    let a = app.borrow();
    let issues = a
        .summary
        .as_ref()
        .map(|s| s.issues.clone())
        .unwrap_or_default();
    let mut html = String::new();
    // The usual reasons first (checked), then the other issues this file has.
    let others = ReturnCode::all().filter(|c| !DEFAULT_RETURN_CODES.contains(c));
    for code in DEFAULT_RETURN_CODES.into_iter().chain(others) {
        let usual = DEFAULT_RETURN_CODES.contains(&code);
        let count = match code {
            ReturnCode::Issue(c) => Some(issues.get(&c).copied().unwrap_or(0)),
            _ => None,
        };
        if !usual && count.unwrap_or(0) == 0 {
            continue;
        }
        let label = code.name().replace('_', " ");
        let count = count.map_or(String::new(), |n| {
            format!(" ({} row{})", thousands(n), if n == 1 { "" } else { "s" })
        });
        html.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"return-code\" value=\"{}\"{}> {}{}</label>",
            code.name(),
            if usual { " checked" } else { "" },
            escape(&label),
            count
        ));
    }
    set_html(&a.doc, "return-codes", &html);
    show(&a.doc, "dl-returns", false);
    set_text(&a.doc, "returns-said", "");
}

/// Asks the worker for the returns file of the checked reasons.
fn make_returns(app: &Shared) {
    let (doc, job) = {
        let a = app.borrow();
        (a.doc.clone(), a.job)
    };
    let mut codes = Vec::new();
    if let Ok(list) = doc.query_selector_all("input[name=return-code]:checked") {
        for i in 0..list.length() {
            if let Some(v) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                codes.push(v.value());
            }
        }
    }
    // The file of the last choice goes until the new one is made.
    show(&doc, "dl-returns", false);
    if codes.is_empty() {
        set_text(&doc, "returns-said", "Check at least one reason.");
        return;
    }
    set_text(&doc, "returns-said", "Making the returns file…");
    let m = obj(&[
        ("type", "returns".into()),
        ("job", job.into()),
        ("codes", codes.join(",").into()),
    ]);
    send(app, m);
}

/// The page and the chosen file's name without its extension, for the worker's answer `m`
/// to the current job (`None` for an answer to a job that was replaced).
fn answer_to_job(app: &Shared, m: &JsValue) -> Option<(Document, String)> {
    let a = app.borrow();
    if get_f64(m, "job") != a.job {
        return None;
    }
    let name = a.file.as_ref().map(|f| f.name()).unwrap_or_default();
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s.to_owned())
        .unwrap_or(name);
    Some((a.doc.clone(), stem))
}

fn on_returns(app: &Shared, m: &JsValue) {
    let Some((doc, stem)) = answer_to_job(app, m) else {
        return;
    };
    let error = get_str(m, "error");
    if !error.is_empty() {
        set_text(&doc, "returns-said", &error);
        return;
    }
    let returned = get_f64(m, "returned") as u64;
    let mut said = format!(
        "{} lead{} to return, {} of price.",
        thousands(returned),
        if returned == 1 { "" } else { "s" },
        get_str(m, "price")
    );
    let without = get_f64(m, "without_event_id") as u64;
    if without > 0 {
        said.push_str(&format!(
            " {} more {} no event id and cannot be returned (line{} {}).",
            thousands(without),
            if without == 1 { "has" } else { "have" },
            if without == 1 { "" } else { "s" },
            get_str(m, "lines")
        ));
    }
    set_text(&doc, "returns-said", &said);
    if let (Ok(blob), Some(a)) = (
        get(m, "blob").dyn_into::<web_sys::Blob>(),
        el(&doc, "dl-returns"),
    ) && let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob)
    {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", &format!("{stem}.returns.csv"));
        app.borrow_mut().urls.push(url);
        show(&doc, "dl-returns", true);
    }
}

/// The mapping's sample cells: up to three per column, each with what its field makes of it.
fn on_samples(app: &Shared, m: &JsValue) {
    let doc = app.borrow().doc.clone();
    if get_f64(m, "job") != app.borrow().job {
        return;
    }
    let columns: Vec<Vec<(String, Option<bool>, String)>> =
        serde_json::from_str(&get_str(m, "text")).unwrap_or_default();
    for (i, samples) in columns.iter().enumerate() {
        let html: String = samples
            .iter()
            .map(|(raw, ok, said)| match ok {
                Some(true) if said == raw => format!("<li>{}</li>", escape(raw)),
                Some(true) => format!(
                    "<li>{} <span aria-hidden=\"true\">→</span><span class=\"sr-only\">becomes</span> <b>{}</b></li>",
                    escape(raw),
                    escape(said)
                ),
                Some(false) => format!(
                    "<li class=\"error\">{} <span class=\"why\">({})</span></li>",
                    escape(raw),
                    escape(said)
                ),
                None => format!("<li>{}</li>", escape(raw)),
            })
            .collect();
        set_html(
            &doc,
            &format!("samples-{i}"),
            &if html.is_empty() {
                "<span class=\"muted\">empty</span>".to_owned()
            } else {
                format!("<ul class=\"samples\">{html}</ul>")
            },
        );
    }
}

/// A download the worker made: saved through a link made for it.
fn on_download(app: &Shared, m: &JsValue) {
    let Some((doc, stem)) = answer_to_job(app, m) else {
        return;
    };
    let error = get_str(m, "error");
    if !error.is_empty() {
        set_text(&doc, "dl-said", &sentence(&error));
        return;
    }
    let kind = get_str(m, "kind");
    if let Ok(blob) = get(m, "blob").dyn_into::<web_sys::Blob>()
        && let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob)
        && let Ok(link) = doc.create_element("a")
        && let Ok(link) = link.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", &format!("{stem}.{kind}.csv"));
        link.click();
        app.borrow_mut().urls.push(url);
        set_text(&doc, "dl-said", "");
    }
}

/// The grid's filter choices for this file: each issue code it has (with its count), each
/// mapped column, and the columns a bulk fix may change.
fn fill_filters(doc: &Document, s: &Summary) {
    let current = el(doc, "filter")
        .map(|e| select_value(&e))
        .unwrap_or_default();
    let mut codes = String::new();
    // The code being shown stays a choice when an edit has taken its last row (0 rows).
    for code in leadsift_core::IssueCode::ALL {
        let value = format!("code:{}", code.as_str());
        let n = s.issues.get(code).copied();
        if n.is_none() && current != value {
            continue;
        }
        codes.push_str(&format!(
            "<option value=\"{value}\"{}>{} ({})</option>",
            if current == value { " selected" } else { "" },
            escape(&grid::code_words(code.as_str())),
            thousands(n.unwrap_or(0))
        ));
    }
    set_html(doc, "filter-codes", &codes);
    show(doc, "filter-codes", !codes.is_empty());
    let mut columns = String::new();
    let mut bulk = String::new();
    if let Some(m) = &s.mapping {
        for c in &m.columns {
            let label = match c.field {
                Some(f) => format!("{} ({})", c.header, f.label()),
                None => c.header.clone(),
            };
            if c.index < 64 {
                let value = format!("column:{}", c.index);
                columns.push_str(&format!(
                    "<option value=\"{value}\"{}>{}</option>",
                    if current == value { " selected" } else { "" },
                    escape(&label)
                ));
            }
            bulk.push_str(&format!(
                "<option value=\"{}\">{}</option>",
                c.index,
                escape(&label)
            ));
        }
    }
    set_html(doc, "filter-columns", &columns);
    show(doc, "filter-columns", !columns.is_empty());
    let chosen = el(doc, "bulk-col")
        .map(|e| select_value(&e))
        .unwrap_or_default();
    set_html(doc, "bulk-col", &bulk);
    if let Some(sel) = el(doc, "bulk-col").and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
        && !chosen.is_empty()
    {
        sel.set_value(&chosen);
    }
}

/// A core message (lower-case, no period) as a sentence for the page.
pub(crate) fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// The outcome counts as a definition list, in the words of what an import did, or (`dry`)
/// of what it would do.
pub(crate) fn outcomes_html(o: &Outcomes, dry: bool) -> String {
    let (created, updated, rejected) = if dry {
        ("would create", "would update", "would reject")
    } else {
        ("created", "updated", "rejected")
    };
    format!(
        "<dl class=\"counts\"><dt>{created}</dt><dd>{}</dd><dt>{updated}</dt><dd>{}</dd><dt>unchanged</dt><dd>{}</dd>\
         <dt>already there</dt><dd>{}</dd><dt>{rejected}</dt><dd>{}</dd><dt>duplicates</dt><dd>{}</dd></dl>",
        thousands(o.created),
        thousands(o.updated),
        thousands(o.unchanged),
        thousands(o.existing),
        thousands(o.rejected),
        thousands(o.duplicates)
    )
}

pub(crate) fn error_text(e: &JsValue) -> String {
    message(e)
}
