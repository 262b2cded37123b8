//! The worker's per-row pipeline, natively, by stage: validation alone; validating with the
//! cells kept into the row store (each record's binary form and the row's standing; LZ4 by
//! block afterwards, as the idle worker does it); then a remap as the worker's `remap` does it
//! (each row's standing made again from its brief, [`leadsift_core::Restand`]) and as a full
//! replay (every row made again from its cells, as after an edit), and the error report made
//! from the store (as a download is).
//! `cargo run --release -p leadsift-web --example pipeline FILE`: a native stand-in for the
//! browser benchmark's "whole pipeline ÷ validation alone" and "remap ÷ first validation".
use std::time::Instant;

use leadsift_core::report::error_report_lines;
use leadsift_core::{MappingOverrides, NaiveDate, Options, Replayer, Row, Validator};
use leadsift_web::store::RowStore;

fn options(keep_cells: bool) -> Options {
    let mut options = Options::new(NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"));
    options.keep_cells = keep_cells;
    options
}

/// Each row lent by the validator, as the worker reads them.
fn rows(bytes: &[u8], v: &mut Validator, mut each: impl FnMut(&Replayer, &Row)) {
    for chunk in bytes.chunks(1 << 20) {
        v.push_each(chunk, &mut each).expect("push");
    }
    v.finish_each(&mut each).expect("finish");
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: pipeline FILE");
    let bytes = std::fs::read(path).expect("read");
    for _ in 0..3 {
        let t = Instant::now();
        rows(&bytes, &mut Validator::new(options(false)), |_, r| {
            std::hint::black_box(r);
        });
        let alone = t.elapsed();

        let mut store = RowStore::new();
        let t = Instant::now();
        let mut v = Validator::new(options(true));
        rows(&bytes, &mut v, |replayer, row| {
            store.keep_lent(replayer, row)
        });
        let whole = t.elapsed();
        // What the worker does once idle: the blocks left raw compressed.
        let t = Instant::now();
        while store.compress_some(64) {}
        let compress = t.elapsed();

        // A remap: the first mapped column becomes a custom column, every row made again.
        let replayer = v.replayer().expect("a header").clone().keeping_cells(false);
        let mut overrides = MappingOverrides::default();
        if let Some(c) = replayer.columns().iter().find(|c| c.field.is_some()) {
            overrides.0.insert(
                c.header.clone(),
                leadsift_core::mapping::Target::parse("extra").expect("a word"),
            );
        }
        let n = store.len();
        let t = Instant::now();
        let mut restand = replayer.restand(v.summary(), &overrides, false);
        let mut made = Vec::with_capacity(n);
        store.visit_briefly(0, n, |_, k, brief| {
            made.push(restand.row(&k.cells.get(), &k.edits, k.line, brief));
        });
        let (_, in_brief) = restand.finish();
        let remap = t.elapsed();

        let t = Instant::now();
        let mut replay = replayer.replay(v.summary(), &overrides, false);
        let mut made = Vec::with_capacity(n);
        store.visit(0, n, |_, k| {
            let row = replay.row(&k.cells.get(), k.record, k.line, k.read);
            made.push(replay.replayer().standing(&row));
        });
        let (replayer, full) = replay.finish();
        let replayed = t.elapsed();
        assert_eq!(in_brief, full, "the remap in brief counts as the full one");

        let t = Instant::now();
        let mut report = String::new();
        store.visit(0, n, |_, k| {
            let row = replayer.row(&k.cells.get(), k.record, k.line, k.read, k.replaces_line);
            report.push_str(&error_report_lines(&row));
            if report.len() > 4 << 20 {
                report.clear();
            }
        });
        let errors = t.elapsed();
        println!(
            "validation {alone:>8.1?} · into the store {whole:>8.1?} (ratio {:.2}; then compressing when idle {compress:>8.1?}) · remap {remap:>8.1?} (÷ first validation {:.2}; full replay {replayed:>8.1?}, {:.2}) · error report from the store {errors:>8.1?}; store {} MB",
            alone.as_secs_f64() / whole.as_secs_f64(),
            remap.as_secs_f64() / whole.as_secs_f64(),
            replayed.as_secs_f64() / whole.as_secs_f64(),
            store.memory() / 1_000_000
        );
    }
}
