//! Any text for any field: cleaning never panics and is idempotent.
#![no_main]

use leadsift_core::Field;
use leadsift_core::clean::{CleanOptions, clean};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(raw) = std::str::from_utf8(rest) else { return };
    let field = Field::ALL[usize::from(which) % Field::ALL.len()];
    let options = CleanOptions::new(leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"));
    if let Some(value) = clean(field, raw, &options).value {
        let again = clean(field, &value.to_text(), &options);
        assert_eq!(again.value.as_ref(), Some(&value), "{field}: {raw:?}");
    }
});
