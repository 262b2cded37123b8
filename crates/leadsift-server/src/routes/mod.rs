//! Every route, registered in one place.

mod health;
mod imports;
mod leads;
mod metrics;
pub mod openapi;
mod reconcile;

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use chrono::Utc;
use leadsift_core::Options;
use leadsift_core::clean::CleanOptions;

use crate::config::Settings;
use crate::error::{ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::middleware::{RequestIds, Uploads};
use leadsift_store::Database;

/// What every handler can reach. No global state: this is built once per server.
#[derive(Debug)]
pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    pub metrics: Metrics,
    pub uploads: Arc<Uploads>,
    pub request_ids: RequestIds,
}

impl AppState {
    pub fn new(db: Database, settings: Settings) -> AppState {
        AppState {
            db,
            uploads: Uploads::new(settings.max_uploads),
            settings,
            metrics: Metrics::default(),
            request_ids: RequestIds::default(),
        }
    }

    /// The core's cleaning options for rows received now.
    pub fn clean_options(&self) -> CleanOptions {
        CleanOptions::new(Utc::now().date_naive())
    }

    /// The core's options for a file or a lead received now.
    pub fn options(&self) -> Options {
        Options::new(Utc::now().date_naive())
    }

    /// With a token configured, a request needs `Authorization: Bearer <token>` (the scheme
    /// in any case, RFC 9110 §11.1), compared in constant time.
    pub fn authorize(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(token) = &self.settings.token else {
            return Ok(());
        };
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok());
        let given = header
            .and_then(|h| h.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map_or("", |(_, t)| t.trim());
        // Compared in time that does not depend on where the first difference is.
        let same = given.len() == token.len()
            && given
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else if header.is_none() {
            Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "this request needs the header Authorization: Bearer <token>",
            ))
        } else {
            Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                "the token in the Authorization header is not this server's",
            ))
        }
    }
}

/// The largest body of a run's options or of one posted lead.
pub const SMALL_BODY_BYTES: usize = 256 << 10;

/// Reads a body of at most `limit` bytes (a 413 in the API's shape past it).
pub async fn read_body(mut body: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut out = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                ErrorCode::InvalidBody,
                format!("the body could not be read: {e}"),
            )
        })?;
        if out.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// A time in a query parameter, in any spelling the importer reads (UTC unless it says
/// otherwise), as the stored UTC time; a 400 naming `name` when it does not read.
pub(crate) fn instant(
    name: &str,
    v: &Option<String>,
) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
    let Some(text) = v else { return Ok(None) };
    let zone = leadsift_core::clean::Zone::Utc;
    leadsift_core::clean::Timestamp::parse(text, &zone)
        .map(|(t, _)| Some(t.utc().naive_utc()))
        .map_err(|n| {
            ApiError::bad_request(ErrorCode::InvalidQuery, format!("{name}: {}", n.message))
        })
}

fn small_json(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(crate::error::json_error)
}

/// Every route. `middleware::guard` decides who may reach which before any of them runs:
/// only `/healthz`, `/readyz` and the app's files are open when a token is set.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(openapi::openapi_json))
                // Small JSON bodies are parsed where they arrive, so they get small limits; a
                // batch or a CSV (up to max_body_bytes) is parsed on the blocking pool.
                .service(
                    web::resource("/imports")
                        .app_data(small_json(SMALL_BODY_BYTES))
                        .route(web::post().to(imports::create))
                        .route(web::get().to(imports::list)),
                )
                .route("/imports/csv", web::post().to(imports::upload_csv))
                .route("/imports/{id}", web::get().to(imports::get))
                .route(
                    "/imports/{id}/batches/{seq}",
                    web::put().to(imports::put_batch),
                )
                .route("/imports/{id}/finish", web::post().to(imports::finish))
                .service(
                    web::resource("/imports/{id}/abandon")
                        .app_data(small_json(16 << 10))
                        .route(web::post().to(imports::abandon)),
                )
                .route(
                    "/imports/{id}/errors.csv",
                    web::get().to(imports::errors_csv),
                )
                .service(
                    web::resource("/leads")
                        .route(web::post().to(leads::create))
                        .route(web::get().to(leads::list)),
                )
                .route("/leads/{key}", web::get().to(leads::get))
                .route("/reconcile", web::post().to(reconcile::batch))
                .route(
                    "/reconcile/deliveries",
                    web::get().to(reconcile::deliveries),
                ),
        );
}
