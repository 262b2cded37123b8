//! The worker's per-row pipeline, natively, by stage: validation alone; validating with the
//! cells kept into the row store (each record's binary form, LZ4 by block, and the row's
//! facts); then a remap (every row made again from the store under another mapping, as the
//! worker's `remap`) and the error report made from the store (as a download is).
//! `cargo run --release -p leadsift-web --example pipeline FILE`: a native stand-in for the
//! browser benchmark's "whole pipeline ÷ validation alone" and "remap ÷ first validation".
use std::time::Instant;

use leadsift_core::report::error_report_lines;
use leadsift_core::{MappingOverrides, NaiveDate, Options, Row, Validator};
use leadsift_web::store::{Facts, Kept, RowStore};

fn options(keep_cells: bool) -> Options {
    let mut options = Options::new(NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"));
    options.keep_cells = keep_cells;
    options
}

fn rows(bytes: &[u8], v: &mut Validator, mut each: impl FnMut(Row)) {
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
        rows(&bytes, &mut Validator::new(options(false)), |r| {
            drop(std::hint::black_box(r));
        });
        let alone = t.elapsed();

        let mut store = RowStore::new();
        let t = Instant::now();
        let mut v = Validator::new(options(true));
        rows(&bytes, &mut v, |mut row| {
            let facts = Facts::of(&row, |_| None);
            store.push(facts, &Kept::take(&mut row));
        });
        let whole = t.elapsed();

        // A remap: the first mapped column becomes a custom column, every row made again.
        let replayer = v.replayer().expect("a header").clone().keeping_cells(false);
        let mut overrides = MappingOverrides::default();
        if let Some(c) = replayer.columns().iter().find(|c| c.field.is_some()) {
            overrides.0.insert(
                c.header.clone(),
                leadsift_core::mapping::Target::parse("extra").expect("a word"),
            );
        }
        let t = Instant::now();
        let mut replay = replayer.replay(v.summary(), &overrides, false);
        let mut facts = Vec::with_capacity(store.len());
        let n = store.len();
        store.visit(0, n, |_, k| {
            let row = replay.row(&k.cells.get(), k.record, k.line, k.read);
            facts.push(Facts::of(&row, |_| None));
        });
        let (replayer, _) = replay.finish();
        let remap = t.elapsed();

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
            "validation {alone:>8.1?} · into the store {whole:>8.1?} (ratio {:.2}) · remap {remap:>8.1?} (÷ first validation {:.2}) · error report from the store {errors:>8.1?}; store {} MB",
            alone.as_secs_f64() / whole.as_secs_f64(),
            remap.as_secs_f64() / whole.as_secs_f64(),
            store.memory() / 1_000_000
        );
    }
}
