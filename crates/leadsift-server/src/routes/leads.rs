//! Leads: one posted at a time (a LeadConduit delivery target), and read back.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use leadsift_core::clean::CleanOptions;
use leadsift_core::{ImportSource, Issue, Outcome, validate_pairs};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::AppState;
use crate::error::ApiError;
use leadsift_store::import;
use leadsift_store::models::{LeadQuery, LeadRow};
use leadsift_store::{StoreError, queries};

fn pairs_from_json(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let v: Json = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
    })?;
    let Json::Object(map) = v else {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the body must be a JSON object of field names to values",
        ));
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            Json::Null => None,
            Json::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect())
}

fn pairs_from_form(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).map_err(|e| {
        ApiError::bad_request(
            "invalid_body",
            format!("the form body could not be read: {e}"),
        )
    })
}

#[derive(Debug, Serialize)]
struct Posted {
    outcome: Outcome,
    key: Option<String>,
    issues: Vec<Issue>,
}

/// `POST /api/v1/leads`: JSON or form-encoded, with LeadConduit's field names, at most
/// `SMALL_BODY_BYTES`; read, validated and upserted on the blocking pool.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let body = super::read_body(body, super::SMALL_BODY_BYTES).await?;
    let (status, posted) = web::block(move || -> Result<(StatusCode, Posted), ApiError> {
        let pairs = if form {
            pairs_from_form(&body)?
        } else {
            pairs_from_json(&body)?
        };
        // What was posted is the lead's original row.
        let options = leadsift_core::Options {
            keep_original: true,
            ..state.options()
        };
        let row = validate_pairs(&pairs, options)
            .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?
            .ok_or_else(|| {
                ApiError::bad_request("invalid_body", "the lead has no fields with a value")
            })?;
        let outcome = import::upsert_one(&state.db, &row, ImportSource::Api)?;
        let status = if outcome == Outcome::Rejected {
            StatusCode::UNPROCESSABLE_ENTITY
        } else if outcome == Outcome::Created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((
            status,
            Posted {
                outcome,
                key: row.key.map(|k| k.as_str().to_owned()),
                issues: row.issues,
            },
        ))
    })
    .await??;
    Ok(HttpResponse::build(status).json(posted))
}

#[derive(Debug, Deserialize)]
pub struct LeadFilter {
    email: Option<String>,
    phone: Option<String>,
    since: Option<String>,
    until: Option<String>,
    campaign: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<i64>,
}

#[derive(Debug, Serialize)]
struct LeadPage {
    leads: Vec<LeadRow>,
    next_cursor: Option<i64>,
}

fn instant(name: &str, v: &Option<String>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(text) = v else { return Ok(None) };
    let zone = leadsift_core::clean::Zone::Utc;
    leadsift_core::clean::Timestamp::parse(text, &zone)
        .map(|(t, _)| Some(t.utc().naive_utc()))
        .map_err(|n| ApiError::bad_request("invalid_query", format!("{name}: {}", n.message)))
}

/// `GET /api/v1/leads`: filtered, keyset-paginated.
pub async fn list(
    state: web::Data<AppState>,
    f: web::Query<LeadFilter>,
) -> Result<HttpResponse, ApiError> {
    let f = f.into_inner();
    let opts = CleanFilter::new(&f, &state.clean_options())?;
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    let q = LeadQuery {
        email: opts.email,
        phone: opts.phone,
        since: instant("since", &f.since)?,
        until: instant("until", &f.until)?,
        campaign: f.campaign,
        status: f.status,
        limit,
        cursor: f.cursor,
    };
    let leads = web::block(move || -> Result<Vec<LeadRow>, StoreError> {
        state.db.with(|c| Ok(queries::find_leads(c, &q)?))
    })
    .await??;
    let next_cursor = (leads.len() as i64 == limit)
        .then(|| leads.last().map(|l| l.id))
        .flatten();
    Ok(HttpResponse::Ok().json(LeadPage { leads, next_cursor }))
}

/// Email and phone filters are cleaned as the stored values were, so `?phone=(512) 789-1111` finds `5127891111`.
struct CleanFilter {
    email: Option<String>,
    phone: Option<String>,
}

impl CleanFilter {
    fn new(f: &LeadFilter, options: &CleanOptions) -> Result<CleanFilter, ApiError> {
        let clean = |field, v: &Option<String>| -> Result<Option<String>, ApiError> {
            let Some(v) = v else { return Ok(None) };
            let c = leadsift_core::clean::clean(field, v, options);
            match c.value {
                Some(value) => Ok(Some(value.to_text().into_owned())),
                None => Err(ApiError::bad_request(
                    "invalid_query",
                    format!("{field}: {}", c.note.map(|n| n.message).unwrap_or_default()),
                )),
            }
        };
        Ok(CleanFilter {
            email: clean(leadsift_core::Field::Email, &f.email)?,
            phone: clean(leadsift_core::Field::Phone1, &f.phone)?,
        })
    }
}

pub async fn get(
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let k = key.clone();
    let lead = web::block(move || -> Result<Option<LeadRow>, StoreError> {
        state.db.with(|c| Ok(queries::get_lead(c, &k)?))
    })
    .await??;
    lead.map(|l| HttpResponse::Ok().json(l))
        .ok_or_else(|| ApiError::not_found(format!("no lead has the key {key:?}")))
}
