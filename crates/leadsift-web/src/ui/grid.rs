//! The preview grid, virtualised: the rows stay in the worker's store; the page asks for the
//! window on screen and renders only it.
//!
//! The scroll container holds a spacer as tall as all rows (capped below the browser's maximum
//! element height, past which scroll positions are scaled) and a sticky table that always sits
//! in view; scrolling only changes which rows the table shows.
//!
//! Review and fix: a cell with an issue shows its value (the raw text when cleaning failed)
//! and the message in place; the line and status columns stay in view and the issues column
//! comes next. A cell is edited in place (Enter or a double click, Enter to keep, Escape to
//! leave it): the worker makes the row again through the core and the counts follow. The
//! arrow keys move between cells.

use std::collections::BTreeMap;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{Shared, announce, checked, el, set_html, set_text, show, thousands};
use crate::escape;
use crate::js::{get, get_f64, get_str, obj};

const ROW_H: f64 = 40.0;
const MAX_H: f64 = 30_000_000.0;

#[derive(Debug, Default)]
pub(crate) struct Grid {
    total: usize,
    req: f64,
    first: usize,
    shown: usize,
    frame_pending: bool,
    /// The rows on screen, for the text an edit starts from.
    rows: Vec<PageRow>,
    /// The cell being edited (row position, column), while its input is open.
    editing: Option<(usize, usize)>,
    /// The cell that has (or is to get back) the keyboard focus: row position, column.
    focus: Option<(usize, usize)>,
    /// A page that came while a cell was being edited: rendered when the edit ends.
    deferred: Option<JsValue>,
}

#[derive(Debug, Deserialize)]
struct IssueView {
    field: Option<String>,
    column: Option<String>,
    code: String,
    severity: String,
    message: String,
}

#[derive(Debug, Deserialize)]
struct RowView {
    line: u64,
    status: String,
    lead: BTreeMap<String, serde_json::Value>,
    issues: Vec<IssueView>,
    replaces_line: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct PageRow {
    /// The row's position among the file's rows (what an edit names).
    at: usize,
    row: RowView,
    /// The record's cells as read, header → text, in column order.
    #[serde(default)]
    raw: leadsift_core::wire::OrderedText,
    /// The person's edits: column and text.
    #[serde(default)]
    edits: Vec<(usize, String)>,
}

impl PageRow {
    /// The cell's text as it now stands: the edit, else as read.
    fn text(&self, column: usize) -> String {
        self.edits
            .iter()
            .rev()
            .find(|(c, _)| *c == column)
            .map(|(_, t)| t.clone())
            .or_else(|| self.raw.0.get(column).map(|(_, v)| v.clone()))
            .unwrap_or_default()
    }

    fn edited(&self, column: usize) -> bool {
        self.edits.iter().any(|(c, _)| *c == column)
    }
}

pub(crate) fn install(app: &Shared) -> Result<(), JsValue> {
    let doc = app.borrow().doc.clone();
    let Some(scroller) = el(&doc, "grid-scroll") else {
        return Ok(());
    };
    let a = app.clone();
    let on_scroll = Closure::<dyn FnMut()>::new(move || schedule(&a));
    scroller.add_event_listener_with_callback("scroll", on_scroll.as_ref().unchecked_ref())?;
    on_scroll.forget();
    let a = app.clone();
    let on_resize = Closure::<dyn FnMut()>::new(move || schedule(&a));
    app.borrow()
        .win
        .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref())?;
    on_resize.forget();
    let a = app.clone();
    let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e| on_key(&a, e));
    scroller.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())?;
    on_key.forget();
    let a = app.clone();
    let on_dbl = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Some(cell) = target_cell(&e) {
            open_editor(&a, cell.0, cell.1);
        }
    });
    scroller.add_event_listener_with_callback("dblclick", on_dbl.as_ref().unchecked_ref())?;
    on_dbl.forget();
    let a = app.clone();
    let on_focus = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Some(cell) = target_cell(&e) {
            a.borrow_mut().grid.focus = Some(cell);
        }
    });
    scroller.add_event_listener_with_callback("focusin", on_focus.as_ref().unchecked_ref())?;
    on_focus.forget();
    Ok(())
}

/// The cell (row position, column) an event happened in.
fn target_cell(e: &web_sys::Event) -> Option<(usize, usize)> {
    let t = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let td = t.closest("td[data-at]").ok()??;
    let at = td.get_attribute("data-at")?.parse().ok()?;
    let col = td.get_attribute("data-col")?.parse().ok()?;
    Some((at, col))
}

/// One page request per animation frame, however many scroll events came.
fn schedule(app: &Shared) {
    if app.borrow().grid.frame_pending {
        return;
    }
    app.borrow_mut().grid.frame_pending = true;
    let a = app.clone();
    let f = Closure::once_into_js(move || {
        a.borrow_mut().grid.frame_pending = false;
        request(&a);
    });
    let _ = app.borrow().win.request_animation_frame(f.unchecked_ref());
}

/// Starts over from the top: a new file, filter or view.
pub(crate) fn reset(app: &Shared) {
    let doc = app.borrow().doc.clone();
    if let Some(s) = el(&doc, "grid-scroll") {
        s.set_scroll_top(0);
    }
    {
        let mut a = app.borrow_mut();
        a.grid.total = 0;
        a.grid.editing = None;
        a.grid.deferred = None;
        a.grid.focus = None;
    }
    show(&doc, "preview", app.borrow().file.is_some());
    request(app);
}

/// While rows are still arriving, fills a window that is not full yet.
pub(crate) fn refresh_if_short(app: &Shared) {
    let short = {
        let g = &app.borrow().grid;
        g.shown < visible_rows(app) && g.shown < g.total.max(1) + 64
    };
    if short {
        request(app);
    }
}

fn visible_rows(app: &Shared) -> usize {
    let h = el(&app.borrow().doc, "grid-scroll")
        .map(|e| e.client_height())
        .unwrap_or(480);
    ((f64::from(h) / ROW_H).ceil() as usize).max(10)
}

fn spacer_height(total: usize) -> f64 {
    (total as f64 * ROW_H).min(MAX_H) + ROW_H
}

fn first_row(app: &Shared, total: usize, visible: usize) -> usize {
    let doc = app.borrow().doc.clone();
    let Some(s) = el(&doc, "grid-scroll") else {
        return 0;
    };
    let top = f64::from(s.scroll_top());
    let first = if total as f64 * ROW_H <= MAX_H {
        (top / ROW_H).floor()
    } else {
        let range = (spacer_height(total) - f64::from(s.client_height())).max(1.0);
        (top / range * (total.saturating_sub(visible)) as f64).floor()
    };
    (first.max(0.0) as usize).min(total.saturating_sub(1))
}

fn request(app: &Shared) {
    if app.borrow().file.is_none() {
        return;
    }
    let visible = visible_rows(app);
    let total = app.borrow().grid.total;
    let first = first_row(app, total, visible);
    let filter = el(&app.borrow().doc, "filter")
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_else(|| "all".to_owned());
    let m = {
        let mut a = app.borrow_mut();
        a.grid.req += 1.0;
        a.grid.first = first;
        obj(&[
            ("type", "page".into()),
            ("req", a.grid.req.into()),
            ("filter", filter.into()),
            ("from", (first as f64).into()),
            ("count", ((visible + 2) as f64).into()),
        ])
    };
    super::send(app, m);
}

pub(crate) fn on_page(app: &Shared, m: &JsValue) {
    if get_f64(m, "req") != app.borrow().grid.req {
        return;
    }
    // Not while a cell is being edited: its input would go.
    if app.borrow().grid.editing.is_some() {
        app.borrow_mut().grid.deferred = Some(m.clone());
        return;
    }
    let total = get_f64(m, "total") as usize;
    let rows: Vec<PageRow> = serde_json::from_str(&get_str(m, "rows")).unwrap_or_default();
    let raw_view = checked(&app.borrow().doc, "raw");
    let html = table(app, &rows, total, raw_view);
    let (doc, focus) = {
        let mut a = app.borrow_mut();
        let grew = a.grid.total != total;
        a.grid.total = total;
        a.grid.shown = rows.len();
        a.grid.rows = rows;
        let doc = a.doc.clone();
        if grew && let Some(s) = el(&doc, "grid-spacer") {
            let _ = s.set_attribute("style", &format!("height:{}px", spacer_height(total)));
        }
        (doc, a.grid.focus)
    };
    // The focus stays on its cell when the table is rendered again under it.
    let had_focus = doc
        .active_element()
        .is_some_and(|e| e.closest("#grid-table").ok().flatten().is_some());
    set_html(&doc, "grid-table", &html);
    set_text(
        &doc,
        "grid-count",
        &format!(
            "{} row{} match",
            thousands(total as u64),
            if total == 1 { "" } else { "s" }
        ),
    );
    // One cell is in the tab order: the focused one, else the first.
    let entry = focus
        .and_then(|(at, col)| cell_el(&doc, at, col))
        .or_else(|| {
            doc.query_selector("#grid-table td[data-at]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        });
    if let Some(td) = entry {
        td.set_tab_index(0);
    }
    if had_focus && let Some((at, col)) = focus {
        focus_cell(&doc, at, col);
    }
}

fn cell_el(doc: &web_sys::Document, at: usize, col: usize) -> Option<web_sys::HtmlElement> {
    doc.query_selector(&format!(
        "#grid-table td[data-at=\"{at}\"][data-col=\"{col}\"]"
    ))
    .ok()
    .flatten()
    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

fn focus_cell(doc: &web_sys::Document, at: usize, col: usize) -> bool {
    match cell_el(doc, at, col) {
        Some(td) => {
            let _ = td.focus();
            true
        }
        None => false,
    }
}

/// The arrow keys move between cells, Enter edits the cell, Escape leaves an edit.
fn on_key(app: &Shared, e: web_sys::KeyboardEvent) {
    let key = e.key();
    let in_editor = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|t| t.id() == "grid-editor");
    if in_editor {
        match key.as_str() {
            "Enter" => {
                e.prevent_default();
                commit(app, true);
            }
            "Escape" => {
                e.prevent_default();
                commit(app, false);
            }
            _ => {}
        }
        return;
    }
    let Some((at, col)) = target_cell(&e) else {
        return;
    };
    if key == "Enter" || key == "F2" {
        e.prevent_default();
        return open_editor(app, at, col);
    }
    let doc = app.borrow().doc.clone();
    let Some(td) = cell_el(&doc, at, col) else {
        return;
    };
    let next = match key.as_str() {
        "ArrowLeft" => td
            .previous_element_sibling()
            .filter(|s| s.has_attribute("data-at")),
        "ArrowRight" => td.next_element_sibling(),
        "ArrowUp" | "ArrowDown" => {
            let row = td.parent_element();
            let other = if key == "ArrowUp" {
                row.and_then(|r| r.previous_element_sibling())
            } else {
                row.and_then(|r| r.next_element_sibling())
            };
            match other {
                Some(r) => r
                    .query_selector(&format!("td[data-col=\"{col}\"]"))
                    .ok()
                    .flatten(),
                None => {
                    // At the window's edge: scroll a row; the focus follows on the next render.
                    e.prevent_default();
                    if let Some(s) = el(&doc, "grid-scroll") {
                        let step = if key == "ArrowUp" { -ROW_H } else { ROW_H };
                        s.set_scroll_top(s.scroll_top() + step as i32);
                    }
                    let rows_at: Vec<usize> = app.borrow().grid.rows.iter().map(|r| r.at).collect();
                    let i = rows_at.iter().position(|&r| r == at).unwrap_or(0);
                    let j = if key == "ArrowUp" {
                        i.checked_sub(1)
                    } else {
                        Some(i + 1)
                    };
                    if let Some(&target) = j.and_then(|j| rows_at.get(j)) {
                        app.borrow_mut().grid.focus = Some((target, col));
                    }
                    return;
                }
            }
        }
        _ => return,
    };
    if let Some(n) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
        e.prevent_default();
        let _ = n.focus();
    }
}

/// Opens an input over cell (`at`, `col`), holding the cell's text as it now stands.
fn open_editor(app: &Shared, at: usize, col: usize) {
    let doc = app.borrow().doc.clone();
    let text = {
        let a = app.borrow();
        match a.grid.rows.iter().find(|r| r.at == at) {
            Some(r) => r.text(col),
            None => return,
        }
    };
    let Some(td) = cell_el(&doc, at, col) else {
        return;
    };
    commit(app, false);
    let header = {
        let a = app.borrow();
        a.summary
            .as_ref()
            .and_then(|s| s.mapping.as_ref())
            .and_then(|m| m.columns.get(col))
            .map(|c| c.header.clone())
            .unwrap_or_default()
    };
    td.set_inner_html(&format!(
        "<input id=\"grid-editor\" type=\"text\" value=\"{}\" aria-label=\"New text for {} on this row; Enter keeps it, Escape leaves it\">",
        escape(&text),
        escape(&header)
    ));
    app.borrow_mut().grid.editing = Some((at, col));
    if let Some(input) = super::input(&doc, "grid-editor") {
        let _ = input.focus();
        input.select();
        let a = app.clone();
        let blur = Closure::once_into_js(move || commit(&a, true));
        let _ = input.add_event_listener_with_callback("blur", blur.unchecked_ref());
    }
}

/// Ends the edit under way: sends the new text to the worker when `keep` and it changed.
fn commit(app: &Shared, keep: bool) {
    let Some((at, col)) = app.borrow_mut().grid.editing.take() else {
        return;
    };
    let doc = app.borrow().doc.clone();
    let text = super::input_value(&doc, "grid-editor");
    let before = app
        .borrow()
        .grid
        .rows
        .iter()
        .find(|r| r.at == at)
        .map(|r| r.text(col));
    app.borrow_mut().grid.focus = Some((at, col));
    if keep && before.as_deref() != Some(text.as_str()) {
        set_text(&doc, "edit-said", "Checking the new value…");
        let job = app.borrow().job;
        let m = obj(&[
            ("type", "edit".into()),
            ("job", job.into()),
            ("row", (at as f64).into()),
            ("column", (col as f64).into()),
            ("text", text.into()),
        ]);
        super::send(app, m);
    }
    // The page that waited, or the same rows again, puts the cell back.
    let deferred = app.borrow_mut().grid.deferred.take();
    match deferred {
        Some(m) => on_page(app, &m),
        None => request(app),
    }
    focus_cell(&doc, at, col);
}

/// The worker's answer to an edit or a bulk fix: the counts and the rows on screen again.
pub(crate) fn on_edited(app: &Shared, m: &JsValue) {
    let doc = app.borrow().doc.clone();
    if get_f64(m, "job") != app.borrow().job {
        return;
    }
    let error = get_str(m, "error");
    if !error.is_empty() {
        set_text(&doc, "edit-said", &super::sentence(&error));
        set_text(&doc, "bulk-said", &super::sentence(&error));
        return;
    }
    let summary: Option<leadsift_core::Summary> =
        serde_wasm_bindgen::from_value(get(m, "summary")).ok();
    let Some(summary) = summary else { return };
    let n = get_f64(m, "changed") as u64;
    let cells = |n: u64| format!("{} cell{}", thousands(n), if n == 1 { "" } else { "s" });
    let kind = get_str(m, "type");
    let what = match kind.as_str() {
        "restored" => format!(
            "Your {} edited on an earlier visit to this file {} restored. ",
            cells(n),
            if n == 1 { "was" } else { "were" }
        ),
        "forgotten" => format!("Your edits of {} were undone. ", cells(n)),
        _ if get(m, "changed").is_undefined() => "Edit kept. ".to_owned(),
        _ => format!("{} changed. ", cells(n)),
    };
    let said = format!(
        "{what}Now {} valid, {} with warnings, {} rejected.",
        thousands(summary.valid),
        thousands(summary.warning),
        thousands(summary.rejected)
    );
    app.borrow_mut().summary = Some(summary);
    super::render_counts_done(app);
    super::render_return_codes(app);
    set_text(&doc, "edit-said", &said);
    if kind == "edited" && !get(m, "changed").is_undefined() {
        set_text(&doc, "bulk-said", &said);
    }
    show(&doc, "forget-edits", kind != "forgotten");
    announce(&doc, &said);
    request(app);
}

/// Sends a bulk fix of the chosen column: `clear` empties its invalid cells, else the text
/// in the find box is replaced.
pub(crate) fn bulk(app: &Shared, clear: bool) {
    let doc = app.borrow().doc.clone();
    let column = el(&doc, "bulk-col")
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .and_then(|s| s.value().parse::<f64>().ok());
    let Some(column) = column else {
        set_text(&doc, "bulk-said", "Choose a column.");
        return;
    };
    let find = super::input_value(&doc, "bulk-find");
    if !clear && find.is_empty() {
        set_text(&doc, "bulk-said", "Say what to replace.");
        return;
    }
    set_text(&doc, "bulk-said", "Changing the cells and counting again…");
    let job = app.borrow().job;
    let m = obj(&[
        ("type", "bulk".into()),
        ("job", job.into()),
        ("column", column.into()),
        ("clear", clear.into()),
        ("find", find.into()),
        ("with", super::input_value(&doc, "bulk-with").into()),
    ]);
    super::send(app, m);
}

/// One cell: its value (the raw text when cleaning failed), and in place what is wrong with it.
fn cell(at: usize, col: usize, value: &str, issues: &[&IssueView], edited: bool) -> String {
    let mut class = String::new();
    let mut why = String::new();
    if !issues.is_empty() {
        let error = issues.iter().any(|i| i.severity == "error");
        class.push_str(if error { "bad" } else { "warn" });
        let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        why = format!(
            "<span class=\"why\">{}</span>",
            escape(&super::sentence(&messages.join("; ")))
        );
    }
    let mark = if edited {
        class.push_str(" edited");
        "<span class=\"mark\" aria-hidden=\"true\">✎</span><span class=\"sr-only\"> (edited)</span>"
    } else {
        ""
    };
    format!(
        "<td data-at=\"{at}\" data-col=\"{col}\" tabindex=\"-1\" class=\"{}\"><span class=\"v\">{}</span>{mark}{why}</td>",
        class.trim(),
        escape(value)
    )
}

/// A field's value as the cleaned view shows it.
fn value_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// An issue code as words: `invalid_phone` → "invalid phone".
pub(crate) fn code_words(code: &str) -> String {
    code.replace('_', " ")
}

fn table(app: &Shared, rows: &[PageRow], total: usize, raw_view: bool) -> String {
    let a = app.borrow();
    let columns = a
        .summary
        .as_ref()
        .and_then(|s| s.mapping.as_ref())
        .map(|m| m.columns.clone())
        .unwrap_or_default();
    let shown: Vec<&leadsift_core::mapping::Column> = columns
        .iter()
        .filter(|c| raw_view || c.field.is_some())
        .collect();
    let mut head = String::from(
        "<th scope=\"col\" class=\"line\">Line</th><th scope=\"col\" class=\"st\">Row status</th><th scope=\"col\" class=\"issues\">Issues</th>",
    );
    for c in &shown {
        let name = match (raw_view, c.field) {
            (false, Some(f)) => f.label().to_owned(),
            _ => c.header.clone(),
        };
        head.push_str(&format!(
            "<th scope=\"col\" title=\"column {}: {}\">{}</th>",
            c.index + 1,
            escape(&c.header),
            escape(&name)
        ));
    }
    let mut body = String::new();
    for (n, r) in rows.iter().enumerate() {
        let row = &r.row;
        body.push_str(&format!(
            "<tr aria-rowindex=\"{}\" class=\"{}\"><th scope=\"row\" class=\"line num\">{}</th><td class=\"st\">{}</td>",
            a.grid.first + n + 2,
            escape(&row.status),
            row.line,
            escape(&row.status)
        ));
        // The issues column: each code once, and the message of issues no cell shows.
        let mut notes: Vec<String> = Vec::new();
        for i in &row.issues {
            let shown_in_cell = i.column.is_some() || i.field.is_some();
            let text = if shown_in_cell {
                code_words(&i.code)
            } else {
                super::sentence(&i.message)
            };
            if !notes.contains(&text) {
                notes.push(text);
            }
        }
        if let Some(l) = row.replaces_line
            && !row.issues.iter().any(|i| i.code == "duplicate_in_file")
        {
            notes.push(format!("replaces line {l}"));
        }
        body.push_str(&format!(
            "<td class=\"issues\" title=\"{0}\">{0}</td>",
            escape(&notes.join("; "))
        ));
        for c in &shown {
            let edited = r.edited(c.index);
            let (value, issues): (String, Vec<&IssueView>) = if raw_view {
                (
                    r.text(c.index),
                    row.issues
                        .iter()
                        .filter(|i| i.column.as_deref() == Some(c.header.as_str()))
                        .collect(),
                )
            } else {
                let name = c.field.map(|f| f.name()).unwrap_or_default();
                let issues: Vec<&IssueView> = row
                    .issues
                    .iter()
                    .filter(|i| i.field.as_deref() == Some(name))
                    .collect();
                let cleaned = value_text(row.lead.get(name));
                // A value that failed cleaning has no cleaned form: its text as it stands.
                let value = if cleaned.is_empty() && !issues.is_empty() {
                    r.text(c.index)
                } else {
                    cleaned
                };
                (value, issues)
            };
            body.push_str(&cell(r.at, c.index, &value, &issues, edited));
        }
        body.push_str("</tr>");
    }
    if rows.is_empty() {
        body = format!(
            "<tr><td colspan=\"{}\">{}</td></tr>",
            shown.len() + 3,
            if total == 0 { "No rows match." } else { "" }
        );
    }
    format!(
        "<table class=\"grid\" aria-rowcount=\"{}\" aria-label=\"{} values; Enter on a cell edits it\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        total + 1,
        if raw_view { "Raw" } else { "Cleaned" }
    )
}
