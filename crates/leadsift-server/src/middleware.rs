//! What every request passes through before its handler, in this order:
//!
//! - [`observe`]: a request id, a `tracing` span (method, route, status, latency, run id), one
//!   access log line, the request counters, and 500s whose body says only `internal` and the
//!   request id (the error and its whole chain go to the log line instead).
//! - [`guard`]: NUL bytes in the address, the `Host` and `Origin` a no-token server accepts,
//!   the token, the body types writes accept, the declared body size, and an upload slot.
//!   It runs before any body is read or parsed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use tracing::Instrument;

use crate::error::{ApiError, ErrorCode};
use crate::routes::AppState;

/// The id of one request: in the `x-request-id` header, the span and a 500's body.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Request ids unique across servers and restarts: a per-process prefix and a counter.
#[derive(Debug)]
pub struct RequestIds {
    prefix: String,
    next: AtomicU64,
}

impl Default for RequestIds {
    fn default() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seed = nanos ^ (u64::from(std::process::id()) << 40);
        RequestIds {
            prefix: format!("{:010x}", seed & 0xff_ffff_ffff),
            next: AtomicU64::new(1),
        }
    }
}

impl RequestIds {
    pub fn next(&self) -> String {
        format!(
            "{}-{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// At most `limit` uploads at once; a slot is given back when its request is answered.
#[derive(Debug)]
pub struct Uploads {
    limit: usize,
    in_flight: AtomicUsize,
}

impl Uploads {
    pub fn new(limit: usize) -> Arc<Uploads> {
        Arc::new(Uploads {
            limit,
            in_flight: AtomicUsize::new(0),
        })
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    fn try_acquire(self: &Arc<Self>) -> Option<UploadSlot> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()
            .map(|_| UploadSlot(self.clone()))
    }
}

/// One upload's place among [`Uploads`]' `limit`.
#[derive(Debug)]
pub struct UploadSlot(Arc<Uploads>);

impl Drop for UploadSlot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let id = state
        .as_ref()
        .map_or_else(|| "-".to_owned(), |s| s.request_ids.next());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = tracing::field::Empty,
        run_id = tracing::field::Empty,
    );
    let started = Instant::now();
    // (The request cannot be cloned before routing, so an error that no service turned into
    // a response is logged and scrubbed here, and rendered by actix.)
    let res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            let status = e.as_response_error().status_code();
            span.in_scope(
                || tracing::error!(error = %e, status = status.as_u16(), "request failed"),
            );
            if let Some(s) = &state {
                s.metrics.request(status.as_u16());
            }
            if status.is_server_error() {
                return Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    format!("internal error (request id {id}): the server's log has the details"),
                )
                .into());
            }
            return Err(e);
        }
    };
    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(no route)".to_owned());
    span.record("route", route.as_str());
    if let Some(run) = res.request().match_info().get("id") {
        span.record("run_id", run);
    }
    let mut res = if status == StatusCode::INTERNAL_SERVER_ERROR {
        let detail = res
            .response()
            .error()
            .map_or_else(|| "no detail".to_owned(), |e| e.to_string());
        span.in_scope(|| tracing::error!(error = %detail, "internal error"));
        let body = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            format!("internal error (request id {id}): the server's log has the details"),
        )
        .error_response();
        res.into_response(body)
    } else {
        res
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    let latency_ms = started.elapsed().as_secs_f64() * 1e3;
    span.in_scope(|| {
        tracing::info!(
            target: "leadsift::access",
            status = status.as_u16(),
            latency_ms = (latency_ms * 1000.0).round() / 1000.0,
            "{method} {route}"
        )
    });
    if let Some(s) = &state {
        s.metrics.request(status.as_u16());
    }
    Ok(res)
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    match check(&req, &state) {
        Err(e) => Ok(req.into_response(e.error_response())),
        Ok(slot) => {
            let res = next.call(req).await;
            drop(slot);
            Ok(res?.map_into_boxed_body())
        }
    }
}

/// Paths that answer without a token and whatever the `Host` (load balancers' checks).
pub(crate) fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz")
}

/// Paths that hold or change lead data, runs, batches, issues or metrics.
pub(crate) fn is_guarded(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path == "/metrics"
}

pub(crate) fn is_upload(method: &Method, path: &str) -> bool {
    (method == Method::POST && (path == "/api/v1/imports/csv" || path == "/api/v1/reconcile"))
        || (method == Method::PUT
            && path.starts_with("/api/v1/imports/")
            && path.contains("/batches/"))
}

/// A host name (no port) that names this machine's loopback.
fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.to_ascii_lowercase().ends_with(".localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `host[:port]` without its port (IPv6 literals keep their brackets' content).
fn host_name(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn host_allowed(state: &AppState, authority: &str) -> bool {
    let name = host_name(authority);
    is_loopback_host(name)
        || state
            .settings
            .allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name) || h.eq_ignore_ascii_case(authority))
}

fn forbidden(code: ErrorCode, message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, code, message)
}

fn unsupported(message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        message,
    )
}

/// The checks of [`guard`]; an upload gets its slot.
fn check(req: &ServiceRequest, state: &AppState) -> Result<Option<UploadSlot>, ApiError> {
    let path = req.path();
    let target = req.uri().to_string();
    if target.to_ascii_lowercase().contains("%00") {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidRequest,
            "the address holds a NUL byte (%00), which no path, key or parameter may hold",
        ));
    }
    if is_probe(path) {
        return Ok(None);
    }
    let settings = &state.settings;
    let open = settings.token.is_none();
    // Without a token the only boundary is loopback, and a browser crosses it: a page on
    // any site can send requests to 127.0.0.1, and DNS rebinding makes it same-origin. So
    // only loopback (and configured) host names are served, and no foreign Origin.
    if open || !settings.allowed_hosts.is_empty() {
        let authority = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
            .unwrap_or_default();
        if !host_allowed(state, &authority) {
            return Err(forbidden(
                ErrorCode::ForbiddenHost,
                format!(
                    "this server answers only to loopback host names and its allowed_hosts, and {authority:?} is neither (add it to allowed_hosts)"
                ),
            ));
        }
    }
    if open {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("null");
            let authority = origin.split_once("://").map_or("", |(_, a)| a);
            if origin == "null" || !host_allowed(state, authority) {
                return Err(forbidden(
                    ErrorCode::CrossOrigin,
                    format!(
                        "requests from pages on {origin:?} are refused: without a token this server accepts only its own pages"
                    ),
                ));
            }
        }
        if req
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
        {
            return Err(forbidden(
                ErrorCode::CrossOrigin,
                "requests from other sites' pages are refused: without a token this server accepts only its own pages".to_owned(),
            ));
        }
    }
    if !is_guarded(path) {
        return Ok(None);
    }
    state.authorize(req.request())?;
    let method = req.method();
    let writes = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if writes {
        check_body(req, path, open, settings.max_body_bytes)?;
    }
    if is_upload(method, path) {
        return match state.uploads.try_acquire() {
            Some(slot) => Ok(Some(slot)),
            None => {
                state.metrics.upload_refused();
                Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Busy,
                    format!(
                        "the server is handling {} uploads, its limit (max_uploads): send this one again shortly",
                        settings.max_uploads
                    ),
                )
                .with_retry_after(2))
            }
        };
    }
    Ok(None)
}

/// A write's declared body: its type (the CORS-safelisted ones, which a page on another
/// site can send without asking, are refused without a token) and its size.
fn check_body(req: &ServiceRequest, path: &str, open: bool, limit: usize) -> Result<(), ApiError> {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if length.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let has_body =
        length.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING);
    if !has_body {
        return Ok(());
    }
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let essence = essence.as_deref();
    if path == "/api/v1/imports/csv" {
        return match essence {
            Some(
                "text/csv"
                | "application/csv"
                | "application/gzip"
                | "application/x-gzip"
                | "application/octet-stream",
            ) => Ok(()),
            None if !open => Ok(()),
            Some(t) if t.starts_with("multipart/") => Err(unsupported(
                "a multipart body is not read: send the file itself as the body, with Content-Type text/csv or application/gzip",
            )),
            other => Err(unsupported(format!(
                "the body's type {} is not a CSV file's: send it with Content-Type text/csv or application/gzip",
                other.map_or_else(|| "(none)".to_owned(), |t| format!("{t:?}"))
            ))),
        };
    }
    match essence {
        Some("application/json") => Ok(()),
        Some(t) if t.ends_with("+json") => Ok(()),
        Some("application/x-www-form-urlencoded") if !open && path == "/api/v1/leads" => Ok(()),
        None if !open => Ok(()),
        _ if open => Err(unsupported(
            "without a token this server takes only application/json bodies (a page on another site cannot send those unasked); form posts need a token",
        )),
        other => Err(unsupported(format!(
            "the body's type {} is not application/json",
            other.map_or_else(|| "(none)".to_owned(), |t| format!("{t:?}"))
        ))),
    }
}
