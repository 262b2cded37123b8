//! libphonenumber's verdict on North American numbers, without its per-call costs.
//!
//! The `phonenumber` crate keeps its compiled patterns in a 100-entry LRU behind a mutex and
//! hashes each pattern's source on every use; NANP validity alone touches far more patterns
//! than that, so each call recompiles. This table compiles the same metadata once and applies
//! the crate's own decision procedure (`phonenumber::is_valid_with` for country code 1):
//! the first region whose leading digits match, or that has no leading digits and recognises
//! the number, is chosen; the number is valid when that region's general pattern and one of
//! its type patterns match it. A property test checks agreement with `phonenumber::is_valid`.

use std::sync::OnceLock;

use phonenumber::metadata::{DATABASE, Descriptor};
use regex::{Regex, RegexBuilder};

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
        .build()
        .ok()
}

/// The length every number checked here has: ten digits after the country code.
const TEN: u16 = 10;

struct Region {
    leading: Option<Regex>,
    /// The general pattern, when ten digits is a possible length for it.
    general: Option<Regex>,
    /// The type patterns (fixed line, mobile, toll free, …) whose lengths admit ten digits,
    /// as one alternation.
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

fn admits_ten(d: &Descriptor) -> bool {
    let lengths = d.possible_length();
    lengths.is_empty() || lengths.contains(&TEN)
}

fn regions() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let ids = DATABASE.region(&1u16).unwrap_or_default();
        ids.iter()
            .filter_map(|id| DATABASE.by_id(*id))
            .filter_map(|meta| {
                let d = meta.descriptors();
                // A region whose general pattern does not compile is no region, as in the crate.
                compile([d.general().national_number().as_str()])?;
                let general = admits_ten(d.general())
                    .then(|| compile([d.general().national_number().as_str()]))
                    .flatten();
                let types = compile(
                    [
                        d.premium_rate(),
                        d.toll_free(),
                        d.shared_cost(),
                        d.voip(),
                        d.personal_number(),
                        d.pager(),
                        d.uan(),
                        d.voicemail(),
                        d.fixed_line(),
                        d.mobile(),
                    ]
                    .into_iter()
                    .flatten()
                    // A type pattern that does not compile matches nothing.
                    .filter(|t| admits_ten(t) && compile([t.national_number().as_str()]).is_some())
                    .map(|t| t.national_number().as_str()),
                );
                let leading = meta.leading_digits().and_then(|l| compile([l.as_str()]));
                Some(Region {
                    leading,
                    general,
                    types,
                })
            })
            .collect()
    })
}

/// Whether libphonenumber deems the ten-digit national number `+1 national` valid: the first
/// region whose leading digits match, or that has no leading digits and recognises the number,
/// is chosen, and the number is valid when that region recognises it.
pub fn is_valid(national: &str) -> bool {
    if national.len() != usize::from(TEN) || !national.bytes().all(|b| b.is_ascii_digit()) {
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
