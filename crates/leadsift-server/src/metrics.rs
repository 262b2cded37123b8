//! The server's counters, rendered in Prometheus' text format at `/metrics`. Held in
//! `AppState` (no global registry): one set per server process.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use leadsift_core::Outcomes;
use leadsift_store::models::RunStatus;

/// Upper bounds (seconds) of the batch latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default)]
pub struct Metrics {
    rows: [AtomicU64; 6],
    batches: AtomicU64,
    replayed: AtomicU64,
    /// One count per bucket (not cumulative; summed when rendered), and one for +Inf.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_micros: AtomicU64,
    uploads_refused: AtomicU64,
    requests: AtomicU64,
    server_errors: AtomicU64,
}

const OUTCOMES: [&str; 6] = [
    "created",
    "updated",
    "unchanged",
    "existing",
    "rejected",
    "duplicate",
];

impl Metrics {
    /// A batch written (or answered from its idempotency record) in `took`.
    pub fn batch(&self, counts: &Outcomes, replayed: bool, took: Duration) {
        if replayed {
            self.replayed.fetch_add(1, Relaxed);
            return;
        }
        self.batches.fetch_add(1, Relaxed);
        let by = [
            counts.created,
            counts.updated,
            counts.unchanged,
            counts.existing,
            counts.rejected,
            counts.duplicates,
        ];
        for (slot, n) in self.rows.iter().zip(by) {
            slot.fetch_add(n, Relaxed);
        }
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Relaxed);
        self.latency_micros
            .fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    pub fn upload_refused(&self) {
        self.uploads_refused.fetch_add(1, Relaxed);
    }

    pub fn request(&self, status: u16) {
        self.requests.fetch_add(1, Relaxed);
        if status >= 500 {
            self.server_errors.fetch_add(1, Relaxed);
        }
    }

    /// The text exposition: these counters, `in_flight` uploads and the runs by status.
    pub fn render(&self, in_flight: usize, runs: &[(RunStatus, i64)]) -> String {
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (suffix, value) in samples {
                let _ = writeln!(out, "{name}{suffix} {value}");
            }
        };
        let load = |a: &AtomicU64| a.load(Relaxed).to_string();
        let rows: Vec<_> = OUTCOMES
            .iter()
            .zip(&self.rows)
            .map(|(o, n)| (format!("{{outcome=\"{o}\"}}"), load(n)))
            .collect();
        family(
            "leadsift_rows_total",
            "counter",
            "Rows of written batches, by outcome.",
            &rows,
        );
        family(
            "leadsift_batches_total",
            "counter",
            "Batches written.",
            &[(String::new(), load(&self.batches))],
        );
        family(
            "leadsift_batches_replayed_total",
            "counter",
            "Batches answered from their idempotency record.",
            &[(String::new(), load(&self.replayed))],
        );
        let mut cumulative = 0;
        let mut hist = Vec::new();
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.latency[i].load(Relaxed);
            hist.push((format!("_bucket{{le=\"{b}\"}}"), cumulative.to_string()));
        }
        cumulative += self.latency[BUCKETS.len()].load(Relaxed);
        hist.push(("_bucket{le=\"+Inf\"}".to_owned(), cumulative.to_string()));
        let sum = self.latency_micros.load(Relaxed) as f64 / 1e6;
        hist.push(("_sum".to_owned(), sum.to_string()));
        hist.push(("_count".to_owned(), cumulative.to_string()));
        family(
            "leadsift_batch_seconds",
            "histogram",
            "Time to validate and write one batch.",
            &hist,
        );
        let by_status: Vec<_> = RunStatus::ALL
            .iter()
            .map(|status| {
                let n = runs
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                let status = status.as_str();
                (format!("{{status=\"{status}\"}}"), n.to_string())
            })
            .collect();
        family(
            "leadsift_runs",
            "gauge",
            "Import runs in the database, by status.",
            &by_status,
        );
        family(
            "leadsift_uploads_in_flight",
            "gauge",
            "CSV uploads and batches being handled now.",
            &[(String::new(), in_flight.to_string())],
        );
        family(
            "leadsift_uploads_refused_total",
            "counter",
            "Uploads refused with 503 because max_uploads were in flight.",
            &[(String::new(), load(&self.uploads_refused))],
        );
        family(
            "leadsift_requests_total",
            "counter",
            "HTTP requests answered.",
            &[(String::new(), load(&self.requests))],
        );
        family(
            "leadsift_server_errors_total",
            "counter",
            "HTTP requests answered with a 5xx status.",
            &[(String::new(), load(&self.server_errors))],
        );
        out
    }
}
