//! `leadsift import --server URL`: the rows go through the HTTP batch API instead of straight
//! into a database. A batch that fails on the way (a connection refused, a server restarting,
//! a 5xx) is sent again with backoff; the server's idempotency makes that safe.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use leadsift_core::judge::Outcomes;
use leadsift_core::reconcile::Finding;
use leadsift_core::wire::BatchRowJson;
use leadsift_store::import::Batch;
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value as Json;

/// How long one batch may keep failing before the import gives up.
const PATIENCE: Duration = Duration::from_secs(120);

#[derive(Debug)]
pub struct Remote {
    base: String,
    token: Option<String>,
    http: Client,
    run: i64,
}

fn error_text(r: Response) -> String {
    let status = r.status();
    match r.json::<Json>() {
        Ok(b) => format!(
            "{status}: {}",
            b["message"].as_str().unwrap_or("no message")
        ),
        Err(_) => status.to_string(),
    }
}

/// A page of deliveries: the stored leads' keys, and where the next page starts.
#[derive(Debug)]
pub struct DeliveryPage {
    pub keys: Vec<String>,
    pub next: Option<i64>,
}

/// Where to send the rows instead of a database: a leadsift server.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Send the rows to a leadsift server's API instead of reading or writing a database.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The server's bearer token (also LEADSIFT_TOKEN).
    #[arg(long, requires = "server")]
    token: Option<String>,
}

impl ServerArgs {
    /// The server and its token, when one is given (an empty token is a usage error).
    pub fn remote(&self) -> Result<Option<(String, Option<String>)>> {
        let Some(url) = &self.server else {
            return Ok(None);
        };
        let token = self
            .token
            .clone()
            .or_else(|| std::env::var("LEADSIFT_TOKEN").ok());
        if token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(crate::input::Usage(
                "the token is empty: give the server's token, or none for a server without one"
                    .to_owned(),
            )
            .into());
        }
        Ok(Some((url.clone(), token)))
    }
}

impl Remote {
    /// A client of the server at `base`, for requests outside a run.
    pub fn connect(base: &str, token: Option<String>) -> Result<Remote> {
        let http = Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Remote {
            base: base.trim_end_matches('/').to_owned(),
            token,
            http,
            run: 0,
        })
    }

    /// Starts a run on the server.
    pub fn start(base: &str, token: Option<String>, run: Json) -> Result<Remote> {
        let mut remote = Remote::connect(base, token)?;
        let url = format!("{}/api/v1/imports", remote.base);
        let r = remote.send(|| remote.http.post(&url).json(&run))?;
        let body: Json = r
            .json()
            .context("the server's answer to the new run is not JSON")?;
        remote.run = body["id"]
            .as_i64()
            .context("the server's answer has no run id")?;
        Ok(remote)
    }

    pub fn run_id(&self) -> i64 {
        self.run
    }

    /// Sends a request until it gets an answer that is not a server or network failure.
    fn send(&self, request: impl Fn() -> RequestBuilder) -> Result<Response> {
        let started = Instant::now();
        let mut wait = Duration::from_millis(200);
        loop {
            let mut req = request();
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            let retry_reason = match req.send() {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r)
                    if r.status().is_server_error()
                        || r.status() == StatusCode::TOO_MANY_REQUESTS =>
                {
                    error_text(r)
                }
                Ok(r) => bail!("the server refused: {}", error_text(r)),
                Err(e) => e.to_string(),
            };
            if started.elapsed() > PATIENCE {
                bail!(
                    "the server did not answer for {} s: {retry_reason}",
                    PATIENCE.as_secs()
                );
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }

    /// Sends batch `seq`; safe to send again.
    pub fn batch(&self, seq: i64, batch: &Batch) -> Result<Outcomes> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            rows: Vec<BatchRowJson<'a>>,
            checksum: &'a str,
        }
        let body = serde_json::to_vec(&Body {
            rows: batch.rows().iter().map(BatchRowJson).collect(),
            checksum: batch.checksum(),
        })
        .context("could not encode the batch")?;
        let url = format!("{}/api/v1/imports/{}/batches/{seq}", self.base, self.run);
        let r = self.send(|| {
            self.http
                .put(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
        })?;
        // Only the counts are read: the per-row results are the server's record.
        #[derive(serde::Deserialize)]
        struct Answer {
            counts: Outcomes,
        }
        let answer: Answer = r
            .json()
            .context("the server's answer to a batch has no counts")?;
        Ok(answer.counts)
    }

    /// Tells the server this run will get no more batches, and why (one attempt).
    pub fn abandon(&self, why: &str) -> Result<()> {
        let url = format!("{}/api/v1/imports/{}/abandon", self.base, self.run);
        let reason: String = why.chars().take(900).collect();
        let mut req = self
            .http
            .post(&url)
            .json(&serde_json::json!({ "reason": reason }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        req.send()
            .and_then(Response::error_for_status)
            .map(|_| ())
            .context("could not tell the server that the import stopped")
    }

    /// Each row's finding against the server's delivered leads (nothing is written).
    pub fn reconcile(&self, rows: &[leadsift_core::Row]) -> Result<Vec<Finding>> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            rows: Vec<BatchRowJson<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            findings: Vec<Finding>,
        }
        let body = serde_json::to_vec(&Body {
            rows: rows.iter().map(BatchRowJson).collect(),
        })
        .context("could not encode the rows")?;
        let url = format!("{}/api/v1/reconcile", self.base);
        let r = self.send(|| {
            self.http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
        })?;
        let answer: Answer = r
            .json()
            .context("the server's answer to a reconciliation is not its findings")?;
        Ok(answer.findings)
    }

    /// A page of the leads delivered from `from` to `to` (RFC 3339), after id `after`: their
    /// keys, and the `after` of the next page.
    pub fn deliveries(&self, from: &str, to: &str, after: i64) -> Result<DeliveryPage> {
        #[derive(serde::Deserialize)]
        struct Delivery {
            lead_key: String,
        }
        #[derive(serde::Deserialize)]
        struct Page {
            deliveries: Vec<Delivery>,
            next: Option<i64>,
        }
        let url = format!("{}/api/v1/reconcile/deliveries", self.base);
        let r = self.send(|| {
            self.http.get(&url).query(&[
                ("from", from),
                ("to", to),
                ("after", &after.to_string()),
                ("limit", "5000"),
            ])
        })?;
        let page: Page = r
            .json()
            .context("the server's page of deliveries does not read")?;
        Ok(DeliveryPage {
            keys: page.deliveries.into_iter().map(|d| d.lead_key).collect(),
            next: page.next,
        })
    }

    pub fn finish(&self) -> Result<()> {
        let url = format!("{}/api/v1/imports/{}/finish", self.base, self.run);
        self.send(|| self.http.post(&url)).map(|_| ())
    }
}
