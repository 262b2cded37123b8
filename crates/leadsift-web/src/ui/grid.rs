//! The preview grid, virtualised: the rows stay in the worker's store; the page asks for the
//! window on screen and renders only it.
//!
//! The scroll container holds a spacer as tall as all rows (capped below the browser's maximum
//! element height, past which scroll positions are scaled) and a sticky table that always sits
//! in view; scrolling only changes which rows the table shows.

use std::collections::BTreeMap;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{Shared, checked, el, set_html, set_text, show};
use crate::escape;
use crate::js::{get_f64, get_str, obj};

const ROW_H: f64 = 28.0;
const MAX_H: f64 = 30_000_000.0;

#[derive(Debug, Default)]
pub(crate) struct Grid {
    total: usize,
    req: f64,
    first: usize,
    shown: usize,
    frame_pending: bool,
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
    row: RowView,
    /// The record's cells as read, header → text, in column order.
    #[serde(default)]
    raw: leadsift_core::wire::OrderedText,
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
    Ok(())
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
    app.borrow_mut().grid.total = 0;
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
    let total = get_f64(m, "total") as usize;
    let rows: Vec<PageRow> = serde_json::from_str(&get_str(m, "rows")).unwrap_or_default();
    let raw_view = checked(&app.borrow().doc, "raw");
    let html = table(app, &rows, total, raw_view);
    let doc = {
        let mut a = app.borrow_mut();
        let grew = a.grid.total != total;
        a.grid.total = total;
        a.grid.shown = rows.len();
        let doc = a.doc.clone();
        if grew && let Some(s) = el(&doc, "grid-spacer") {
            let _ = s.set_attribute("style", &format!("height:{}px", spacer_height(total)));
        }
        doc
    };
    set_html(&doc, "grid-table", &html);
    set_text(
        &doc,
        "grid-count",
        &format!("{} rows match", super::thousands(total as u64)),
    );
}

fn cell(value: &str, issues: &[&IssueView]) -> String {
    if issues.is_empty() {
        return format!("<td>{}</td>", escape(value));
    }
    let error = issues.iter().any(|i| i.severity == "error");
    let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
    let text = messages.join("; ");
    format!(
        "<td class=\"{}\" title=\"{}\">{}<span class=\"sr-only\"> ({}: {})</span></td>",
        if error { "bad" } else { "warn" },
        escape(&text),
        escape(value),
        if error { "error" } else { "warning" },
        escape(&text)
    )
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
    let mut head = String::from("<th scope=\"col\">line</th><th scope=\"col\">status</th>");
    for c in &shown {
        let name = match (raw_view, c.field) {
            (false, Some(f)) => f.name().to_owned(),
            _ => c.header.clone(),
        };
        head.push_str(&format!(
            "<th scope=\"col\" title=\"{}\">{}</th>",
            escape(&c.header),
            escape(&name)
        ));
    }
    head.push_str("<th scope=\"col\">issues</th>");
    let mut body = String::new();
    for (n, r) in rows.iter().enumerate() {
        let row = &r.row;
        body.push_str(&format!(
            "<tr aria-rowindex=\"{}\" class=\"{}\"><td class=\"num\">{}</td><td>{}</td>",
            a.grid.first + n + 2,
            escape(&row.status),
            row.line,
            escape(&row.status)
        ));
        for c in &shown {
            let (value, issues): (String, Vec<&IssueView>) = if raw_view {
                (
                    r.raw
                        .0
                        .get(c.index)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default(),
                    row.issues
                        .iter()
                        .filter(|i| i.column.as_deref() == Some(c.header.as_str()))
                        .collect(),
                )
            } else {
                let name = c.field.map(|f| f.name()).unwrap_or_default();
                let value = match row.lead.get(name) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                };
                (
                    value,
                    row.issues
                        .iter()
                        .filter(|i| i.field.as_deref() == Some(name))
                        .collect(),
                )
            };
            body.push_str(&cell(&value, &issues));
        }
        let mut notes: Vec<String> = row
            .issues
            .iter()
            .map(|i| format!("{}: {}", i.code, i.message))
            .collect();
        if let Some(l) = row.replaces_line {
            notes.push(format!("replaces line {l}"));
        }
        body.push_str(&format!(
            "<td class=\"issues\" title=\"{0}\">{0}</td></tr>",
            escape(&notes.join("; "))
        ));
    }
    if rows.is_empty() {
        body = format!(
            "<tr><td colspan=\"{}\">{}</td></tr>",
            shown.len() + 3,
            if total == 0 { "No rows match." } else { "" }
        );
    }
    format!(
        "<table class=\"grid\" aria-rowcount=\"{}\" aria-label=\"{} values\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        total + 1,
        if raw_view { "Raw" } else { "Cleaned" }
    )
}
