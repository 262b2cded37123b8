//! `leadsift import --server URL`: the rows go through the HTTP batch API instead of straight
//! into a database. A batch that fails on the way (a connection refused, a server restarting,
//! a 5xx) is sent again with backoff; the server's idempotency makes that safe.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use leadsift_core::judge::Outcomes;
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

impl Remote {
    /// Starts a run on the server.
    pub fn start(base: &str, token: Option<String>, run: Json) -> Result<Remote> {
        let http = Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .context("could not set up the HTTP client")?;
        let mut remote = Remote {
            base: base.trim_end_matches('/').to_owned(),
            token,
            http,
            run: 0,
        };
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

    pub fn finish(&self) -> Result<()> {
        let url = format!("{}/api/v1/imports/{}/finish", self.base, self.run);
        self.send(|| self.http.post(&url)).map(|_| ())
    }
}
