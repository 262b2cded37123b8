//! Liveness and readiness.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::AppState;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use leadsift_store::StoreError;

/// The answer of a probe that passed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` (`/healthz`) or `ready` (`/readyz`).
    pub status: HealthStatus,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// The process answers.
    Ok,
    /// The process answers and so does its database.
    Ready,
}

/// Liveness: the process answers. Open without a token and whatever the `Host`.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "probes",
    security(()),
    responses((status = 200, description = "the process answers", body = Health)),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: HealthStatus::Ok,
    })
}

/// Readiness: the database answers. Open without a token and whatever the `Host`.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    security(()),
    responses(
        (status = 200, description = "the database answers", body = Health),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    ),
)]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let ping = web::block(move || -> Result<(), StoreError> {
        state
            .db
            .with(|c| Ok(leadsift_store::queries::ping(c).map(drop)?))
    })
    .await;
    let unavailable = |why: String| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            why,
        )
    };
    match ping {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Health {
            status: HealthStatus::Ready,
        })),
        Ok(Err(e)) => Err(unavailable(format!("the database does not answer: {e}"))),
        Err(e) => Err(unavailable(format!("the database does not answer: {e}"))),
    }
}
