//! Reconciliation through the API: an export's cleaned rows against the delivered leads, a
//! batch at a time, keeping nothing; and the deliveries of a window, for the client to tell
//! those that no row of its export is (`leadsift_core::reconcile::Seen`).

use actix_web::{HttpResponse, web};
use leadsift_core::Row;
use leadsift_core::reconcile::Finding;
use leadsift_core::wire::{BatchRowIn, WireRow};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use leadsift_store::StoreError;
use leadsift_store::reconcile::Reconciler;

/// A batch of an export's cleaned rows, in the batch API's row shape.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileBody {
    /// At most `max_batch_rows` (500 by default) rows.
    rows: Vec<BatchRowIn>,
}

/// Each row's finding, in order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReconcileAnswer {
    findings: Vec<Finding>,
}

/// Classes each row of a batch of an export against the delivered leads.
///
/// Every row is validated again, as a batch's are; nothing is written or kept. A row is
/// `matched`, `differs` (with the fields), `not_delivered` or `delivered_twice`; the
/// deliveries that no row is come from `GET /api/v1/reconcile/deliveries`.
#[utoipa::path(
    post,
    path = "/api/v1/reconcile",
    tag = "reconcile",
    request_body = ReconcileBody,
    responses(
        (status = 200, description = "each row's finding", body = ReconcileAnswer),
        (status = 400, description = "`invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 413, description = "`batch_too_large`: more rows than `max_batch_rows`", body = ErrorBody),
    ),
)]
pub async fn batch(state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let answer = web::block(move || -> Result<ReconcileAnswer, ApiError> {
        let parsed: ReconcileBody =
            serde_json::from_slice(&body).map_err(|e| super::imports::batch_json_error(&e))?;
        drop(body);
        super::imports::batch_rows_within(parsed.rows.len(), state.settings.max_batch_rows)?;
        let options = state.clean_options();
        let rows: Vec<Row> = parsed
            .rows
            .into_iter()
            .map(|r| WireRow::revalidate(&r.into_wire(), &options, false))
            .collect();
        let findings = Reconciler::new(&state.db).batch(&rows)?;
        Ok(ReconcileAnswer { findings })
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// The export's earliest `submitted_at` (any spelling the importer reads).
    from: String,
    /// The export's latest `submitted_at`.
    to: String,
    /// Deliveries with a larger id: the `next` of the page before.
    after: Option<i64>,
    /// How many (1 to 10,000; 1,000 when absent).
    limit: Option<i64>,
}

/// One delivered lead.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    id: i64,
    lead_key: String,
}

/// A page of deliveries, in id order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deliveries {
    deliveries: Vec<Delivery>,
    /// Pass as `after` for the next page; null on the last page.
    next: Option<i64>,
}

/// The leads delivered (`import_source = api`) with a submission time inside a window.
#[utoipa::path(
    get,
    path = "/api/v1/reconcile/deliveries",
    tag = "reconcile",
    params(Window),
    responses(
        (status = 200, description = "a page of deliveries", body = Deliveries),
        (status = 400, description = "`invalid_query`: a time that does not read, a missing bound", body = ErrorBody),
    ),
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    q: web::Query<Window>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let bound = |name, v: &String| -> Result<chrono::NaiveDateTime, ApiError> {
        super::instant(name, &Some(v.clone()))?.ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidQuery, format!("{name} is needed"))
        })
    };
    let (from, to) = (bound("from", &q.from)?, bound("to", &q.to)?);
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let after = q.after.unwrap_or(0);
    let page = web::block(move || -> Result<Vec<(i64, String)>, StoreError> {
        state.db.with(|c| {
            Ok(leadsift_store::queries::deliveries_between(
                c, from, to, after, limit,
            )?)
        })
    })
    .await??;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|d| d.0))
        .flatten();
    let deliveries = page
        .into_iter()
        .map(|(id, lead_key)| Delivery { id, lead_key })
        .collect();
    Ok(HttpResponse::Ok().json(Deliveries { deliveries, next }))
}
