//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;
use crate::with_conn;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready when the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = web::block(move || -> anyhow::Result<()> {
        with_conn!(&state.db, |c, m| m::ping(c).map(|_| ()).map_err(Into::into))
    })
    .await;
    match ping {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(Err(e)) => HttpResponse::ServiceUnavailable().json(json!({"error": "database_unavailable", "message": format!("the database does not answer: {e}")})),
        Err(e) => HttpResponse::ServiceUnavailable().json(json!({"error": "database_unavailable", "message": e.to_string()})),
    }
}
