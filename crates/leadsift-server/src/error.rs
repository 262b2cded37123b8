//! The API's one error type: every failure renders `{"error": code, "message": ...}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use leadsift_store::StoreError;
use leadsift_store::import::ImportError;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal; )*) => {
        /// Every `error` code the API answers with: documented strings, stable (new codes may
        /// be added; existing ones never change).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ErrorCode { $( $(#[doc = $doc])* $variant ),* }

        impl ErrorCode {
            /// Every code (a test holds `as_str` to what the body writes).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant ),* ];

            /// The code as the body's `error` says it.
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name ),* }
            }
        }
    };
}

error_codes! {
    /// The address holds a NUL byte.
    InvalidRequest = "invalid_request";
    /// A server without a token (or with `allowed_hosts`) was reached under another host name.
    ForbiddenHost = "forbidden_host";
    /// A page on another site sent the request to a server without a token.
    CrossOrigin = "cross_origin";
    /// No `Authorization: Bearer <token>` header.
    Unauthorized = "unauthorized";
    /// The token is not this server's.
    InvalidToken = "invalid_token";
    /// The body is larger than the server's limit.
    PayloadTooLarge = "payload_too_large";
    /// The body's `Content-Type` is not one the route reads.
    UnsupportedMediaType = "unsupported_media_type";
    /// The server is handling as many uploads as it may: send again after `Retry-After`.
    Busy = "busy";
    /// The body does not have the route's shape, or a value in it breaks a limit.
    InvalidBody = "invalid_body";
    /// The body is not JSON.
    InvalidJson = "invalid_json";
    /// A query parameter does not parse or breaks a limit.
    InvalidQuery = "invalid_query";
    /// A batch number below 1.
    InvalidSequence = "invalid_sequence";
    /// No such route, run or lead.
    NotFound = "not_found";
    /// The run has ended: start a new one.
    RunFinished = "run_finished";
    /// This batch number was received before with other rows.
    BatchConflict = "batch_conflict";
    /// The batch holds more rows than `max_batch_rows`.
    BatchTooLarge = "batch_too_large";
    /// The `checksum` sent is not the rows' checksum.
    ChecksumMismatch = "checksum_mismatch";
    /// The uploaded file cannot be read as a CSV (a damaged gzip, a binary file).
    UnreadableFile = "unreadable_file";
    /// The database does not answer (`/readyz`).
    DatabaseUnavailable = "database_unavailable";
    /// A failure of the server's own: the body names only the request id.
    Internal = "internal";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorCode,
    /// What went wrong, for a person: lower-case, no trailing period.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds for a `Retry-After` header (a 503 when the server is busy).
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// A failure of the server's own: the message (the error's whole chain) goes to the log
    /// only; the client's body says `internal` and the request id (`middleware::observe`).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            format!("{e:#}"),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than the limit of {limit} bytes"),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        if let Some(s) = self.retry_after {
            r.insert_header((actix_web::http::header::RETRY_AFTER, s.to_string()));
        }
        r.json(ErrorBody {
            error: self.code,
            message: self.message.clone(),
        })
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::RunNotFound(_) => ApiError::not_found(e.to_string()),
            ImportError::RunFinished(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::RunFinished, e.to_string())
            }
            ImportError::Conflict { .. } => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::BatchConflict,
                e.to_string(),
            ),
            ImportError::Store(e) => ApiError::from(e),
            _ => ApiError::internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

/// JSON bodies that do not parse: 400 with the parser's words, 413 over the limit.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => ApiError::too_large(*limit),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ),
        J::Deserialize(e) if e.is_data() => ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!("the body does not have the expected shape: {e}"),
        ),
        J::Deserialize(e) => ApiError::bad_request(
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON: {e}"),
        ),
        other => ApiError::bad_request(
            ErrorCode::InvalidBody,
            format!("the body could not be read: {other}"),
        ),
    };
    api.into()
}

/// Query strings that do not parse: 400.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request(
        ErrorCode::InvalidQuery,
        format!("the query string is not valid: {err}"),
    )
    .into()
}

/// Path segments that do not parse (`/imports/abc`): 404, as no such resource exists.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::not_found(format!("no such resource: {err}")).into()
}
