//! Import runs: create, send numbered batches, finish, read back; or post a whole CSV.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use leadsift_core::judge::{BatchRowIn, WireRow, batch_checksum};
use leadsift_core::report::csv_cell;
use leadsift_core::{Options, Row, Validator};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::AppState;
use crate::db::models::RunRow;
use crate::error::ApiError;
use crate::import::{self, BatchAnswer, RunOptions};

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RunOptions>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&req)?;
    let mut o = body.into_inner();
    if o.file_name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "file_name must not be empty",
        ));
    }
    o.import_source = "csv".to_owned();
    let run = web::block(move || import::start_run(&state.db, &o)).await??;
    Ok(HttpResponse::Created().json(run))
}

#[derive(Debug, Deserialize)]
pub struct Page {
    limit: Option<i64>,
    before: Option<i64>,
}

#[derive(Debug, Serialize)]
struct RunPage {
    runs: Vec<RunRow>,
    /// Pass as `before` for the next page; absent on the last page.
    next: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit.unwrap_or(50).clamp(1, 500);
    let before = page.before;
    let runs = web::block(move || import::list_runs(&state.db, limit, before)).await??;
    let next = (runs.len() as i64 == limit)
        .then(|| runs.last().map(|r| r.id))
        .flatten();
    Ok(HttpResponse::Ok().json(RunPage { runs, next }))
}

pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let run = web::block(move || import::get_run(&state.db, id)).await??;
    run.map(|r| HttpResponse::Ok().json(r))
        .ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))
}

#[derive(Debug, Deserialize)]
pub struct BatchBody {
    rows: Vec<BatchRowIn>,
    checksum: String,
}

pub async fn put_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: web::Json<BatchBody>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&req)?;
    let (id, seq) = path.into_inner();
    if seq < 1 {
        return Err(ApiError::bad_request(
            "invalid_sequence",
            "batch numbers start at 1",
        ));
    }
    let body = body.into_inner();
    let most = state.settings.max_batch_rows;
    if body.rows.len() > most {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "the batch holds {} rows, more than the limit of {most}: send smaller batches",
                body.rows.len()
            ),
        ));
    }
    let answer = web::block(move || -> Result<BatchAnswer, ApiError> {
        let run = import::get_run(&state.db, id)?.ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))?;
        let rows: Vec<WireRow> = body.rows.into_iter().map(BatchRowIn::into_wire).collect();
        if batch_checksum(&rows) != body.checksum {
            return Err(ApiError::bad_request("checksum_mismatch", "the checksum does not match the rows: the batch was changed on the way, or computed differently"));
        }
        // Never trust the client: every row is validated again by the core.
        let options = state.clean_options();
        let wire = rows;
        let rows: Vec<Row> = wire.iter().map(|w| w.revalidate(&options, run.strict)).collect();
        // Two batches may be in the server at once: each holds no more copies than it needs.
        drop(wire);
        let batch = import::Batch::checked(rows, body.checksum);
        Ok(import::apply_batch(&state.db, id, seq, &batch)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
}

pub async fn finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&req)?;
    let id = id.into_inner();
    let run = web::block(move || import::finish_run(&state.db, id)).await??;
    Ok(HttpResponse::Ok().json(run))
}

/// The run's issues as a spreadsheet-safe CSV.
pub async fn errors_csv(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = web::block(move || -> Result<String, ApiError> {
        import::get_run(&state.db, id)?
            .ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))?;
        let mut out = String::from(leadsift_core::report::ERROR_REPORT_HEADER);
        let mut after = 0;
        loop {
            let page = import::run_issues(&state.db, id, after, 10_000)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for i in &page {
                let cells = [
                    i.line.to_string(),
                    i.record.to_string(),
                    i.column_name.clone().unwrap_or_default(),
                    i.field.clone().unwrap_or_default(),
                    i.code.clone(),
                    i.severity.clone(),
                    i.message.clone(),
                    i.raw.clone().unwrap_or_default(),
                ];
                out.push_str(
                    &cells
                        .iter()
                        .map(|c| csv_cell(c))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push('\n');
            }
        }
        Ok(out)
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"import-{id}-errors.csv\""),
        ))
        .body(body))
}

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    file_name: Option<String>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    force_refresh: bool,
    #[serde(default)]
    strict: bool,
    batch_size: Option<usize>,
}

/// A whole CSV as the body: streamed through the core on the server, in batches, as one run.
pub async fn upload_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<UploadQuery>,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&req)?;
    let q = query.into_inner();
    let limit = state.settings.max_body_bytes;
    let batch = q.batch_size.unwrap_or(500).clamp(1, 10_000);
    let o = RunOptions {
        file_name: q.file_name.unwrap_or_else(|| "upload.csv".to_owned()),
        file_sha256: String::new(),
        dry_run: q.dry_run,
        force_refresh: q.force_refresh,
        strict: q.strict,
        import_source: "csv".to_owned(),
        mapping: Json::Null,
    };
    let s = state.clone();
    let run = web::block(move || import::start_run(&s.db, &o)).await??;
    let options = Options {
        clean: state.clean_options(),
        strict: q.strict,
        ..Options::default()
    };
    let mut validator = Validator::new(options);
    let mut pending: Vec<Row> = Vec::new();
    let mut seq = 0i64;
    let mut received = 0usize;
    let mut sha = sha2::Sha256::new();
    let mut failure: Option<ApiError> = None;
    use sha2::Digest;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("invalid_body", format!("the body could not be read: {e}"))
        })?;
        received += chunk.len();
        if received > limit {
            failure = Some(ApiError::too_large(limit));
            break;
        }
        sha.update(&chunk);
        match validator.push(&chunk) {
            Ok(rows) => pending.extend(rows),
            Err(e) => {
                failure = Some(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unreadable_file",
                    e.to_string(),
                ));
                break;
            }
        }
        while pending.len() >= batch {
            let rows: Vec<Row> = pending.drain(..batch).collect();
            seq += 1;
            write(&state, run.id, seq, rows).await?;
        }
    }
    if failure.is_none() {
        match validator.finish() {
            Ok(rows) => pending.extend(rows),
            Err(e) => {
                failure = Some(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unreadable_file",
                    e.to_string(),
                ))
            }
        }
    }
    if let Some(f) = failure {
        let s = state.clone();
        let _ = web::block(move || import::fail_run(&s.db, run.id)).await;
        return Err(f);
    }
    while !pending.is_empty() {
        let rows: Vec<Row> = pending.drain(..pending.len().min(batch)).collect();
        seq += 1;
        write(&state, run.id, seq, rows).await?;
    }
    let digest: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let summary = validator.summary().clone();
    let s = state.clone();
    let run = web::block(move || -> Result<RunRow, ApiError> {
        import::set_digest(&s.db, run.id, &digest)?;
        Ok(import::finish_run(&s.db, run.id)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({"run": run, "summary": summary})))
}

async fn write(
    state: &web::Data<AppState>,
    run: i64,
    seq: i64,
    rows: Vec<Row>,
) -> Result<(), ApiError> {
    let s = state.clone();
    web::block(move || import::apply_batch(&s.db, run, seq, &import::Batch::new(rows)).map(|_| ()))
        .await??;
    Ok(())
}
