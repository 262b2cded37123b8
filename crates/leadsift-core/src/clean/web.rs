//! Technical values: IP addresses, URLs, TrustedForm certificates, Jornaya tokens.

use std::net::IpAddr;

use super::{Note, Parsed};
use crate::issue::IssueCode;

/// An IPv4 or IPv6 address in canonical text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpAddress(IpAddr);

impl IpAddress {
    pub fn parse(raw: &str) -> Parsed<IpAddress> {
        let t = raw.trim();
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

/// An absolute http(s) URL with a lower-case scheme and host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(String);

impl Url {
    pub fn parse(raw: &str) -> Parsed<Url> {
        let t = raw.trim();
        let invalid = |why: &str| Note::new(IssueCode::InvalidUrl, format!("{why}, found {t:?}"));
        let (scheme, rest) = t
            .split_once("://")
            .ok_or_else(|| invalid("expected an absolute http or https URL"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(invalid("expected an http or https URL"));
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("a URL cannot hold spaces"));
        }
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(host_end);
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = match host_port.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((h, p)) => (h, p.strip_prefix(':')),
                None => return Err(invalid("the URL has no valid host")),
            },
            None => match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            },
        };
        if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid("the port is not a number"));
        }
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_alphanumeric() || "-.:_".contains(c))
        {
            return Err(invalid("the URL has no valid host"));
        }
        Ok((
            Url(format!("{scheme}://{}{path}", authority.to_lowercase())),
            None,
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `https://cert.trustedform.com/<40 lower-case hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedFormUrl(String);

impl TrustedFormUrl {
    pub fn parse(raw: &str) -> Parsed<TrustedFormUrl> {
        const PREFIXES: &[&str] = &[
            "https://cert.trustedform.com/",
            "http://cert.trustedform.com/",
            "cert.trustedform.com/",
        ];
        let t = raw.trim();
        let rest = PREFIXES
            .iter()
            .find_map(|p| {
                t.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &t[p.len()..])
            })
            .unwrap_or(t);
        let id = rest
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        if id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut url = String::with_capacity(PREFIXES[0].len() + 40);
            url.push_str(PREFIXES[0]);
            url.extend(id.chars().map(|c| c.to_ascii_lowercase()));
            Ok((TrustedFormUrl(url), None))
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
        &self.0
    }
}

/// A Jornaya LeadiD token in its upper-case 36-character UUID form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JornayaToken(String);

impl JornayaToken {
    pub fn parse(raw: &str) -> Parsed<JornayaToken> {
        let t = raw.trim();
        let inner = t
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .unwrap_or(t);
        let b = inner.as_bytes();
        let dashed = b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-');
        let hex_ok = b
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_ascii_hexdigit() || (dashed && matches!(i, 8 | 13 | 18 | 23)));
        if (b.len() == 32 || dashed) && hex_ok {
            let mut out = String::with_capacity(36);
            for (n, c) in inner.chars().filter(|c| *c != '-').enumerate() {
                if matches!(n, 8 | 12 | 16 | 20) {
                    out.push('-');
                }
                out.push(c.to_ascii_uppercase());
            }
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
        &self.0
    }
}
