//! The import history page, from `GET /api/v1/imports`, newest first, a page at a time.

use serde::Deserialize;

use super::net::{RunView, api_message, request};
use super::{Shared, set_html, thousands};
use crate::escape;

#[derive(Debug, Deserialize)]
struct RunPage {
    runs: Vec<RunView>,
    next: Option<i64>,
}

/// Loads the first page (`before` = None) or the page after `before`.
pub(crate) fn load(app: &Shared, before: Option<i64>) {
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let url = match before {
            Some(b) => format!("api/v1/imports?limit=50&before={b}"),
            None => "api/v1/imports?limit=50".to_owned(),
        };
        let doc = a.borrow().doc.clone();
        let token = super::input_value(&doc, "imp-token");
        let html = match request(&a, "GET", &url, None, &token).await {
            Ok((200, text)) => match serde_json::from_str::<RunPage>(&text) {
                Ok(page) => render(&page, before.is_some()),
                Err(e) => format!(
                    "<p class=\"error\">the history could not be read: {}</p>",
                    escape(&e.to_string())
                ),
            },
            Ok((401, text)) => format!(
                "<p class=\"error\">{} {}</p>",
                escape(&api_message(401, &text)),
                escape(&super::net::token_problem(&text, "then refresh"))
            ),
            Ok((s, text)) => format!("<p class=\"error\">{}</p>", escape(&api_message(s, &text))),
            Err(_) => "<p class=\"error\">The server cannot be reached: the history needs it. \
                       Validation and downloads still work offline.</p>"
                .to_owned(),
        };
        set_html(&doc, "history-body", &html);
    });
}

fn render(page: &RunPage, more: bool) -> String {
    if page.runs.is_empty() {
        return if more {
            "<p>No older imports.</p>"
        } else {
            "<p>No imports yet.</p>"
        }
        .to_owned();
    }
    let mut rows = String::new();
    for r in &page.runs {
        let mut kind = Vec::new();
        if r.dry_run {
            kind.push("dry run");
        }
        if r.force_refresh {
            kind.push("force refresh");
        }
        rows.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td><button type=\"button\" class=\"link\" data-action=\"errors-csv\" data-run=\"{}\">errors.csv</button></td></tr>",
            r.id,
            escape(r.started_at.replace('T', " ").split(['.', 'Z']).next().unwrap_or_default()),
            escape(&r.file_name),
            r.surface.unwrap_or(leadsift_core::Surface::Unknown).label(),
            escape(&r.import_source),
            escape(&r.status),
            if kind.is_empty() { String::new() } else { format!(" ({})", kind.join(", ")) },
            reason_html(r),
            thousands(r.counts.rows),
            thousands(r.counts.created),
            thousands(r.counts.updated),
            thousands(r.counts.unchanged),
            thousands(r.counts.existing),
            thousands(r.counts.rejected),
            thousands(r.counts.duplicates),
            r.id,
        ));
    }
    let next = page
        .next
        .map(|n| format!("<button type=\"button\" data-action=\"history-more\" data-before=\"{n}\">Older imports</button>"))
        .unwrap_or_default();
    format!(
        "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Imports\"><table class=\"history\"><caption>Imports, newest first</caption><thead><tr>\
         <th scope=\"col\">Run</th><th scope=\"col\">Started (UTC)</th><th scope=\"col\">File</th><th scope=\"col\">From</th><th scope=\"col\">Source</th>\
         <th scope=\"col\">Status</th><th scope=\"col\">Rows</th><th scope=\"col\">Created</th><th scope=\"col\">Updated</th>\
         <th scope=\"col\">Unchanged</th><th scope=\"col\">Existing</th><th scope=\"col\">Rejected</th>\
         <th scope=\"col\">Duplicates</th><th scope=\"col\">Errors</th></tr></thead><tbody>{rows}</tbody></table></div>{next}"
    )
}

/// The reason a failed or abandoned run ended, under its status.
fn reason_html(r: &RunView) -> String {
    match &r.failure {
        Some(why) if r.status != "running" => format!("<br><small>{}</small>", escape(why)),
        _ => String::new(),
    }
}

/// Downloads a run's error report with the token (a plain link could not send it).
pub(crate) fn errors_csv(app: &Shared, run: i64) {
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let doc = a.borrow().doc.clone();
        let token = super::input_value(&doc, "imp-token");
        let url = format!("api/v1/imports/{run}/errors.csv");
        match request(&a, "GET", &url, None, &token).await {
            Ok((200, text)) => {
                let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
                let opts = web_sys::BlobPropertyBag::new();
                opts.set_type("text/csv;charset=utf-8");
                let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts);
                if let Ok(blob) = blob
                    && let Ok(href) = web_sys::Url::create_object_url_with_blob(&blob)
                    && let Ok(link) = doc.create_element("a")
                {
                    let _ = link.set_attribute("href", &href);
                    let _ = link.set_attribute("download", &format!("import-{run}-errors.csv"));
                    if let Some(body) = doc.body() {
                        let _ = body.append_child(&link);
                        if let Ok(h) =
                            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(link.clone())
                        {
                            h.click();
                        }
                        let _ = body.remove_child(&link);
                    }
                    let _ = web_sys::Url::revoke_object_url(&href);
                }
            }
            Ok((s, text)) => super::announce(&doc, &api_message(s, &text)),
            Err(e) => super::announce(&doc, &e),
        }
    });
}
