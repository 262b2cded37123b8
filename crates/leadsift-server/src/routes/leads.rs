//! Leads: one posted at a time (a LeadConduit delivery target), and read back.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use leadsift_core::clean::CleanOptions;
use leadsift_core::{ImportSource, Issue, Outcome, validate_pairs};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::AppState;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use leadsift_store::import;
use leadsift_store::models::{LeadQuery, LeadRow};
use leadsift_store::{StoreError, queries};

/// A JSON object's members in the order they were written (a `serde_json::Map` would sort
/// them, and the posted fields are the lead's original row).
struct Members(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object of field names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

fn pairs_from_json(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let Members(members) =
        serde_json::from_slice(body).map_err(|e| super::imports::batch_json_error(&e))?;
    Ok(members
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
            ErrorCode::InvalidBody,
            format!("the form body could not be read: {e}"),
        )
    })
}

/// What became of a posted lead.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Posted {
    /// `created`, `updated`, `unchanged` (the same content was stored) or `rejected`.
    outcome: Outcome,
    /// The lead's key; null when it has no identity.
    key: Option<String>,
    issues: Vec<Issue>,
}

/// Receives one lead (a LeadConduit delivery).
///
/// The lead is validated, then created or updated (`import_source = api`). The posted fields
/// are kept as its original row.
// JSON or form-encoded, at most `SMALL_BODY_BYTES`; read, validated and upserted on the
// blocking pool.
#[utoipa::path(
    post,
    path = "/api/v1/leads",
    tag = "leads",
    request_body(
        description = "the lead's fields under LeadConduit's names or any header spelling (at most 256 KiB); a form body needs a token",
        content(
            (HashMap<String, leadsift_core::wire::Scalar> = "application/json"),
            (HashMap<String, String> = "application/x-www-form-urlencoded"),
        ),
    ),
    responses(
        (status = 201, description = "a new lead", body = Posted),
        (status = 200, description = "an existing lead, updated or unchanged", body = Posted),
        (status = 422, description = "rejected (no identity); the issues say why", body = Posted),
        (status = 400, description = "`invalid_json`, `invalid_body`", body = ErrorBody),
    ),
)]
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
            .map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.to_string()))?
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidBody,
                    "the lead has no fields with a value",
                )
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadFilter {
    /// An e-mail, cleaned as stored values were before it is compared.
    email: Option<String>,
    /// A phone number in any spelling, cleaned as stored values were (`(512) 789-1111`).
    phone: Option<String>,
    /// Leads submitted at or after this time (any spelling the importer reads; UTC unless it
    /// says otherwise).
    since: Option<String>,
    /// Leads submitted before this time.
    until: Option<String>,
    /// The `campaign` field, exactly.
    campaign: Option<String>,
    /// The `status` field, exactly.
    status: Option<String>,
    /// How many leads (1 to 1,000; 100 when absent).
    limit: Option<i64>,
    /// Leads after this id: the `next_cursor` of the page before.
    cursor: Option<i64>,
}

/// A page of leads, in id order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadPage {
    leads: Vec<LeadRow>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<i64>,
}

/// Stored leads, filtered, a page at a time in id order.
#[utoipa::path(
    get,
    path = "/api/v1/leads",
    tag = "leads",
    params(LeadFilter),
    responses(
        (status = 200, description = "a page of leads", body = LeadPage),
        (status = 400, description = "`invalid_query`: a filter that does not clean, a number that does not parse", body = ErrorBody),
    ),
)]
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
        since: super::instant("since", &f.since)?,
        until: super::instant("until", &f.until)?,
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
                    ErrorCode::InvalidQuery,
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

/// One lead by its key.
#[utoipa::path(
    get,
    path = "/api/v1/leads/{key}",
    tag = "leads",
    params(("key" = String, Path, description = "the lead's key (`lead_key`)")),
    responses(
        (status = 200, description = "the lead", body = LeadRow),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
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
