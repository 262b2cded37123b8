//! "Compare with what was delivered": the export's rows against the leads the server received,
//! through `POST /api/v1/reconcile` and `GET /api/v1/reconcile/deliveries`. The page talks to
//! the server; the worker holds the rows, each row's class and the counts, and the core judges
//! (`leadsift_core::reconcile`). Nothing is written anywhere.

use leadsift_core::reconcile::{Class, ReconcileSummary};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::net::{api_message, request, token_problem};
use super::{Shared, el, input_value, set_html, set_text, show, thousands};
use crate::escape;
use crate::js::{get_f64, get_str, obj};

/// Rows per request: the server's default `max_batch_rows`.
const ROWS: u64 = 500;
/// Deliveries per page.
const DELIVERIES: u32 = 1000;

/// A new file, or the same file read again: the last comparison's counts and filters go.
pub(crate) fn reset(app: &Shared) {
    let doc = app.borrow().doc.clone();
    set_html(&doc, "cmp-counts", "");
    set_text(&doc, "cmp-status", "");
    show(&doc, "filter-compare", false);
    if let Some(select) =
        el(&doc, "filter").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        && select.value().starts_with("class:")
    {
        select.set_value("all");
    }
    app.borrow_mut().comparing = false;
}

/// The Compare button.
pub(crate) fn begin(app: &Shared) {
    if app.borrow().comparing {
        return;
    }
    app.borrow_mut().comparing = true;
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let doc = a.borrow().doc.clone();
        set_button(&a, true);
        set_html(&doc, "cmp-counts", "");
        let job = a.borrow().job;
        match run(&a, job).await {
            // A file chosen meanwhile makes the answer another file's: say nothing of it.
            _ if a.borrow().job != job => {}
            Ok(counts) => {
                set_text(
                    &doc,
                    "cmp-status",
                    &format!(
                        "Compared {} row{} with the delivered leads.",
                        thousands(counts.rows),
                        if counts.rows == 1 { "" } else { "s" }
                    ),
                );
                set_html(&doc, "cmp-counts", &counts_html(&counts));
                show(&doc, "filter-compare", true);
            }
            Err(e) => set_html(
                &doc,
                "cmp-status",
                &format!("<span class=\"error\">{}</span>", escape(&e)),
            ),
        }
        a.borrow_mut().comparing = false;
        set_button(&a, false);
    });
}

fn set_button(app: &Shared, busy: bool) {
    if let Some(b) = el(&app.borrow().doc, "cmp-start") {
        let _ = if busy {
            b.set_attribute("disabled", "")
        } else {
            b.remove_attribute("disabled")
        };
    }
}

/// Asks the worker one step of the comparison and waits for its answer.
async fn ask(app: &Shared, kind: &str, fields: &[(&str, JsValue)]) -> Result<JsValue, String> {
    let (req, promise) = {
        let mut a = app.borrow_mut();
        a.next_ask += 1;
        let req = a.next_ask;
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            a.asks.insert(req, resolve);
        });
        (req, promise)
    };
    let mut all = vec![("type", JsValue::from(kind)), ("req", (req as f64).into())];
    all.extend(fields.iter().cloned());
    super::send(app, obj(&all));
    let m = JsFuture::from(promise)
        .await
        .map_err(|e| super::error_text(&e))?;
    match get_str(&m, "error") {
        e if e.is_empty() => Ok(m),
        e => Err(e),
    }
}

/// The worker's answer to a step (`compare {req, …}`).
pub(crate) fn on_answer(app: &Shared, m: &JsValue) {
    let req = get_f64(m, "req") as u64;
    let resolve = app.borrow_mut().asks.remove(&req);
    if let Some(f) = resolve {
        let _ = f.call1(&JsValue::NULL, m);
    }
}

/// What a status other than 200 means here.
fn refused(status: u16, text: &str) -> String {
    match status {
        401 => format!(
            "{} {}",
            api_message(status, text),
            token_problem(text, "then compare again")
        ),
        _ => api_message(status, text),
    }
}

async fn run(app: &Shared, job: f64) -> Result<ReconcileSummary, String> {
    let doc = app.borrow().doc.clone();
    let token = input_value(&doc, "imp-token");
    let unreachable = |_| "the server cannot be reached: comparing needs it".to_owned();
    let (mut seq, mut sent) = (1u64, 0u64);
    // The export's submission window comes with every batch; the one past the last is kept.
    let window = loop {
        let step = [
            ("job", job.into()),
            ("seq", (seq as f64).into()),
            ("size", (ROWS as f64).into()),
        ];
        let m = ask(app, "compare_batch", &step).await?;
        let count = get_f64(&m, "count") as u64;
        if count == 0 {
            break (get_str(&m, "from"), get_str(&m, "to"));
        }
        let body = get_str(&m, "body");
        let (status, text) = request(app, "POST", "api/v1/reconcile", Some(&body), &token)
            .await
            .map_err(unreachable)?;
        if status != 200 {
            return Err(refused(status, &text));
        }
        let mut found = step.to_vec();
        found.push(("text", text.into()));
        ask(app, "compare_found", &found).await?;
        sent += count;
        set_text(
            &doc,
            "cmp-status",
            &format!("Compared {} rows…", thousands(sent)),
        );
        seq += 1;
    };
    // The deliveries of the export's period that no row is.
    if !window.0.is_empty() {
        #[derive(Deserialize)]
        struct Delivery {
            lead_key: String,
        }
        #[derive(Deserialize)]
        struct Page {
            deliveries: Vec<Delivery>,
            next: Option<i64>,
        }
        let encode = |t: &str| String::from(js_sys::encode_uri_component(t));
        let mut after = 0i64;
        loop {
            let url = format!(
                "api/v1/reconcile/deliveries?from={}&to={}&after={after}&limit={DELIVERIES}",
                encode(&window.0),
                encode(&window.1)
            );
            let (status, text) = request(app, "GET", &url, None, &token)
                .await
                .map_err(unreachable)?;
            if status != 200 {
                return Err(refused(status, &text));
            }
            let page: Page = serde_json::from_str(&text)
                .map_err(|e| format!("the server's deliveries could not be read: {e}"))?;
            let keys: Vec<&str> = page
                .deliveries
                .iter()
                .map(|d| d.lead_key.as_str())
                .collect();
            ask(
                app,
                "compare_deliveries",
                &[("job", job.into()), ("keys", keys.join("\n").into())],
            )
            .await?;
            match page.next {
                Some(n) => after = n,
                None => break,
            }
        }
    }
    let m = ask(app, "compare_summary", &[("job", job.into())]).await?;
    serde_json::from_str(&get_str(&m, "text"))
        .map_err(|e| format!("the counts could not be read: {e}"))
}

/// The five counts; each class of rows is a button that shows those rows in the grid.
fn counts_html(c: &ReconcileSummary) -> String {
    let mut html = String::from("<dl class=\"counts classes\">");
    for class in Class::ALL {
        let n = c.count(class);
        html.push_str(&format!("<dt>{}</dt><dd>", escape(class.label())));
        if class == Class::DeliveredNotExported || n == 0 {
            html.push_str(&thousands(n));
        } else {
            html.push_str(&format!(
                "<button type=\"button\" class=\"link\" data-action=\"compare-filter\" data-class=\"{}\" \
                 title=\"Show these rows\">{}</button>",
                class.as_str(),
                thousands(n)
            ));
        }
        html.push_str("</dd>");
    }
    html.push_str("</dl>");
    if !c.fields.is_empty() {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|(f, n)| format!("{} ({})", escape(f), thousands(*n)))
            .collect();
        html.push_str(&format!(
            "<p>Fields that differ: {}.</p>",
            fields.join(", ")
        ));
    }
    html
}

/// A count was clicked: the grid shows that class of rows.
pub(crate) fn filter(app: &Shared, class: &str) {
    let doc = app.borrow().doc.clone();
    if let Some(select) =
        el(&doc, "filter").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
    {
        select.set_value(&format!("class:{class}"));
    }
    super::grid::reset(app);
    if let Some(grid) = el(&doc, "preview") {
        grid.scroll_into_view();
    }
}
