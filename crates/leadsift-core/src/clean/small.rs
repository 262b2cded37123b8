//! [`SmallText`]: the text of a cleaned value, kept inline when it is short.
//!
//! Most cleaned values (names, cities, ZIP codes, phones, LeadConduit's 24-character ids,
//! most e-mail addresses) are at most [`INLINE`] bytes: kept in place, they cost a row no
//! allocation. Longer text (URLs, user agents, tokens) is one `String`, which a row's slot
//! used again for the next row's text keeps (and writes over, when it has the room).

/// The most bytes kept in place.
pub(crate) const INLINE: usize = 30;

/// Text up to [`INLINE`] bytes in place, longer on the heap. Built only from `str`, so its bytes
/// are always UTF-8.
#[derive(Clone)]
pub(crate) enum SmallText {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(String),
}

impl SmallText {
    pub(crate) fn new(text: &str) -> SmallText {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                SmallText::Inline { len, bytes }
            }
            _ => SmallText::Heap(text.to_owned()),
        }
    }

    /// `a` then `b`, in place when together they fit.
    pub(crate) fn concat(a: &str, b: &str) -> SmallText {
        let n = a.len() + b.len();
        match u8::try_from(n) {
            Ok(len) if n <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..a.len()].copy_from_slice(a.as_bytes());
                bytes[a.len()..n].copy_from_slice(b.as_bytes());
                SmallText::Inline { len, bytes }
            }
            _ => SmallText::Heap([a, b].concat()),
        }
    }

    /// Makes this text `text` where it stands, when both are inline or both are not; `false`,
    /// with nothing written, when one is and the other is not (then a new text takes its
    /// place). A value made elsewhere and moved into its slot is read back right after it was
    /// written piecemeal, which stalls the processor's store forwarding; written over the last
    /// row's value, it is only stored. The bytes past an inline `text` keep what they held:
    /// nothing reads them. Long text goes into the last one's `String`, which allocates only
    /// when it has not the room.
    pub(crate) fn set(&mut self, text: &str) -> bool {
        match self {
            SmallText::Inline { len, bytes } if text.len() <= INLINE => {
                copy_short(bytes, text.as_bytes());
                *len = u8::try_from(text.len()).unwrap_or_default();
                true
            }
            SmallText::Heap(s) if text.len() > INLINE => {
                s.clear();
                s.push_str(text);
                true
            }
            _ => false,
        }
    }

    /// `text` with ASCII letters lower-cased.
    pub(crate) fn ascii_lowercase(text: &str) -> SmallText {
        let mut small = SmallText::new(text);
        match &mut small {
            SmallText::Inline { len, bytes } => bytes[..usize::from(*len)].make_ascii_lowercase(),
            SmallText::Heap(s) => s.make_ascii_lowercase(),
        }
        small
    }

    /// Whether the text is empty (without looking at its bytes).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            SmallText::Inline { len, .. } => *len == 0,
            SmallText::Heap(s) => s.is_empty(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Copied from a `str` whole, so the check never fails.
            SmallText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            SmallText::Heap(s) => s,
        }
    }
}

/// `src` (at most [`INLINE`] bytes) at the start of `dst` by two moves of a fixed size that
/// may overlap: no call to `memcpy` for a length known only at run time.
#[inline]
fn copy_short(dst: &mut [u8; INLINE], src: &[u8]) {
    let n = src.len();
    macro_rules! both_ends {
        ($w:literal) => {{
            dst[..$w].copy_from_slice(&src[..$w]);
            dst[n - $w..n].copy_from_slice(&src[n - $w..]);
        }};
    }
    match n {
        16..=INLINE => both_ends!(16),
        8..=15 => both_ends!(8),
        4..=7 => both_ends!(4),
        2..=3 => both_ends!(2),
        1 => dst[0] = src[0],
        _ => {}
    }
}

impl From<String> for SmallText {
    fn from(text: String) -> SmallText {
        if text.len() <= INLINE {
            SmallText::new(&text)
        } else {
            SmallText::Heap(text)
        }
    }
}

/// Equal when the texts are: an inline text's bytes past its length are not its text.
impl PartialEq for SmallText {
    fn eq(&self, other: &SmallText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SmallText {}

impl std::fmt::Debug for SmallText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}
