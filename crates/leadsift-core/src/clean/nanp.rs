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

/// Compiles a metadata pattern as the crate does (white space in the XML is layout), anchored
/// at the start as its `find(..).start() == 0` test is.
fn compile(source: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{source})"))
        .ignore_whitespace(true)
        .build()
        .ok()
}

struct Pattern {
    regex: Regex,
    lengths: Vec<u16>,
}

impl Pattern {
    fn new(d: &Descriptor) -> Option<Pattern> {
        let regex = compile(d.national_number().as_str())?;
        Some(Pattern {
            regex,
            lengths: d.possible_length().to_vec(),
        })
    }

    fn matches(&self, national: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.regex.is_match(national)
    }
}

struct Region {
    leading: Option<Regex>,
    general: Pattern,
    types: Vec<Pattern>,
}

impl Region {
    fn recognises(&self, national: &str) -> bool {
        self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
    }
}

fn regions() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let ids = DATABASE.region(&1u16).unwrap_or_default();
        ids.iter()
            .filter_map(|id| DATABASE.by_id(*id))
            .filter_map(|meta| {
                let d = meta.descriptors();
                let general = Pattern::new(d.general())?;
                let types = [
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
                .filter_map(Pattern::new)
                .collect();
                let leading = meta.leading_digits().and_then(|l| compile(l.as_str()));
                Some(Region {
                    leading,
                    general,
                    types,
                })
            })
            .collect()
    })
}

/// Whether libphonenumber deems the ten-digit national number `+1 national` valid.
pub fn is_valid(national: &str) -> bool {
    let chosen = regions().iter().find(|r| match &r.leading {
        Some(leading) => leading.is_match(national),
        None => r.recognises(national),
    });
    chosen.is_some_and(|r| r.recognises(national))
}
