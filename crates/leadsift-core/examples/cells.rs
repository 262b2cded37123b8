//! Nanoseconds per `clean` call for one typical value of each kind, to find the slow cleaner:
//! `cargo run --release -p leadsift-core --example cells [PREFIX]` (the row path's whole
//! speed is `cargo bench -p leadsift-core`; `--example stages` splits it by stage).
use leadsift_core::clean::{CleanOptions, clean};
use leadsift_core::{Field, NaiveDate};

const CASES: &[(&str, Field, &str)] = &[
    ("text", Field::Comments, "Call after 5pm"),
    ("name", Field::FirstName, " Aaliyah "),
    ("email", Field::Email, " michael.hall318@icloud.com "),
    ("phone us", Field::Phone1, "+1 212 301 7386"),
    ("phone caribbean", Field::Phone1, "876 301 7386"),
    ("state", Field::State, "DISTRICT OF COLUMBIA"),
    ("postal code", Field::PostalCode, "20001-4235"),
    ("timestamp", Field::SubmittedAt, "2025-09-24T23:11:52Z"),
    ("date", Field::Dob, "4/7/1944"),
    ("price", Field::Price, "$93.20"),
    ("boolean", Field::IsDuplicate, "yes"),
    ("ip", Field::IpAddress, "214.53.171.218"),
    (
        "url",
        Field::LandingPage,
        "https://apply.example.com/medicare-aep?src=46",
    ),
    (
        "trustedform",
        Field::TrustedformCertUrl,
        "https://cert.trustedform.com/d91e17bb519f17a0c0be8ae0471334aecb1756a3",
    ),
    (
        "jornaya",
        Field::UniversalLeadid,
        "1753E33E-5D91-7291-9EC0-8E2BE8102113",
    ),
];

fn main() {
    let only = std::env::args().nth(1).unwrap_or_default();
    let options = CleanOptions::new(NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"));
    let calls = 2_000_000u32;
    for (name, field, raw) in CASES.iter().filter(|(n, _, _)| n.starts_with(&only)) {
        let start = std::time::Instant::now();
        for _ in 0..calls {
            std::hint::black_box(clean(*field, std::hint::black_box(raw), &options));
        }
        let each = start.elapsed() / calls;
        println!("{name:<16} {:>6} ns", each.as_nanos());
    }
}
