//! Talking to the server: `fetch` with JSON, and the watch that tells whether it is reachable.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{Shared, set_text, show};
use crate::js::message;

/// An import run as the server returns it (the fields the page shows).
#[derive(Debug, Deserialize)]
pub(crate) struct RunView {
    pub id: i64,
    pub file_name: String,
    pub dry_run: bool,
    pub force_refresh: bool,
    pub import_source: String,
    pub status: String,
    /// Why a failed or abandoned run ended.
    #[serde(default)]
    pub failure: Option<String>,
    pub started_at: String,
    /// Where the run was started (a server before the surface was kept sends none).
    #[serde(default)]
    pub surface: Option<leadsift_core::Surface>,
    #[serde(flatten)]
    pub counts: leadsift_core::Outcomes,
}

/// An answer: the status and the body text. `Err` means no answer at all (offline, refused).
pub(crate) async fn request(
    app: &Shared,
    method: &str,
    url: &str,
    body: Option<&str>,
    token: &str,
) -> Result<(u16, String), String> {
    let win = app.borrow().win.clone();
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|e| message(&e))?;
    if let Some(b) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(b));
    }
    if !token.is_empty() {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| message(&e))?;
    let resp: web_sys::Response = JsFuture::from(win.fetch_with_request(&req))
        .await
        .map_err(|e| format!("the server cannot be reached: {}", message(&e)))?
        .dyn_into()
        .map_err(|e| message(&e))?;
    let text = JsFuture::from(resp.text().map_err(|e| message(&e))?)
        .await
        .map_err(|e| format!("the answer was cut off: {}", message(&e)))?
        .as_string()
        .unwrap_or_default();
    Ok((resp.status(), text))
}

/// What to do about a 401: a wrong token and a missing one need different words. `then` ends
/// the sentence ("then refresh").
pub(crate) fn token_problem(body: &str, then: &str) -> String {
    if body.contains("\"invalid_token\"") {
        format!(
            "The token in the import section's Token field is not the server's: correct it, {then}."
        )
    } else {
        format!("Enter the server's token in the import section's Token field, {then}.")
    }
}

/// The `message` of an API error body, or the body itself.
pub(crate) fn api_message(status: u16, body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .map(|m| format!("{m} (HTTP {status})"))
        .unwrap_or_else(|| {
            format!(
                "HTTP {status}: {}",
                body.chars().take(200).collect::<String>()
            )
        })
}

pub(crate) async fn sleep(app: &Shared, ms: u32) {
    let win = app.borrow().win.clone();
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = JsFuture::from(p).await;
}

/// Checks `/healthz` now and every 5 s; the banner and the import button follow. While the
/// server cannot be reached the checks slow to every 10 s (each failed one is a line in the
/// browser's console); choosing a file checks at once ([`check_now`]).
pub(crate) fn watch(app: &Shared) {
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut failed = 0u32;
        loop {
            let online = check(&a).await;
            failed = if online { 0 } else { (failed + 1).min(2) };
            sleep(&a, 5000 * failed.max(1)).await;
        }
    });
}

/// One check now, when the page thinks the server is away (a file was chosen: the person may
/// import next).
pub(crate) fn check_now(app: &Shared) {
    if app.borrow().online {
        return;
    }
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        check(&a).await;
    });
}

/// Asks `/healthz` and shows the answer; whether the server answered.
async fn check(app: &Shared) -> bool {
    let online = matches!(request(app, "GET", "healthz", None, "").await, Ok((200, _)));
    let changed = app.borrow().online != online;
    app.borrow_mut().online = online;
    let doc = app.borrow().doc.clone();
    show(&doc, "offline", !online);
    if !online {
        set_text(
            &doc,
            "offline",
            "Offline: the leadsift server cannot be reached. Validation, the preview and \
             the downloads work here; importing and the history wait for the server.",
        );
    }
    if changed {
        super::upload::render_controls(app);
    }
    online
}
