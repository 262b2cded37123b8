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
//! They compile to the lazy DFAs `regex` itself would search with, with `regex`'s syntax and
//! size limit, and a check walks a DFA a digit at a time: ten transitions, without the set-up
//! of a general search (half the cost of a phone number's cleaning went to it).

use std::cell::RefCell;
use std::sync::OnceLock;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

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

/// A compiled pattern: a lazy DFA, and its place among the searching thread's caches.
struct Pattern {
    dfa: DFA,
    cache: usize,
}

thread_local! {
    /// Each pattern's lazy DFA cache, by [`Pattern::cache`], made on the pattern's first use.
    static CACHES: RefCell<Vec<Option<Cache>>> = const { RefCell::new(Vec::new()) };
}

impl Pattern {
    /// Whether the pattern matches at the start of `digits`: its DFA walked a byte at a time
    /// until a match, a dead end or the end.
    fn is_match(&self, caches: &mut Vec<Option<Cache>>, digits: &str) -> bool {
        if caches.len() <= self.cache {
            caches.resize_with(self.cache + 1, || None);
        }
        let cache = caches[self.cache].get_or_insert_with(|| self.dfa.create_cache());
        self.walk(cache, digits).unwrap_or(false)
    }

    /// `None` when the DFA cannot answer, which with these patterns (no look-around, no quit
    /// bytes, never giving up on its cache) does not happen.
    fn walk(&self, cache: &mut Cache, digits: &str) -> Option<bool> {
        let input = Input::new(digits).anchored(Anchored::Yes);
        let mut state = self.dfa.start_state_forward(cache, &input).ok()?;
        for &b in digits.as_bytes() {
            state = self.dfa.next_state(cache, state, b).ok()?;
            if state.is_tagged() {
                // A match state comes one byte after the match ends: some prefix matched.
                if state.is_match() {
                    return Some(true);
                }
                if state.is_dead() {
                    return Some(false);
                }
                if state.is_quit() {
                    return None;
                }
            }
        }
        Some(self.dfa.next_eoi_state(cache, state).ok()?.is_match())
    }
}

/// Compiles metadata patterns as the crate does (white space in the XML is layout), anchored at
/// the start as its `find(..).start() == 0` test is; several are one alternation, which
/// matches exactly when one of them does. Each stands on its own line, so that no `#` (a
/// comment under `ignore_whitespace`) could reach past its own pattern. `regex`'s own syntax
/// and size limit apply, so a pattern compiles here exactly when `regex` would compile it.
fn compile<'a>(sources: impl IntoIterator<Item = &'a str>, caches: &mut usize) -> Option<Pattern> {
    let pattern = source(sources)?;
    let dfa = DFA::builder()
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(true)
                .ignore_whitespace(true),
        )
        .thompson(thompson::Config::new().nfa_size_limit(Some(10 * (1 << 20))))
        .build(&pattern)
        .ok()?;
    *caches += 1;
    Some(Pattern {
        dfa,
        cache: *caches - 1,
    })
}

/// The one pattern [`compile`] makes of `sources`: their alternation, anchored at the start,
/// each on its own line; `None` for none.
fn source<'a>(sources: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let alternatives: Vec<String> = sources.into_iter().map(|s| format!("(?:{s}\n)")).collect();
    (!alternatives.is_empty()).then(|| format!("^(?:\n{}\n)", alternatives.join("\n|")))
}

/// The length every number checked here has: ten digits after the country code.
const TEN: usize = 10;

struct Region {
    leading: Option<Pattern>,
    /// The general pattern, when ten digits is a possible length for it.
    general: Option<Pattern>,
    /// The type patterns whose lengths admit ten digits, as one alternation.
    types: Option<Pattern>,
}

impl Region {
    /// Whether the region's general pattern and one of its type patterns match (a pattern
    /// whose possible lengths exclude ten digits never matches a ten-digit number).
    fn recognises(&self, caches: &mut Vec<Option<Cache>>, national: &str) -> bool {
        self.general
            .as_ref()
            .is_some_and(|g| g.is_match(caches, national))
            && self
                .types
                .as_ref()
                .is_some_and(|t| t.is_match(caches, national))
    }
}

fn regions() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut caches = 0;
        let mut tried = 0;
        table::REGIONS
            .iter()
            .filter_map(|p| {
                // A region whose general pattern does not compile is no region, as in the crate.
                let general = compile([p.general], &mut caches)?;
                Some(Region {
                    leading: p.leading.and_then(|l| compile([l], &mut caches)),
                    general: p.general_admits_ten.then_some(general),
                    // A type pattern that does not compile matches nothing.
                    types: compile(
                        p.types
                            .iter()
                            .copied()
                            .filter(|t| compile([*t], &mut tried).is_some()),
                        &mut caches,
                    ),
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
    CACHES.with_borrow_mut(|caches| {
        for region in regions() {
            match &region.leading {
                Some(leading) if leading.is_match(caches, national) => {
                    return region.recognises(caches, national);
                }
                Some(_) => {}
                None if region.recognises(caches, national) => return true,
                None => {}
            }
        }
        false
    })
}

#[cfg(test)]
mod tests {
    /// Every pattern of the table, and every region's alternation of them, compiles here
    /// exactly when `regex` compiles it as the table did before (`RegexBuilder`, Unicode off,
    /// white space ignored): a pattern that `regex` takes and the lazy DFA refused would
    /// silently drop a region or a type.
    #[test]
    fn the_patterns_compile_here_exactly_when_regex_compiles_them() {
        let regex = |sources: &[&str]| {
            super::source(sources.iter().copied()).is_some_and(|pattern| {
                regex::RegexBuilder::new(&pattern)
                    .ignore_whitespace(true)
                    .unicode(false)
                    .build()
                    .is_ok()
            })
        };
        let mut count = 0;
        let mut checked = 0;
        for p in super::table::REGIONS {
            let mut each: Vec<&[&str]> = vec![std::slice::from_ref(&p.general), p.types];
            if let Some(l) = &p.leading {
                each.push(std::slice::from_ref(l));
            }
            each.extend(p.types.chunks(1));
            for sources in each {
                assert_eq!(
                    super::compile(sources.iter().copied(), &mut count).is_some(),
                    regex(sources),
                    "{sources:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} patterns checked");
        // Not one of them fails, so a region's alternation of its types is all of them.
        assert_eq!(count, checked);
    }
}
