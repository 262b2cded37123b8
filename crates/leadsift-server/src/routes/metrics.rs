//! `GET /metrics`: Prometheus' text format (guarded by the token like the API).

use actix_web::{HttpResponse, web};

use super::AppState;
use crate::error::ApiError;
use leadsift_store::import;

/// The server's counters in Prometheus' text format: requests by status, rows by outcome,
/// batches, batch latency, runs by status, uploads in flight and refused.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "probes",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")),
)]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = state.clone();
    let runs = web::block(move || import::runs_by_status(&s.db)).await??;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(state.uploads.in_flight(), &runs)))
}
