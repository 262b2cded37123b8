//! `cargo bench -p leadsift-core`: validate throughput (each row lent, as the CLI reads; and
//! with every row returned owned) beside the `csv` crate's raw `ByteRecord` read of the same
//! bytes, in the same run, and the ratios between them; and the
//! home-written record splitter alone beside the same read (the measurement that keeps it
//! rather than `csv-core`).
//!
//! The input is `cargo xtask gen --rows 100000` (made once under `target/bench/`), or the file
//! named by `LEADSIFT_BENCH_FILE`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadsift_core::records::{Limits, RecordSplitter};
use leadsift_core::{Options, Validator};

fn input() -> Vec<u8> {
    if let Ok(path) = std::env::var("LEADSIFT_BENCH_FILE") {
        return std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("target/bench/leads-100k.csv");
    if !out.exists() {
        std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
        let spec = leadsift_testkit::generate::Spec {
            rows: 100_000,
            ..Default::default()
        };
        let mut file = std::io::BufWriter::new(std::fs::File::create(&out).expect("create"));
        leadsift_testkit::generate::generate(&spec, &mut file, None).expect("generate");
        std::io::Write::flush(&mut file).expect("flush");
    }
    std::fs::read(out).expect("bench input")
}

fn raw_read(bytes: &[u8]) -> usize {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr.read_byte_record(&mut rec).expect("csv") {
        n += rec.len();
    }
    n
}

/// The splitter alone, as the validator drives it: a UTF-8 check, then records.
fn split(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).expect("the bench file is UTF-8");
    let mut splitter = RecordSplitter::new(b',', Limits::default());
    let mut n = 0;
    splitter.push(text, &mut |r| n += r.field_count);
    splitter.finish(&mut |r| n += r.field_count);
    n
}

/// The validator as the CLI drives it: each row lent to a callback that counts it.
fn validate(bytes: &[u8]) -> u64 {
    let mut v = Validator::new(Options::new(
        leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    ));
    let mut n = 0;
    let mut count = |_: &leadsift_core::Replayer, _: &leadsift_core::Row| n += 1;
    for chunk in bytes.chunks(256 * 1024) {
        v.push_each(chunk, &mut count).expect("push");
    }
    v.finish_each(&mut count).expect("finish");
    n
}

/// The validator returning each chunk's rows, owned (what a caller that keeps rows uses).
fn validate_owned(bytes: &[u8]) -> u64 {
    let mut v = Validator::new(Options::new(
        leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    ));
    let mut n = 0;
    for chunk in bytes.chunks(256 * 1024) {
        n += v.push(chunk).expect("push").len() as u64;
    }
    n + v.finish().expect("finish").len() as u64
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort_unstable();
    xs[xs.len() / 2]
}

fn benches(c: &mut Criterion) {
    let bytes = input();
    let rows = validate(&bytes);
    let mut group = c.benchmark_group("leads-100k");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("csv ByteRecord read", |b| b.iter(|| raw_read(&bytes)));
    group.bench_function("leadsift split", |b| b.iter(|| split(&bytes)));
    group.bench_function("leadsift validate", |b| b.iter(|| validate(&bytes)));
    group.bench_function("leadsift validate, rows returned", |b| {
        b.iter(|| validate_owned(&bytes))
    });
    group.finish();

    // The ratio, from interleaved runs in this same process so that machine noise hits both.
    let (mut raw, mut spl, mut val, mut owned) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let t = Instant::now();
        std::hint::black_box(raw_read(&bytes));
        raw.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(split(&bytes));
        spl.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(validate(&bytes));
        val.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(validate_owned(&bytes));
        owned.push(t.elapsed());
    }
    let (raw, spl, val, owned) = (median(raw), median(spl), median(val), median(owned));
    let mb = bytes.len() as f64 / 1e6;
    println!();
    println!(
        "{:<26} {:>10} {:>12} {:>14}",
        "", "MB/s", "rows/s", "median time"
    );
    for (what, time) in [
        ("csv ByteRecord read", raw),
        ("leadsift split", spl),
        ("leadsift validate", val),
        ("validate, rows returned", owned),
    ] {
        let secs = time.as_secs_f64();
        println!(
            "{what:<26} {:>10.1} {:>12.0} {time:>14?}",
            mb / secs,
            rows as f64 / secs
        );
    }
    println!(
        "ratio split / raw read: {:.3} (the splitter, with its UTF-8 check, beside csv-core)",
        raw.as_secs_f64() / spl.as_secs_f64()
    );
    println!(
        "ratio validate / raw read: {:.3} (target >= 0.33)",
        raw.as_secs_f64() / val.as_secs_f64()
    );
    println!(
        "ratio validate with rows returned / raw read: {:.3}",
        raw.as_secs_f64() / owned.as_secs_f64()
    );
}

criterion_group!(group, benches);
criterion_main!(group);
