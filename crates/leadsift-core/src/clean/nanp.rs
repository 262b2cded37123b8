//! libphonenumber's verdict on North American numbers, without its per-call costs.
//!
//! The `phonenumber` crate keeps its compiled patterns in a 100-entry LRU behind a mutex and
//! hashes each pattern's source on every use; NANP validity alone touches far more patterns
//! than that, so each call recompiles. And its database of every country loads whole on first
//! use (every pattern parsed: 60 to 130 ms natively here, more in the browser). This table
//! compiles the same metadata's NANP patterns once, from `nanp_table.rs` (generated from the
//! crate by `cargo xtask nanp`; a test checks it is current), and applies the crate's own
//! decision procedure (`phonenumber::is_valid_with` for country code 1): the first region whose
//! leading digits match, or that has no leading digits and recognises the number, is chosen;
//! the number is valid when that region's general pattern and one of its type patterns match
//! it. A property test checks agreement with `phonenumber::is_valid`.
//!
//! The patterns compile without Unicode classes: the input is ten ASCII digits,
//! on which `\d` means the same either way, and the ASCII forms compile in a fifth of the time.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

#[rustfmt::skip]
#[path = "nanp_table.rs"]
mod table;

/// One region's patterns as the metadata gives them (`nanp_table.rs`).
pub(super) struct Patterns {
    pub(super) leading: Option<&'static str>,
    pub(super) general: &'static str,
    /// Whether ten digits is a possible length of the general pattern.
    pub(super) general_admits_ten: bool,
    /// The type patterns (fixed line, mobile, toll free, …) whose lengths admit ten digits.
    pub(super) types: &'static [&'static str],
}

/// Compiles metadata patterns as the crate does (white space in the XML is layout), anchored at
/// the start as its `find(..).start() == 0` test is; several are one alternation, which
/// matches exactly when one of them does. Each stands on its own line, so that no `#` (a
/// comment under `ignore_whitespace`) could reach past its own pattern.
fn compile<'a>(sources: impl IntoIterator<Item = &'a str>) -> Option<Regex> {
    let alternatives: Vec<String> = sources.into_iter().map(|s| format!("(?:{s}\n)")).collect();
    if alternatives.is_empty() {
        return None;
    }
    RegexBuilder::new(&format!("^(?:\n{}\n)", alternatives.join("\n|")))
        .ignore_whitespace(true)
        .unicode(false)
        .build()
        .ok()
}

/// The length every number checked here has: ten digits after the country code.
const TEN: usize = 10;

struct Region {
    leading: Option<Regex>,
    /// The general pattern, when ten digits is a possible length for it.
    general: Option<Regex>,
    /// The type patterns whose lengths admit ten digits, as one alternation.
    types: Option<Regex>,
}

impl Region {
    /// Whether the region's general pattern and one of its type patterns match (a pattern
    /// whose possible lengths exclude ten digits never matches a ten-digit number).
    fn recognises(&self, national: &str) -> bool {
        self.general.as_ref().is_some_and(|g| g.is_match(national))
            && self.types.as_ref().is_some_and(|t| t.is_match(national))
    }
}

fn regions() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        table::REGIONS
            .iter()
            .filter_map(|p| {
                // A region whose general pattern does not compile is no region, as in the crate.
                let general = compile([p.general])?;
                Some(Region {
                    leading: p.leading.and_then(|l| compile([l])),
                    general: p.general_admits_ten.then_some(general),
                    // A type pattern that does not compile matches nothing.
                    types: compile(p.types.iter().copied().filter(|t| compile([*t]).is_some())),
                })
            })
            .collect()
    })
}

/// Whether libphonenumber deems the ten-digit national number `+1 national` valid: the first
/// region whose leading digits match, or that has no leading digits and recognises the number,
/// is chosen, and the number is valid when that region recognises it.
pub fn is_valid(national: &str) -> bool {
    if national.len() != TEN || !national.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    for region in regions() {
        match &region.leading {
            Some(leading) if leading.is_match(national) => return region.recognises(national),
            Some(_) => {}
            None if region.recognises(national) => return true,
            None => {}
        }
    }
    false
}
