//! Streams a file through the validator, each row lent and counted: `cargo run --release --example profile FILE`
//! (for `perf record`; the benchmark is `cargo bench -p leadsift-core`).
fn main() {
    let path = std::env::args().nth(1).expect("usage: profile FILE");
    let bytes = std::fs::read(path).expect("read");
    let t = std::time::Instant::now();
    let mut v = leadsift_core::Validator::new(leadsift_core::Options::new(
        leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    ));
    let mut n = 0;
    let mut count = |_: &leadsift_core::Replayer, _: &leadsift_core::Row| n += 1;
    for c in bytes.chunks(1 << 18) {
        v.push_each(c, &mut count).expect("push");
    }
    v.finish_each(&mut count).expect("finish");
    eprintln!("{n} rows in {:?}", t.elapsed());
}
