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
use crate::error::{ApiError, ErrorBody, ErrorCode};
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
fn checked_text(code: ErrorCode, name: &str, v: &str, max: usize) -> Result<(), ApiError> {
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
            ErrorCode::InvalidBody,
            "file_name must not be empty",
        ));
    }
    checked_text(
        ErrorCode::InvalidBody,
        "file_name",
        &o.file_name,
        MAX_FILE_NAME_BYTES,
    )?;
    checked_text(ErrorCode::InvalidBody, "file_sha256", &o.file_sha256, 64)?;
    let mapping = o.mapping.to_string();
    if mapping.len() > MAX_MAPPING_BYTES {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!(
                "mapping is {} bytes of JSON, more than the limit of {MAX_MAPPING_BYTES}",
                mapping.len()
            ),
        ));
    }
    Ok(())
}

/// Starts a run: the batches that follow are counted, answered and kept in its history.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    request_body = RunOptions,
    responses(
        (status = 201, description = "the run, `running`", body = RunRow),
        (status = 400, description = "`invalid_json`, `invalid_body` (an empty or too long `file_name`, a `mapping` over 64 KiB, a `surface` that is the server's to say)", body = ErrorBody),
    ),
)]
pub async fn create(
    state: web::Data<AppState>,
    body: web::Json<RunOptions>,
) -> Result<HttpResponse, ApiError> {
    let mut o = body.into_inner();
    checked_run_options(&o)?;
    o.import_source = ImportSource::Csv;
    if !o.surface.client_may_claim() {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!(
                "surface {:?} is the server's to say: a client starts a run from browser, cli or api",
                o.surface.as_str()
            ),
        ));
    }
    let run = web::block(move || import::start_run(&state.db, &o)).await??;
    record_run(run.id);
    Ok(HttpResponse::Created().json(run))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many runs (1 to 500; 50 when absent).
    limit: Option<i64>,
    /// Only runs with a smaller id: the `next` of the page before.
    before: Option<i64>,
}

/// A page of the run history, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunPage {
    runs: Vec<RunRow>,
    /// Pass as `before` for the next page; null on the last page.
    next: Option<i64>,
}

/// The run history, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/imports",
    tag = "imports",
    params(Page),
    responses(
        (status = 200, description = "a page of runs", body = RunPage),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
    ),
)]
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

/// One run: its options, counts, status and times.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "imports",
    params(("id" = i64, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the run", body = RunRow),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let run = web::block(move || import::get_run(&state.db, id)).await??;
    run.map(|r| HttpResponse::Ok().json(r))
        .ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))
}

/// One numbered batch of cleaned rows.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchBody {
    /// At most `max_batch_rows` (500 by default) rows.
    rows: Vec<BatchRowIn>,
    /// Optional. When given, it must be the batch's checksum: SHA-256 as 64 lower-case hex
    /// digits over, row after row in order (FS, GS, RS, US are 0x1C…0x1F; text is UTF-8;
    /// name lists sorted byte for byte): 1. `record` and `line`, each 8 bytes little-endian
    /// unsigned; 2. each `invalid` entry, sorted by field, column (absent first), raw:
    /// `field RS column RS raw US`, then GS; 3. each `notes` entry in order: `code RS message
    /// US`, then GS; 4. each `lead` entry by name: `name RS`, then 0x01 and the value's text
    /// (or 0x00 for null), then US; then GS; 5. each `extra` entry by name: `name RS text
    /// US`, then GS; 6. each `original` entry by name: `name RS text US`, then FS. A value's
    /// text is the JSON string, or a number or boolean as written. The README has worked
    /// examples. Sent or not, the server computes it to recognise a replay.
    #[serde(default)]
    checksum: Option<String>,
}

/// A 413 for a batch of more than `most` rows.
pub(super) fn batch_rows_within(rows: usize, most: usize) -> Result<(), ApiError> {
    if rows <= most {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BatchTooLarge,
        format!("the batch holds {rows} rows, more than the limit of {most}: send smaller batches"),
    ))
}

/// The JSON error of a body read by hand (a batch, a posted lead), as the JSON extractor would
/// say it.
pub(super) fn batch_json_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!("the body does not have the expected shape: {e}"),
        )
    } else {
        ApiError::bad_request(
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON: {e}"),
        )
    }
}

/// Sends batch `seq` of a run.
///
/// Every row is validated again; the batch is written in one transaction. The same rows sent
/// again under the same number get the first answer again (`replayed: true`); other rows
/// under a number already received are a 409.
// The body is read as bytes (the guard has checked the token and its declared size);
// parsing, validation and the write happen on the blocking pool.
#[utoipa::path(
    put,
    path = "/api/v1/imports/{id}/batches/{seq}",
    tag = "imports",
    params(
        ("id" = i64, Path, description = "the run's id"),
        ("seq" = i64, Path, description = "the batch's number, from 1", minimum = 1),
    ),
    request_body = BatchBody,
    responses(
        (status = 200, description = "each row's outcome and issues, and the batch's counts", body = BatchAnswer),
        (status = 400, description = "`invalid_json`, `invalid_body`, `invalid_sequence`, `checksum_mismatch`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such run", body = ErrorBody),
        (status = 409, description = "`run_finished`, `batch_conflict`", body = ErrorBody),
        (status = 413, description = "`batch_too_large`: more rows than `max_batch_rows`", body = ErrorBody),
    ),
)]
pub async fn put_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    if seq < 1 {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidSequence,
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
        batch_rows_within(body.rows.len(), s.settings.max_batch_rows)?;
        let run = import::get_run(&s.db, id)?
            .ok_or_else(|| ApiError::not_found(format!("import run {id} does not exist")))?;
        let rows: Vec<WireRow> = body.rows.into_iter().map(BatchRowIn::into_wire).collect();
        // The idempotency record stands on what the server computes: a replay of the same rows
        // is recognised, and other rows under the same number conflict, checksum sent or not.
        let checksum = batch_checksum(&rows);
        if body.checksum.as_ref().is_some_and(|c| *c != checksum) {
            return Err(ApiError::bad_request(
                ErrorCode::ChecksumMismatch,
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

/// Ends a run `finished`: every batch arrived.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/finish",
    tag = "imports",
    params(("id" = i64, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the run, ended; a run that had already ended, as it is (its `status` says how)", body = RunRow),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn finish(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let run = web::block(move || import::finish_run(&state.db, id)).await??;
    Ok(HttpResponse::Ok().json(run))
}

/// Why a client gives up on a run (the body is optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbandonBody {
    /// Why the client gives up (shown in the history), at most 1,000 bytes.
    reason: Option<String>,
}

/// Ends a run `abandoned`: the client will send no more batches.
///
/// The browser's "Discard it", a command line that failed. The committed batches stay; the
/// run's `failure` holds the reason.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/abandon",
    tag = "imports",
    params(("id" = i64, Path, description = "the run's id")),
    request_body(content = Option<AbandonBody>, description = "optional"),
    responses(
        (status = 200, description = "the run, `abandoned`; a run that had already ended, as it is (its `status` says how)", body = RunRow),
        (status = 400, description = "`invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn abandon(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: Option<web::Json<AbandonBody>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let reason = body.and_then(|b| b.into_inner().reason);
    if let Some(r) = &reason {
        checked_text(ErrorCode::InvalidBody, "reason", r, MAX_REASON_BYTES)?;
    }
    let reason = match reason.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => format!("the client gave up: {r}"),
        _ => "discarded by the client".to_owned(),
    };
    let run =
        web::block(move || import::end_run(&state.db, id, RunEnd::Abandoned(&reason))).await??;
    Ok(HttpResponse::Ok().json(run))
}

/// The run's issues as a spreadsheet-safe CSV (cells that a spreadsheet would run as a
/// formula are escaped).
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}/errors.csv",
    tag = "imports",
    params(("id" = i64, Path, description = "the run's id")),
    responses(
        (status = 200, description = "`line,record,column,field,code,severity,message,raw`, one line per issue", body = String, content_type = "text/csv"),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The name the run's history shows (`upload.csv` when absent), at most 255 bytes.
    file_name: Option<String>,
    /// Validate and plan; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// Update existing leads whose content differs.
    #[serde(default)]
    force_refresh: bool,
    /// Reject every row that has an error.
    #[serde(default)]
    strict: bool,
    /// Rows per batch (1 to 10,000; 500 when absent).
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
            ErrorCode::PayloadTooLarge,
            e.to_string(),
        ),
        _ => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UnreadableFile,
            e.to_string(),
        ),
    }
}

/// What an upload did: its run and the file's summary.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadAnswer {
    run: RunRow,
    summary: leadsift_core::Summary,
}

/// Imports a whole CSV file (or its gzip) sent as the body, as one run.
///
/// Nothing is written while the body may still fail (it is spooled to disk as it arrives); a
/// gzip is checked whole first (a damaged or bomb-like one commits nothing). A run that cannot
/// complete ends `failed` with the reason.
// Spooling, validation and the import run on the blocking pool.
#[utoipa::path(
    post,
    path = "/api/v1/imports/csv",
    tag = "imports",
    params(UploadQuery),
    request_body(
        description = "the file itself, up to `max_body_bytes`",
        content(
            (String = "text/csv"),
            (Vec<u8> = "application/gzip"),
            (Vec<u8> = "application/octet-stream"),
        ),
    ),
    responses(
        (status = 200, description = "the run (finished) and the file's summary", body = UploadAnswer),
        (status = 400, description = "`invalid_query`, `invalid_body`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body, or a gzip inflated, is past the limits", body = ErrorBody),
        (status = 422, description = "`unreadable_file`", body = ErrorBody),
    ),
)]
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
        ErrorCode::InvalidQuery,
        "file_name",
        &file_name,
        MAX_FILE_NAME_BYTES,
    )?;
    if file_name.trim().is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
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
                    ErrorCode::InvalidBody,
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
    Ok(HttpResponse::Ok().json(UploadAnswer { run, summary }))
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
        surface: leadsift_core::Surface::Upload,
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
        let answer =
            import::apply_batch(&state.db, run.id, seq, &import::Batch::written_once(rows))
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
