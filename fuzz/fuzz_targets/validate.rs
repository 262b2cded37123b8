//! Any bytes, cut into chunks at positions taken from the input: the reader never panics,
//! every line is accounted for, and the chunking does not change the result.
#![no_main]

use leadsift_core::{Options, Validator};
use libfuzzer_sys::fuzz_target;

fn run(data: &[u8], cut: usize) -> Option<(usize, leadsift_core::Summary)> {
    let mut v = Validator::new(Options::new(leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date")));
    let mut rows = 0;
    for chunk in data.chunks(cut.max(1)) {
        rows += v.push(chunk).ok()?.len();
    }
    rows += v.finish().ok()?.len();
    Some((rows, v.summary().clone()))
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(1, |b| usize::from(*b) + 1);
    let whole = run(data, usize::MAX);
    let chunked = run(data, cut);
    if let (Some((rows, s)), Some((rows2, s2))) = (&whole, &chunked) {
        assert_eq!(s.rows, s.valid + s.warning + s.rejected + s.blank);
        assert_eq!(*rows as u64, s.rows - s.blank);
        assert_eq!((rows, s.rows, s.valid, s.rejected), (rows2, s2.rows, s2.valid, s2.rejected));
    }
    assert_eq!(whole.is_some(), chunked.is_some());
});
