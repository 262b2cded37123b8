//! Technical values: IP addresses, URLs, TrustedForm certificates, Jornaya tokens.

use std::net::{IpAddr, Ipv4Addr};

use super::small::SmallText;
use super::{Note, Parsed};
use crate::issue::IssueCode;
use crate::text::trim;

/// An IPv4 or IPv6 address in canonical text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpAddress(IpAddr);

impl IpAddress {
    /// The address that `raw` is as a dotted quad ([`plain_ipv4`]), made of visible ASCII with no
    /// `*` (so the general path's scan for control characters and masks could find nothing), as
    /// [`IpAddress::parse`] reads it; `None` for anything else, which the general path reads.
    pub(super) fn at_once(raw: &str) -> Option<IpAddress> {
        plain_ipv4(raw).map(|v4| IpAddress(IpAddr::V4(v4)))
    }

    pub fn parse(raw: &str) -> Parsed<IpAddress> {
        let t = trim(raw);
        if let Some(ip) = IpAddress::at_once(t) {
            return Ok((ip, None));
        }
        // `http://203.0.113.7/`: the host of a URL that is only an address.
        let host = ["http://", "https://"]
            .iter()
            .find_map(|p| {
                t.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &t[p.len()..])
            })
            .map_or(t, |rest| rest.strip_suffix('/').unwrap_or(rest));
        // `203.0.113.7/32`, `2001:db8::1/128`: a network of exactly one address is that address.
        let host = match host.rsplit_once('/') {
            Some((addr, "32")) if addr.contains('.') => addr,
            Some((addr, "128")) if addr.contains(':') => addr,
            _ => host,
        };
        let inner = host
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(host);
        inner
            .parse::<IpAddr>()
            .map(|ip| (IpAddress(ip), None))
            .map_err(|_| {
                Note::new(
                    IssueCode::InvalidIp,
                    format!("expected an IPv4 or IPv6 address, found {t:?}"),
                )
            })
    }

    pub fn addr(self) -> IpAddr {
        self.0
    }
}

impl std::fmt::Display for IpAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `a.b.c.d`, four numbers to 255 without leading zeros, read by position: the address the
/// standard library reads of it (and of nothing else), sooner.
pub(super) fn plain_ipv4(t: &str) -> Option<Ipv4Addr> {
    let b = t.as_bytes();
    let mut octets = [0u8; 4];
    let mut at = 0;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            if b.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
        let start = at;
        let mut n = 0u32;
        while let Some(&d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            if at - start == 3 {
                return None;
            }
            n = n * 10 + u32::from(d - b'0');
            at += 1;
        }
        if at == start || (at - start > 1 && b[start] == b'0') {
            return None;
        }
        *octet = u8::try_from(n).ok()?;
    }
    (at == b.len()).then(|| Ipv4Addr::from(octets))
}

/// An absolute http(s) URL with a lower-case scheme and host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(SmallText);

impl Url {
    pub fn parse(raw: &str) -> Parsed<Url> {
        let t = trim(raw);
        let invalid = |why: &str| Note::new(IssueCode::InvalidUrl, format!("{why}, found {t:?}"));
        // Nearly every URL starts `http://` or `https://`, where the first `://` is plain to see.
        let known = ["https://", "http://"].iter().find_map(|p| {
            t.get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|h| (&h[..p.len() - 3], &t[p.len()..]))
        });
        let (scheme, rest) = match known {
            Some(split) => split,
            None => t
                .split_once("://")
                .ok_or_else(|| invalid("expected an absolute http or https URL"))?,
        };
        let scheme = match scheme {
            s if s.eq_ignore_ascii_case("http") => "http",
            s if s.eq_ignore_ascii_case("https") => "https",
            _ => return Err(invalid("expected an http or https URL")),
        };
        let blank = |c: char| c.is_whitespace() || c.is_control();
        // One pass without early exit, which vectorises, for both: a space is rare, and so is
        // a byte past ASCII.
        let (ascii_blank, beyond_ascii) = t.bytes().fold((false, false), |(blank, beyond), b| {
            (blank | (b <= b' ') | (b == 0x7f), beyond | (b >= 0x80))
        });
        if (!beyond_ascii && ascii_blank) || (beyond_ascii && t.chars().any(blank)) {
            return Err(invalid("a URL cannot hold spaces"));
        }
        // Found by byte: every character looked for is ASCII (see `cut`). The same pass says
        // whether the authority is a plain host (letters, digits, `-` and `.`, as nearly every
        // one is), which needs none of the steps for a user, a port or brackets.
        let mut plain = true;
        let host_end = rest
            .bytes()
            .position(|b| {
                let end = matches!(b, b'/' | b'?' | b'#');
                plain &= end || b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
                end
            })
            .unwrap_or(rest.len());
        let (authority, path) = rest.split_at(host_end);
        if authority.is_empty() || !plain {
            Url::check_authority(authority).map_err(invalid)?;
        }
        let mut url = String::with_capacity(t.len());
        url.push_str(scheme);
        url.push_str("://");
        if authority.is_ascii() {
            let from = url.len();
            url.push_str(authority);
            url[from..].make_ascii_lowercase();
        } else {
            url.push_str(&authority.to_lowercase());
        }
        url.push_str(path);
        Ok((Url(url.into()), None))
    }

    /// Whether `authority` (between `://` and the path) names a valid host: an optional user
    /// before an `@`, a host of letters, digits, `-`, `.`, `:` and `_` (or an address in
    /// brackets), an optional numeric port; else why not.
    fn check_authority(authority: &str) -> Result<(), &'static str> {
        let host_port = match authority.bytes().rposition(|b| b == b'@') {
            Some(at) => cut(authority, at).1,
            None => authority,
        };
        let (host, port) = match host_port.strip_prefix('[') {
            Some(v6) => match v6.bytes().position(|b| b == b']') {
                Some(at) => {
                    let (h, p) = cut(v6, at);
                    (h, p.strip_prefix(':'))
                }
                None => return Err("the URL has no valid host"),
            },
            None => match host_port.bytes().position(|b| b == b':') {
                Some(at) => {
                    let (h, p) = cut(host_port, at);
                    (h, Some(p))
                }
                None => (host_port, None),
            },
        };
        if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err("the port is not a number");
        }
        let host_char = |c: char| c.is_alphanumeric() || matches!(c, '-' | '.' | ':' | '_');
        let host_ok = if host.is_ascii() {
            host.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'_'))
        } else {
            host.chars().all(host_char)
        };
        if host.is_empty() || !host_ok {
            return Err("the URL has no valid host");
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// How a certificate URL starts, in its normal form.
const CERT_PREFIX: &str = "https://cert.trustedform.com/";

/// `https://cert.trustedform.com/<40 lower-case hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedFormUrl(SmallText);

impl TrustedFormUrl {
    /// The certificate that `raw` is as most exports write it (the `https://` form and its 40 hex
    /// digits, nothing after), made of visible ASCII with no `*` (so the general path's scan for
    /// control characters and masks could find nothing), as [`TrustedFormUrl::parse`] reads it;
    /// `None` for anything else, which the general path reads.
    pub(super) fn at_once(raw: &str) -> Option<TrustedFormUrl> {
        let id = raw.strip_prefix(CERT_PREFIX)?;
        (id.len() == 40 && all_hex(id.as_bytes())).then(|| TrustedFormUrl::of_id(id))
    }

    /// The certificate URL of `id`, 40 hex digits of either case.
    #[inline]
    fn of_id(id: &str) -> TrustedFormUrl {
        let mut url = String::with_capacity(CERT_PREFIX.len() + id.len());
        url.push_str(CERT_PREFIX);
        url.push_str(id);
        url[CERT_PREFIX.len()..].make_ascii_lowercase();
        TrustedFormUrl(url.into())
    }

    pub fn parse(raw: &str) -> Parsed<TrustedFormUrl> {
        const PREFIXES: &[&str] = &[
            CERT_PREFIX,
            "http://cert.trustedform.com/",
            "cert.trustedform.com/",
        ];
        let t = trim(raw);
        // As written nearly always; else any case of any of the prefixes, or none.
        let rest = t
            .strip_prefix(CERT_PREFIX)
            .or_else(|| {
                PREFIXES.iter().find_map(|p| {
                    t.get(..p.len())
                        .filter(|h| h.eq_ignore_ascii_case(p))
                        .map(|_| &t[p.len()..])
                })
            })
            .unwrap_or(t);
        // The id ends at a query, a fragment or the end, less any trailing slashes.
        let id = rest
            .bytes()
            .position(|b| matches!(b, b'?' | b'#'))
            .map_or(rest, |end| &rest[..end])
            .trim_end_matches('/');
        if id.len() == 40 && all_hex(id.as_bytes()) {
            Ok((TrustedFormUrl::of_id(id), None))
        } else {
            Err(Note::new(
                IssueCode::InvalidTrustedformUrl,
                format!(
                    "expected https://cert.trustedform.com/ followed by 40 hex digits, found {t:?}"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A Jornaya LeadiD token in its upper-case 36-character UUID form, kept in place: 36 bytes are
/// more than `SmallText` holds inline, and a value slot is 40 bytes either way.
#[derive(Clone, PartialEq, Eq)]
pub struct JornayaToken([u8; 36]);

impl std::fmt::Debug for JornayaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("JornayaToken").field(&self.as_str()).finish()
    }
}

impl JornayaToken {
    /// The token that `raw` is with no braces or white space around it, made of visible ASCII with
    /// no `*` (so the general path's scan for control characters and masks could find nothing), as
    /// [`JornayaToken::parse`] reads it; `None` for anything else, which the general path reads.
    pub(super) fn at_once(raw: &str) -> Option<JornayaToken> {
        // 32 or 36 bytes that the parse takes are hex digits and dashes only.
        matches!(raw.len(), 32 | 36)
            .then(|| JornayaToken::parse(raw).ok())
            .flatten()
            .map(|(token, _)| token)
    }

    pub fn parse(raw: &str) -> Parsed<JornayaToken> {
        let t = trim(raw);
        let inner = t
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .unwrap_or(t);
        let b = inner.as_bytes();
        // Written over the token's form, then checked in one pass: hex digits, with the dashes
        // where the form has them (taken as they stand, or put there for 32 digits).
        let mut out = [b'-'; 36];
        let ok = match b.len() {
            36 => {
                out.copy_from_slice(b);
                out.iter().zip(DASHED).fold(true, |all, (&c, dash)| {
                    all & if dash { c == b'-' } else { HEX[usize::from(c)] }
                })
            }
            32 => {
                for (to, from) in [
                    (0, 0..8),
                    (9, 8..12),
                    (14, 12..16),
                    (19, 16..20),
                    (24, 20..32),
                ] {
                    out[to..to + from.len()].copy_from_slice(&b[from]);
                }
                all_hex(b)
            }
            _ => false,
        };
        if ok {
            // ASCII only (checked above).
            out.make_ascii_uppercase();
            Ok((JornayaToken(out), None))
        } else {
            Err(Note::new(
                IssueCode::InvalidJornayaToken,
                format!(
                    "expected a 36-character token such as 4770F589-04DB-A41E-CCCC-3FC1626E53A1, found {t:?}"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        // Written from ASCII only by `parse`, its one way in.
        ascii_str(&self.0)
    }
}

/// `text` before and after the ASCII character at byte `at` (so both cuts lie between
/// characters).
fn cut(text: &str, at: usize) -> (&str, &str) {
    (
        text.get(..at).unwrap_or_default(),
        text.get(at + 1..).unwrap_or_default(),
    )
}

/// `bytes` known to be ASCII as a `str` (empty, never reached, if they were not).
fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Where a Jornaya token's form has its dashes: `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`.
const DASHED: [bool; 36] = {
    let mut dashed = [false; 36];
    dashed[8] = true;
    dashed[13] = true;
    dashed[18] = true;
    dashed[23] = true;
    dashed
};

/// The ASCII hex digits, by byte.
const HEX: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_hexdigit();
        b += 1;
    }
    table
};

/// Whether every byte is an ASCII hex digit: a table look-up per byte and no early exit, so
/// random digits cost no mispredicted branches.
fn all_hex(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| all & HEX[usize::from(b)])
}
