//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;
use leadsift_store::StoreError;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready when the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = web::block(move || -> Result<(), StoreError> {
        state
            .db
            .with(|c| Ok(leadsift_store::queries::ping(c).map(drop)?))
    })
    .await;
    match ping {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(Err(e)) => HttpResponse::ServiceUnavailable().json(json!({"error": "database_unavailable", "message": format!("the database does not answer: {e}")})),
        Err(e) => HttpResponse::ServiceUnavailable().json(json!({"error": "database_unavailable", "message": e.to_string()})),
    }
}
