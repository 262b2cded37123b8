//! Building the server: bind a listener (port 0 in tests), register every route, run.

use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, middleware, web};
use anyhow::{Context, Result};

use crate::config::Settings;
use crate::error::{ApiError, json_error, path_error, query_error};
use crate::middleware::{guard, observe};
use crate::routes::{self, AppState};
use leadsift_store::{Database, redact};

pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens (and migrates) the database and binds the listener; refuses a non-loopback
    /// address without a token.
    pub fn build(settings: Settings) -> Result<Application> {
        settings.check()?;
        let db = Database::open(&settings.database_url, settings.pool_size).with_context(|| {
            format!(
                "could not open the database {}",
                redact(&settings.database_url)
            )
        })?;
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("could not listen on {}", settings.bind))?;
        let port = listener
            .local_addr()
            .context("the listener has no address")?
            .port();
        let server = run(listener, db, settings)?;
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

const NO_APP: &str = "<!doctype html><title>leadsift</title><h1>leadsift</h1>\
<p>The browser app is not built. Build it with <code>scripts/build-web.sh</code> (see README.md), \
 then restart <code>leadsift serve</code> from the repository (or set <code>LEADSIFT_WEB_DIR</code>); \
the API is at <code>/api/v1/</code> and <code>/healthz</code>.</p>";

/// The app's wasm and scripts: their `.gz` twin, compressed once at build time
/// (`gzip -9` in Trunk's post-build hook), when the client accepts gzip; else the file itself.
async fn precompressed(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let name = req.match_info().query("name").to_owned();
    if name.starts_with('.') {
        return Err(ApiError::not_found("no such route").into());
    }
    let plain = Path::new(&state.settings.web_dir).join(&name);
    let gz = plain.with_file_name(format!("{name}.gz"));
    let gzip_ok = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if gzip_ok && gz.is_file() {
        let body = web::block(move || std::fs::read(gz)).await??;
        let mime = if name.ends_with(".wasm") {
            "application/wasm"
        } else {
            "text/javascript; charset=utf-8"
        };
        return Ok(HttpResponse::Ok()
            .content_type(mime)
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .insert_header((header::VARY, "Accept-Encoding"))
            .body(body));
    }
    Ok(actix_files::NamedFile::open_async(plain)
        .await?
        .into_response(&req))
}

/// Registers every route on `listener`, and starts the sweep that ends abandoned runs.
pub fn run(listener: TcpListener, db: Database, settings: Settings) -> Result<Server> {
    let limit = settings.max_body_bytes;
    let web_dir = settings.web_dir.clone();
    let state = web::Data::new(AppState::new(db, settings));
    spawn_sweeper(state.clone());
    let server = HttpServer::new(move || {
        let app = App::new()
            // Outermost first: gzip for clients that ask (the app's wasm goes from 3.4 MB to
            // about 1 MB), then the span and access log, then the guard, then the routes.
            .wrap(middleware::from_fn(guard))
            .wrap(middleware::from_fn(observe))
            .wrap(actix_web::middleware::Compress::default())
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(limit)
                    .error_handler(json_error),
            )
            .app_data(web::PayloadConfig::new(limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(routes::configure);
        let app = if Path::new(&web_dir).join("index.html").exists() {
            app.route("/{name:[^/]+\\.(?:wasm|js)}", web::get().to(precompressed))
                .service(
                    actix_files::Files::new("/", &web_dir)
                        .index_file("index.html")
                        .path_filter(|path, _| {
                            // No dot-file or dot-directory is served (`.hidden.js`, `.git/`).
                            !path
                                .components()
                                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                        }),
                )
        } else {
            app.route(
                "/",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(NO_APP)
                }),
            )
        };
        app.default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::not_found("no such route"))
        }))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Ends runs that received nothing for `abandon_after_secs`, every quarter of that (between
/// one second and a minute). Several servers may sweep one database: a run ends once.
fn spawn_sweeper(state: web::Data<AppState>) {
    let idle = std::time::Duration::from_secs(state.settings.abandon_after_secs);
    let every = (idle / 4).clamp(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(60),
    );
    actix_web::rt::spawn(async move {
        loop {
            let s = state.clone();
            match web::block(move || leadsift_store::import::sweep_abandoned(&s.db, idle)).await {
                Ok(Ok(ended)) if !ended.is_empty() => {
                    tracing::info!(runs = ?ended, "abandoned runs ended");
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "the sweep of abandoned runs failed")
                }
                _ => {}
            }
            actix_web::rt::time::sleep(every).await;
        }
    });
}
