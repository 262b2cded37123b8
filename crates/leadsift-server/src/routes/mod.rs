//! Every route, registered in one place.

mod health;
mod imports;
mod leads;

use actix_web::{HttpRequest, web};
use chrono::Utc;
use leadsift_core::clean::CleanOptions;

use crate::config::Settings;
use crate::db::Database;
use crate::error::ApiError;

/// What every handler can reach. No global state: this is built once per server.
#[derive(Debug)]
pub struct AppState {
    pub db: Database,
    pub settings: Settings,
}

impl AppState {
    /// The core's cleaning options for rows received now.
    pub fn clean_options(&self) -> CleanOptions {
        CleanOptions {
            today: Utc::now().date_naive(),
            ..CleanOptions::default()
        }
    }

    /// Writes need `Authorization: Bearer <token>` when a token is configured.
    pub fn authorize(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(token) = &self.settings.token else {
            return Ok(());
        };
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or("");
        // Compared in time that does not depend on where the first difference is.
        let same = given.len() == token.len()
            && given
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this request needs the header Authorization: Bearer <token>",
            ))
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .route("/imports", web::post().to(imports::create))
                .route("/imports", web::get().to(imports::list))
                .route("/imports/csv", web::post().to(imports::upload_csv))
                .route("/imports/{id}", web::get().to(imports::get))
                .route(
                    "/imports/{id}/batches/{seq}",
                    web::put().to(imports::put_batch),
                )
                .route("/imports/{id}/finish", web::post().to(imports::finish))
                .route(
                    "/imports/{id}/errors.csv",
                    web::get().to(imports::errors_csv),
                )
                .route("/leads", web::post().to(leads::create))
                .route("/leads", web::get().to(leads::list))
                .route("/leads/{key}", web::get().to(leads::get)),
        );
}
