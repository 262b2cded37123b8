//! The API document: OpenAPI 3.1, generated from the handlers' `#[utoipa::path]` annotations
//! and the types they send and receive, served at `GET /api/v1/openapi.json` and checked in
//! as `docs/openapi.json` (a test keeps the two equal).

use actix_web::HttpResponse;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi};

use super::{health, imports, leads, metrics, reconcile};
use crate::error::{ErrorBody, ErrorCode};
use crate::middleware::{is_guarded, is_probe, is_upload};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadsift",
        description = "Cleans and imports LeadConduit lead exports. Every error answers `{\"error\": code, \"message\": text}`; every 500 says only `internal` and the request id (also in the `x-request-id` header). With a token configured, every route but the probes needs `Authorization: Bearer <token>`.",
        license(name = "MIT"),
    ),
    paths(
        health::healthz,
        health::readyz,
        metrics::metrics,
        openapi_json,
        imports::create,
        imports::list,
        imports::upload_csv,
        imports::get,
        imports::put_batch,
        imports::finish,
        imports::abandon,
        imports::errors_csv,
        leads::create,
        leads::list,
        leads::get,
        reconcile::batch,
        reconcile::deliveries,
    ),
    components(schemas(ErrorBody, ErrorCode)),
    modifiers(&Guard),
    security(("bearer" = [])),
    tags(
        (name = "imports", description = "Import runs: start one, send numbered batches of cleaned rows, finish or abandon it; or upload a whole file"),
        (name = "leads", description = "Leads: one posted at a time (a LeadConduit delivery), and read back"),
        (name = "reconcile", description = "An export against the delivered leads: nothing is written"),
        (name = "probes", description = "Liveness, readiness and metrics"),
    ),
)]
#[derive(Debug)]
pub struct ApiDoc;

impl ApiDoc {
    /// The document as served and checked in: pretty JSON with a final newline.
    pub fn json() -> String {
        let mut text = ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"internal\", \"message\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "probes",
    responses((status = 200, description = "the OpenAPI 3.1 document", content_type = "application/json")),
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(ApiDoc::json())
}

/// What `middleware::guard` and `middleware::observe` may answer before or instead of a
/// handler, added to every operation they apply to (by the same predicates the guard uses),
/// and the bearer scheme.
struct Guard;

fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ErrorBody",
                ))))
                .build(),
        )
        .build()
}

/// Adds `status` with `codes` to `op`: to the description of the response it has for that
/// status, or as a new one.
fn add(op: &mut Operation, status: &str, codes: &str) {
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(r)) => {
            r.description = format!("{}; {codes}", r.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            op.responses
                .responses
                .insert(status.to_owned(), RefOr::T(error(codes)));
        }
    }
}

impl Modify for Guard {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "the server's token (`LEADSIFT_TOKEN`); required when one is configured",
                    ))
                    .build(),
            ),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Delete, &mut item.delete),
                (HttpMethod::Patch, &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let write = matches!(method, HttpMethod::Post | HttpMethod::Put);
                let method = match method {
                    HttpMethod::Post => actix_web::http::Method::POST,
                    HttpMethod::Put => actix_web::http::Method::PUT,
                    HttpMethod::Delete => actix_web::http::Method::DELETE,
                    HttpMethod::Patch => actix_web::http::Method::PATCH,
                    _ => actix_web::http::Method::GET,
                };
                // A template's segments stand for values; the guard's predicates look at the
                // route's fixed parts, which the template keeps.
                add(op, "400", "`invalid_request`: the address holds a NUL byte");
                if !is_probe(path) {
                    add(
                        op,
                        "403",
                        "`forbidden_host`, `cross_origin`: a server without a token answers only loopback host names and its own pages",
                    );
                }
                if is_guarded(path) {
                    add(
                        op,
                        "401",
                        "`unauthorized`, `invalid_token`: a token is configured and the request does not carry it",
                    );
                }
                if write && is_guarded(path) {
                    add(
                        op,
                        "413",
                        "`payload_too_large`: the declared body is over `max_body_bytes`",
                    );
                    add(
                        op,
                        "415",
                        "`unsupported_media_type`: the body's type is not one this route reads",
                    );
                }
                if is_upload(&method, &path.replace("{id}", "1")) {
                    let mut busy = error(
                        "`busy`: the server is handling `max_uploads` uploads; send again after `Retry-After` seconds",
                    );
                    busy.headers.insert(
                        "Retry-After".to_owned(),
                        HeaderBuilder::new()
                            .schema(
                                utoipa::openapi::ObjectBuilder::new()
                                    .schema_type(utoipa::openapi::schema::Type::Integer),
                            )
                            .description(Some("seconds"))
                            .build(),
                    );
                    op.responses
                        .responses
                        .insert("503".to_owned(), RefOr::T(busy));
                }
                add(
                    op,
                    "500",
                    "`internal`: the message names only the request id; the server's log has the rest",
                );
            }
        }
    }
}
