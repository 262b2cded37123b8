//! Import runs: create, send numbered batches, finish or abandon, read back; or post a whole
//! CSV, which is spooled, checked and imported off the event loop.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use leadsift_core::digest::FileDigest;
use leadsift_core::gzip::{GzipCheck, is_gzip};
use leadsift_core::report::ErrorLine;
use leadsift_core::wire::{BatchRowIn, WireRow, batch_checksum};
use leadsift_core::{ImportSource, Options, ReadError, Row, Validator};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::AppState;
use crate::error::ApiError;
use crate::middleware::RequestId;
use leadsift_store::import::{self, BatchAnswer, RunEnd, RunOptions};
use leadsift_store::models::RunRow;

/// The longest `file_name` a run may carry, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// The largest `mapping` a run may carry, as JSON text.
pub const MAX_MAPPING_BYTES: usize = 64 << 10;
/// The longest reason a client may give when it abandons a run, in bytes.
pub const MAX_REASON_BYTES: usize = 1000;

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map_or_else(|| "-".to_owned(), |r| r.0.clone())
}

fn record_run(id: i64) {
    tracing::Span::current().record("run_id", id);
}

/// A client's string, refused (with `code`: `invalid_body` or `invalid_query`) when it holds
/// NUL or is longer than `max` bytes.
fn checked_text(code: &'static str, name: &str, v: &str, max: usize) -> Result<(), ApiError> {
    if v.contains('\0') {
        return Err(ApiError::bad_request(
            code,
            format!("{name} holds a NUL byte"),
        ));
    }
    if v.len() > max {
        return Err(ApiError::bad_request(
            code,
            format!("{name} is {} bytes, more than the limit of {max}", v.len()),
        ));
    }
    Ok(())
}

fn checked_run_options(o: &RunOptions) -> Result<(), ApiError> {
    if o.file_name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "file_name must not be empty",
        ));
    }
    checked_text(
        "invalid_body",
        "file_name",
        &o.file_name,
        MAX_FILE_NAME_BYTES,
    )?;
    checked_text("invalid_body", "file_sha256", &o.file_sha256, 64)?;
    let mapping = o.mapping.to_string();
    if mapping.len() > MAX_MAPPING_BYTES {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "mapping is {} bytes of JSON, more than the limit of {MAX_MAPPING_BYTES}",
                mapping.len()
            ),
        ));
    }
    Ok(())
}

pub async fn create(
    state: web::Data<AppState>,
    body: web::Json<RunOptions>,
) -> Result<HttpResponse, ApiError> {
    let mut o = body.into_inner();
    checked_run_options(&o)?;
    o.import_source = ImportSource::Csv;
    let run = web::block(move || import::start_run(&state.db, &o)).await??;
    record_run(run.id);
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
    /// Optional: when given, it must be the batch's checksum (the recipe is in the README).
    #[serde(default)]
    checksum: Option<String>,
}

/// The JSON error of a batch body, as the JSON extractor would say it.
fn batch_json_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        ApiError::bad_request(
            "invalid_body",
            format!("the body does not have the expected shape: {e}"),
        )
    } else {
        ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
    }
}

/// `PUT /api/v1/imports/{id}/batches/{seq}`. The body is read as bytes (the guard has
/// checked the token and its declared size); parsing, validation and the write happen on
/// the blocking pool.
pub async fn put_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    if seq < 1 {
        return Err(ApiError::bad_request(
            "invalid_sequence",
            "batch numbers start at 1",
        ));
    }
    let rid = request_id(&req);
    let s = state.clone();
    let started = Instant::now();
    let answer = web::block(move || -> Result<BatchAnswer, ApiError> {
        let parsed: BatchBody =
            serde_json::from_slice(&body).map_err(|e| batch_json_error(&e))?;
        drop(body);
        let body = parsed;
        let most = s.settings.max_batch_rows;
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
        let run = import::get_run(&s.db, id)?
            .ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))?;
        let rows: Vec<WireRow> = body.rows.into_iter().map(BatchRowIn::into_wire).collect();
        // The idempotency record stands on what the server computes: a replay of the same rows
        // is recognised, and other rows under the same number conflict, checksum sent or not.
        let checksum = batch_checksum(&rows);
        if body.checksum.as_ref().is_some_and(|c| *c != checksum) {
            return Err(ApiError::bad_request(
                "checksum_mismatch",
                "the checksum does not match the rows: the batch was changed on the way, or computed differently",
            ));
        }
        // Never trust the client: every row is validated again by the core.
        let options = s.clean_options();
        let wire = rows;
        let rows: Vec<Row> = wire
            .iter()
            .map(|w| w.revalidate(&options, run.strict))
            .collect();
        // Several batches may be in the server at once: each holds no more copies than it needs.
        drop(wire);
        let batch = import::Batch::checked(rows, checksum);
        match import::apply_batch(&s.db, id, seq, &batch) {
            Ok(a) => Ok(a),
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() {
                    let why = format!(
                        "the server could not write batch {seq} (request id {rid})"
                    );
                    let _ = import::note_failure(&s.db, id, &why);
                }
                Err(e)
            }
        }
    })
    .await??;
    state
        .metrics
        .batch(&answer.counts, answer.replayed, started.elapsed());
    Ok(HttpResponse::Ok().json(answer))
}

pub async fn finish(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let run = web::block(move || import::finish_run(&state.db, id)).await??;
    Ok(HttpResponse::Ok().json(run))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbandonBody {
    /// Why the client gives up (shown in the history).
    reason: Option<String>,
}

/// `POST /api/v1/imports/{id}/abandon`: the client will send no more batches (the browser's
/// "Discard it", a command line that failed). The committed batches stay; the run ends
/// `abandoned` with the reason.
pub async fn abandon(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: Option<web::Json<AbandonBody>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let reason = body.and_then(|b| b.into_inner().reason);
    if let Some(r) = &reason {
        checked_text("invalid_body", "reason", r, MAX_REASON_BYTES)?;
    }
    let reason = match reason.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => format!("the client gave up: {r}"),
        _ => "discarded by the client".to_owned(),
    };
    let run =
        web::block(move || import::end_run(&state.db, id, RunEnd::Abandoned(&reason))).await??;
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
                out.push_str(
                    &ErrorLine {
                        line: u64::try_from(i.line).unwrap_or_default(),
                        record: u64::try_from(i.record).unwrap_or_default(),
                        column: i.column_name.as_deref().unwrap_or_default(),
                        field: i.field.as_deref().unwrap_or_default(),
                        code: &i.code,
                        severity: &i.severity,
                        message: &i.message,
                        raw: i.raw.as_deref().unwrap_or_default(),
                    }
                    .to_csv(),
                );
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
    /// Keep each lead's original row (on unless `original=false`).
    original: Option<bool>,
}

/// An upload on disk while it is read: removed when dropped, whatever happened.
#[derive(Debug)]
struct Spool {
    path: PathBuf,
}

impl Spool {
    /// A new file for the upload of request `request_id` (unique across this server's
    /// requests, and its prefix across processes).
    fn create(dir: &str, request_id: &str) -> std::io::Result<(Spool, std::fs::File)> {
        let dir = if dir.is_empty() {
            std::env::temp_dir()
        } else {
            PathBuf::from(dir)
        };
        let path = dir.join(format!("leadsift-upload-{request_id}.part"));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)?;
        Ok((Spool { path }, file))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn unreadable(e: &ReadError) -> ApiError {
    match e {
        ReadError::InflatedTooLarge { .. } | ReadError::InflationRatio { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            e.to_string(),
        ),
        _ => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_file",
            e.to_string(),
        ),
    }
}

/// `POST /api/v1/imports/csv`: a whole CSV (or gzip) as the body. It is spooled to disk as
/// it arrives (nothing is written to the database while the body may still fail), a gzip is
/// checked whole (a damaged or bomb-like one commits nothing), then the file is validated and
/// imported in batches as one run, all on the blocking pool. A run that cannot complete ends
/// `failed` with the reason.
pub async fn upload_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<UploadQuery>,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let file_name = q
        .file_name
        .clone()
        .unwrap_or_else(|| "upload.csv".to_owned());
    checked_text(
        "invalid_query",
        "file_name",
        &file_name,
        MAX_FILE_NAME_BYTES,
    )?;
    if file_name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "file_name must not be empty",
        ));
    }
    let limit = state.settings.max_body_bytes;
    let rid = request_id(&req);
    let (spool, file) = Spool::create(&state.settings.spool_dir, &rid)
        .map_err(|e| ApiError::internal(format!("could not spool the upload: {e}")))?;
    // The spool is written and hashed on the blocking pool, fed through a short channel.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<web::Bytes>(8);
    let writer = web::block(move || -> std::io::Result<(std::fs::File, String)> {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut sha = FileDigest::new();
        while let Some(chunk) = rx.blocking_recv() {
            sha.update(&chunk);
            file.write_all(&chunk)?;
        }
        let file = file.into_inner().map_err(|e| e.into_error())?;
        Ok((file, sha.finish()))
    });
    let mut received = 0usize;
    let mut failure = None;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                received += chunk.len();
                if received > limit {
                    failure = Some(ApiError::too_large(limit));
                    break;
                }
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                failure = Some(ApiError::bad_request(
                    "invalid_body",
                    format!("the body could not be read: {e}"),
                ));
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await?;
    if let Some(f) = failure {
        // Nothing was written to the database: no run exists for a body that never arrived.
        // The rest of the body is not read, so the connection cannot carry another request.
        let mut resp = actix_web::ResponseError::error_response(&f);
        resp.head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
        return Ok(resp);
    }
    let (file, digest) =
        written.map_err(|e| ApiError::internal(format!("could not spool the upload: {e}")))?;
    let s = state.clone();
    let (run, summary) = web::block(move || {
        // The spool lives until the import is done, whatever its end.
        let _spool = spool;
        import_spooled(&s, file, &q, file_name, digest, &rid)
    })
    .await??;
    record_run(run.id);
    Ok(HttpResponse::Ok().json(serde_json::json!({"run": run, "summary": summary})))
}

/// Reads a spooled upload twice when it is gzip (first to check the whole stream), then
/// validates and imports it as one run.
fn import_spooled(
    state: &AppState,
    mut file: std::fs::File,
    q: &UploadQuery,
    file_name: String,
    digest: String,
    request_id: &str,
) -> Result<(RunRow, leadsift_core::Summary), ApiError> {
    use std::io::Seek;
    let io =
        |e: std::io::Error| ApiError::internal(format!("could not read the spooled upload: {e}"));
    let limits = state.settings.read_limits();
    let mut buf = vec![0u8; 64 << 10];
    file.rewind().map_err(io)?;
    let mut head = [0u8; 2];
    let n = file.read(&mut head).map_err(io)?;
    if is_gzip(&head[..n]) {
        file.rewind().map_err(io)?;
        let mut check = GzipCheck::new(limits);
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            check.push(&buf[..n]).map_err(|e| unreadable(&e))?;
        }
        check.finish().map_err(|e| unreadable(&e))?;
    }
    file.rewind().map_err(io)?;
    let o = RunOptions {
        file_name,
        file_sha256: digest,
        dry_run: q.dry_run,
        force_refresh: q.force_refresh,
        strict: q.strict,
        import_source: ImportSource::Csv,
        mapping: Json::Null,
    };
    let run = import::start_run(&state.db, &o)?;
    let fail = |why: String, e: ApiError| {
        let _ = import::fail_run(&state.db, run.id, &why);
        e
    };
    let options = Options {
        strict: q.strict,
        limits,
        keep_original: q.original.unwrap_or(true),
        ..state.options()
    };
    let size = q.batch_size.unwrap_or(500).clamp(1, 10_000);
    let mut validator = Validator::new(options);
    let mut pending: Vec<Row> = Vec::new();
    let mut seq = 0i64;
    let write = |rows: Vec<Row>, seq: i64| -> Result<(), ApiError> {
        let started = Instant::now();
        let answer = import::apply_batch(&state.db, run.id, seq, &import::Batch::new(rows))
            .map_err(|e| {
                let e = ApiError::from(e);
                let why =
                    format!("the server could not write batch {seq} (request id {request_id})");
                fail(why, e)
            })?;
        state
            .metrics
            .batch(&answer.counts, answer.replayed, started.elapsed());
        Ok(())
    };
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| fail(format!("the spooled upload could not be read: {e}"), io(e)))?;
        let rows = if n == 0 {
            validator.finish()
        } else {
            validator.push(&buf[..n])
        };
        let rows = rows.map_err(|e| fail(e.to_string(), unreadable(&e)))?;
        pending.extend(rows);
        while pending.len() >= size || (n == 0 && !pending.is_empty()) {
            let rows: Vec<Row> = pending.drain(..pending.len().min(size)).collect();
            seq += 1;
            write(rows, seq)?;
        }
        if n == 0 {
            break;
        }
    }
    let summary = validator.summary().clone();
    let run = import::finish_run(&state.db, run.id)?;
    Ok((run, summary))
}
