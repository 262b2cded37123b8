//! The worker's per-row pipeline, natively, by stage: validation alone; then, validating with
//! the cells kept, each row's returns candidate, error-report and cleaned-CSV lines, and the
//! row store (its record's binary form, deflated by block). `cargo run --release -p leadsift-web --example pipeline FILE`: a native stand-in for
//! the browser benchmark's "whole pipeline ÷ validation alone", to find what the store costs.
use std::time::{Duration, Instant};

use leadsift_core::report::{cleaned_csv_line, error_report_lines};
use leadsift_core::returns::Candidate;
use leadsift_core::{NaiveDate, Options, Row, RowStatus, Validator};
use leadsift_web::store::{Kept, REJECTED, RowStore, VALID, WARNING};

fn rows(bytes: &[u8], keep_cells: bool, mut each: impl FnMut(Row)) {
    let mut options = Options::new(NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"));
    options.keep_cells = keep_cells;
    let mut v = Validator::new(options);
    for chunk in bytes.chunks(1 << 20) {
        v.push(chunk).expect("push").into_iter().for_each(&mut each);
    }
    v.finish().expect("finish").into_iter().for_each(&mut each);
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: pipeline FILE");
    let bytes = std::fs::read(path).expect("read");
    for _ in 0..3 {
        let t = Instant::now();
        rows(&bytes, false, |r| drop(std::hint::black_box(r)));
        let alone = t.elapsed();

        let mut stages = [Duration::ZERO; 4];
        let mut store = RowStore::new();
        let (mut errors, mut cleaned, mut candidates) = (String::new(), String::new(), Vec::new());
        let t = Instant::now();
        rows(&bytes, true, |mut row| {
            let s = Instant::now();
            candidates.extend(Candidate::of(&row));
            errors.push_str(&error_report_lines(&row));
            cleaned.push_str(&cleaned_csv_line(&row));
            if errors.len() > 4 << 20 {
                errors.clear();
            }
            if cleaned.len() > 4 << 20 {
                cleaned.clear();
            }
            stages[0] += s.elapsed();
            let s = Instant::now();
            let kept = Kept::take(&mut row);
            stages[1] += s.elapsed();
            let s = Instant::now();
            let status = match row.status {
                RowStatus::Valid => VALID,
                RowStatus::Warning => WARNING,
                RowStatus::Rejected => REJECTED,
            };
            store.push(status, &kept);
            stages[2] += s.elapsed();
            let s = Instant::now();
            drop(row);
            drop(kept);
            stages[3] += s.elapsed();
        });
        let whole = t.elapsed();
        println!(
            "validation {alone:>8.1?} · pipeline {whole:>8.1?} (ratio {:.2}): reports {:>8.1?}, record {:>8.1?}, store {:>8.1?}, drop {:>8.1?}; store {} MB",
            alone.as_secs_f64() / whole.as_secs_f64(),
            stages[0],
            stages[1],
            stages[2],
            stages[3],
            store.memory() / 1_000_000
        );
    }
}
