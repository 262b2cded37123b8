//! Times the validator by stage on one UTF-8 comma file: splitting records only; splitting and
//! cleaning every mapped cell; the whole validator (rows, issues, keys, summary); beside the
//! `csv` crate's raw `ByteRecord` read of the same text.
//! `cargo run --release -p leadsift-core --example stages FILE [--per-field]`; with
//! `--per-field`, also the time spent cleaning each field's cells (timer cost included).
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use leadsift_core::clean::{CleanOptions, clean};
use leadsift_core::records::{Limits, RawRecord, RecordSplitter};
use leadsift_core::{Field, Mapping, MappingOverrides, NaiveDate, Options, Validator};

/// Splits `text` and hands each data record's cells, with their fields, to `each`.
fn cells(text: &str, mut each: impl FnMut(Field, &str)) {
    let mut splitter = RecordSplitter::new(b',', Limits::default());
    let mut fields: Option<Vec<Option<Field>>> = None;
    let mut record = |r: &RawRecord| {
        let cells = r.fields();
        match &fields {
            None => {
                let mapping = Mapping::build(&cells, &MappingOverrides::default());
                fields = Some(mapping.columns.iter().map(|c| c.field).collect());
            }
            Some(fields) => {
                for (field, raw) in fields.iter().zip(cells) {
                    if let Some(field) = field {
                        each(*field, raw);
                    }
                }
            }
        }
    };
    splitter.push(text, &mut record);
    splitter.finish(&mut record);
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: stages FILE [--per-field]");
    let per_field = std::env::args().any(|a| a == "--per-field");
    let bytes = std::fs::read(path).expect("read");
    let text = std::str::from_utf8(&bytes).expect("a UTF-8 file");
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date");
    let options = CleanOptions::new(today);
    println!(
        "{:>12} {:>12} {:>14} {:>12}",
        "csv read", "split", "split + clean", "validate"
    );
    for _ in 0..3 {
        let t = Instant::now();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        while reader.read_byte_record(&mut record).expect("csv") {
            n += record.len();
        }
        std::hint::black_box(n);
        let csv_read = t.elapsed();

        let t = Instant::now();
        let mut splitter = RecordSplitter::new(b',', Limits::default());
        let mut n = 0usize;
        splitter.push(text, &mut |r| n += r.field_count);
        splitter.finish(&mut |r| n += r.field_count);
        std::hint::black_box(n);
        let split = t.elapsed();

        let t = Instant::now();
        cells(text, |field, raw| {
            std::hint::black_box(clean(field, raw, &options));
        });
        let cleaned = t.elapsed();

        let t = Instant::now();
        let mut v = Validator::new(Options::new(today));
        let mut rows = 0;
        for chunk in bytes.chunks(1 << 18) {
            rows += v.push(chunk).expect("push").len();
        }
        rows += v.finish().expect("finish").len();
        std::hint::black_box(rows);
        let whole = t.elapsed();
        println!("{csv_read:>12.1?} {split:>12.1?} {cleaned:>14.1?} {whole:>12.1?}");
    }
    if per_field {
        let mut per: BTreeMap<&'static str, (Duration, u32)> = BTreeMap::new();
        cells(text, |field, raw| {
            let t = Instant::now();
            std::hint::black_box(clean(field, raw, &options));
            let entry = per.entry(field.name()).or_default();
            entry.0 += t.elapsed();
            entry.1 += 1;
        });
        let mut per: Vec<_> = per.into_iter().collect();
        per.sort_by_key(|(_, (d, _))| std::cmp::Reverse(*d));
        for (name, (total, n)) in per {
            println!(
                "{name:<24} {total:>10.1?} {:>6} ns/cell",
                (total / n.max(1)).as_nanos()
            );
        }
    }
}
