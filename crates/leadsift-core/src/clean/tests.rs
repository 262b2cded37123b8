//! One case per rule, DESIGN.md's examples first: (field, raw, expected value or None, issue code).

use super::*;
use crate::issue::IssueCode as C;
use proptest::strategy::Strategy as _;

fn check(field: Field, raw: &str, want: Option<&str>, code: Option<C>) {
    let options = CleanOptions::new(leadsift_testkit::today());
    let got = clean(field, raw, &options);
    let value = got.value.as_ref().map(|v| v.to_text().into_owned());
    assert_eq!(value.as_deref(), want, "{field} {raw:?}: value");
    assert_eq!(
        got.note.as_ref().map(|n| n.code),
        code,
        "{field} {raw:?}: note {:?}",
        got.note
    );
}

#[test]
fn phones() {
    use Field::Phone1 as P;
    check(P, "(512) 789-1111", Some("5127891111"), None);
    check(P, "+1 512.789.1111 ext. 22", Some("5127891111x22"), None);
    check(P, "555-555-5555", None, Some(C::InvalidPhone));
    check(P, "1-512-789-1111", Some("5127891111"), None);
    check(P, "512-789-1111 x 7", Some("5127891111x7"), None);
    check(P, "h: 512-789-1111", Some("5127891111"), None);
    check(P, "512.789.1111 (c)", Some("5127891111"), None);
    check(P, "+44 20 7946 0958", Some("+442079460958"), None);
    check(P, "011 44 20 7946 0958", Some("+442079460958"), None);
    check(P, "123", None, Some(C::InvalidPhone));
    // Found by fuzzing: an 011-dialled number must clean the same once written with `+`.
    check(P, "011 43 1110", Some("+431110"), None);
    check(P, "+431110", Some("+431110"), None);
    check(P, "call me", None, Some(C::InvalidPhone));
    check(P, "N/A", None, Some(C::InvalidPhone));
    check(P, "512*******", Some("512*******"), Some(C::Masked));
    check(P, "", None, None);
    // Longer than the digits' stack buffer: read the same way, on the heap.
    check(
        P,
        "( 5 1 2 )   7 8 9  -  1 1 1 1  .  .  .  .",
        Some("5127891111"),
        None,
    );
    check(P, &"5".repeat(40), None, Some(C::InvalidPhone));
    check(
        P,
        &format!("+{}", "4".repeat(40)),
        None,
        Some(C::InvalidPhone),
    );
}

#[test]
fn spreadsheet_damage_is_recovered_only_when_certain() {
    use Field::Phone1 as P;
    check(
        P,
        "5127891111.0",
        Some("5127891111"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        P,
        "5.127891111E9",
        Some("5127891111"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        P,
        "5.127891111E+09",
        Some("5127891111"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        P,
        "'5127891111",
        Some("5127891111"),
        Some(C::SpreadsheetRecovered),
    );
    check(P, "5.12789E+09", None, Some(C::InvalidPhone));
    // Read by byte when ASCII; a no-break space (not ASCII) is read by character.
    check(P, "512\u{a0}789\u{a0}1111", Some("5127891111"), None);
    check(P, "5127891111e", None, Some(C::InvalidPhone));
    check(P, "mobile: 512-789-1111", Some("5127891111"), None);
}

#[test]
fn emails() {
    use Field::Email as E;
    check(
        E,
        " John.Doe@Example.COM ",
        Some("john.doe@example.com"),
        None,
    );
    check(
        E,
        "John Doe <John.Doe@Example.com>",
        Some("john.doe@example.com"),
        None,
    );
    check(E, "jo hn@exam ple.com", Some("john@example.com"), None);
    check(E, "user@@x.com", None, Some(C::InvalidEmail));
    check(E, "bob@", None, Some(C::InvalidEmail));
    check(E, "no-at-sign.example.com", None, Some(C::InvalidEmail));
    check(E, "a..b@example.com", None, Some(C::InvalidEmail));
    check(E, "j***@gmail.com", Some("j***@gmail.com"), Some(C::Masked));
    // The part before the @: RFC 5322's symbols and any letter, read byte by byte when ASCII.
    check(
        E,
        "O'Brien+tag_{x}~y@example.com",
        Some("o'brien+tag_{x}~y@example.com"),
        None,
    );
    check(
        E,
        "José.Núñez@Example.com",
        Some("josé.núñez@example.com"),
        None,
    );
    check(E, "a,b@example.com", None, Some(C::InvalidEmail));
    check(E, "a(b)@example.com", None, Some(C::InvalidEmail));
    check(E, "jo☃@example.com", None, Some(C::InvalidEmail));
    check(E, ".a@example.com", None, Some(C::InvalidEmail));
    check(E, "a.@example.com", None, Some(C::InvalidEmail));
    // The domain: letters, digits and inner hyphens in every label, a top-level domain.
    check(E, "a@münchen.de", Some("a@münchen.de"), None);
    check(E, "a@ex_ample.com", None, Some(C::InvalidEmail));
    check(E, "a@-example.com", None, Some(C::InvalidEmail));
    check(E, "a@example.c", None, Some(C::InvalidEmail));
    check(E, "a@example.123", None, Some(C::InvalidEmail));
    check(E, "a@example..com", None, Some(C::InvalidEmail));
    check(E, "Bob <bob@example.com", None, Some(C::InvalidEmail));
    // The lengths at their limits: 64 before the @, 63 a label, 253 the domain.
    let (local, label) = ("a".repeat(64), "b".repeat(63));
    let fits = format!("{local}@{label}.com");
    check(E, &fits, Some(&fits), None);
    check(E, &format!("a{local}@x.com"), None, Some(C::InvalidEmail));
    check(E, &format!("x@b{label}.com"), None, Some(C::InvalidEmail));
    let domain = |n: usize| format!("{label}.{label}.{label}.{}.com", "c".repeat(n));
    check(
        E,
        &format!("x@{}", domain(57)),
        Some(&format!("x@{}", domain(57))),
        None,
    );
    check(E, &format!("x@{}", domain(58)), None, Some(C::InvalidEmail));
    check(E, "a@example-.com", None, Some(C::InvalidEmail));
    check(E, "a@example.co-", None, Some(C::InvalidEmail));
    check(E, "a@example", None, Some(C::InvalidEmail));
}

#[test]
fn postal_codes() {
    use Field::PostalCode as Z;
    // A plain five-digit ZIP code (the quick path) as it stands; five characters that are not
    // all digits go the general way.
    check(Z, "78704", Some("78704"), None);
    check(Z, " 00501 ", Some("00501"), None);
    check(Z, "7870A", None, Some(C::InvalidPostalCode));
    check(Z, "78704 4224", Some("78704-4224"), None);
    // A ZIP+4 with one hyphen or space (the second quick path): the same as the general way.
    check(Z, "78704-4224", Some("78704-4224"), None);
    check(Z, " 00501-0001 ", Some("00501-0001"), None);
    check(Z, "7870A-4224", None, Some(C::InvalidPostalCode));
    check(Z, "78704-42B4", None, Some(C::InvalidPostalCode));
    check(Z, "78704_4224", None, Some(C::InvalidPostalCode));
    check(Z, "787041-234", None, Some(C::InvalidPostalCode));
    check(Z, "787044224", Some("78704-4224"), None);
    check(Z, "q2e4u7", Some("Q2E 4U7"), None);
    // One separator, however it is spaced, where the parts meet (as LeadConduit reads them).
    check(Z, "10001 - 5021", Some("10001-5021"), None);
    check(Z, "78704   - 1234", Some("78704-1234"), None);
    check(Z, "Q2E      4U7", Some("Q2E 4U7"), None);
    check(Z, "Q2E-4U7", Some("Q2E 4U7"), None);
    check(Z, "7870 41234", None, Some(C::InvalidPostalCode));
    check(Z, "78704 -- 1234", None, Some(C::InvalidPostalCode));
    check(Z, "787 04", None, Some(C::InvalidPostalCode));
    check(Z, "78704-12-34", None, Some(C::InvalidPostalCode));
    check(Z, "k1a0b1", Some("K1A 0B1"), None);
    check(Z, "sw1a1aa", Some("SW1A 1AA"), None);
    check(Z, "ABCDE", None, Some(C::InvalidPostalCode));
    check(Z, "123456", None, Some(C::InvalidPostalCode));
    check(Z, "2134", None, Some(C::InvalidPostalCode));
}

#[test]
fn states() {
    use Field::State as S;
    check(S, "texas", Some("TX"), None);
    check(S, "TEXAS", Some("TX"), None);
    check(S, "tx", Some("TX"), None);
    check(S, "N.Y.", Some("NY"), None);
    check(S, "Puerto Rico", Some("PR"), None);
    check(S, "Québec", Some("QC"), None);
    check(S, "Dexus", None, Some(C::InvalidState));
    check(S, "ZZ", None, Some(C::InvalidState));
    check(S, " tX ", Some("TX"), None);
    check(S, "T1", None, Some(C::InvalidState));
    check(S, "é", None, Some(C::InvalidState));
    // Every code is found by its letters, in either case (a look-up table, not a search).
    for (code, name) in tables::STATES {
        check(S, code, Some(code), None);
        check(S, &code.to_ascii_lowercase(), Some(code), None);
        check(S, name, Some(code), None);
        check(S, &name.to_ascii_uppercase(), Some(code), None);
    }
}

#[test]
fn booleans() {
    // The spellings read at once, and the ones the word lists read (any case, a `!` or `.`).
    for t in [
        "Y", "y", "yes", "Yes", "1", "true", "TRUE", "True", "YES", "yEs", "t", "T", "on", "On",
        "1.0", "Yes!", "y.", " true ",
    ] {
        check(Field::IsDuplicate, t, Some("true"), None);
    }
    for f in [
        "N", "n", "no", "No", "0", "false", "FALSE", "False", "NO", "fAlse", "f", "F", "off",
        "OFF", "0.0", "no.", "No!", " 0 ",
    ] {
        check(Field::IsTest, f, Some("false"), None);
    }
    for neither in ["2", "yess", "10", "nope", "", "-"] {
        check(
            Field::IsTest,
            neither,
            None,
            (!neither.is_empty()).then_some(C::InvalidBoolean),
        );
    }
    check(Field::IsDuplicate, "maybe", None, Some(C::InvalidBoolean));
}

#[test]
fn numbers() {
    use Field::Price as N;
    check(N, "$1,100.50", Some("1100.5"), None);
    check(N, "N/A", None, None);
    check(N, "1e5", Some("100000"), None);
    check(N, "(1,234.50)", Some("-1234.5"), None);
    check(N, "-$12", Some("-12"), None);
    // In a file of decimal dots a comma is only ever a thousands separator: `1,100` is 1100,
    // and `1,10` or `12,5` is an error rather than a guess that it meant a decimal comma.
    check(N, "1,100", Some("1100"), None);
    check(N, "1.100", Some("1.1"), None);
    check(N, "12,5", None, Some(C::InvalidNumber));
    check(N, "1,10", None, Some(C::InvalidNumber));
    check(N, "$0,99", None, Some(C::InvalidNumber));
    check(N, "1,2,3", None, Some(C::InvalidNumber));
    check(N, "1.2.3", None, Some(C::InvalidNumber));
    check(N, "high", None, Some(C::InvalidNumber));
    check(N, "15 dollars", None, Some(C::InvalidNumber));
}

#[test]
fn numbers_with_a_decimal_comma() {
    let options = CleanOptions {
        decimal: DecimalSeparator::Comma,
        ..CleanOptions::new(leadsift_testkit::today())
    };
    let n = |raw: &str| {
        clean(Field::Price, raw, &options)
            .value
            .map(|v| v.to_text().into_owned())
    };
    assert_eq!(n("1.234,56").as_deref(), Some("1234.56"));
    assert_eq!(n("1,234").as_deref(), Some("1.234"));
    assert_eq!(n("1.234").as_deref(), Some("1234"));
    assert_eq!(n("12.50").as_deref(), Some("12.5"));
    assert_eq!(n("1,10").as_deref(), Some("1.1"));
    assert_eq!(n("12,5").as_deref(), Some("12.5"));
}

#[test]
fn dates() {
    use Field::Dob as D;
    check(D, "6/2/1980", Some("1980-06-02"), None);
    check(D, "1980-06-02", Some("1980-06-02"), None);
    check(D, "June 2, 1980", Some("1980-06-02"), None);
    check(D, "2 Jun 1980", Some("1980-06-02"), None);
    check(D, "02-Jun-80", Some("1980-06-02"), None);
    check(D, "6/2/80", Some("1980-06-02"), Some(C::TwoDigitYear));
    check(D, "6/2/05", Some("2005-06-02"), None);
    check(D, "6/2/27", Some("1927-06-02"), Some(C::TwoDigitYear));
    // A two-digit year is the last of exactly three runs of digits.
    check(D, "06.02.80", Some("1980-06-02"), Some(C::TwoDigitYear));
    check(D, "06-02-1980", Some("1980-06-02"), None);
    check(D, "25/12/1990", Some("1990-12-25"), Some(C::DayFirstDate));
    check(D, "13/45/1990", None, Some(C::InvalidDate));
    check(D, "2/30/1990", None, Some(C::InvalidDate));
    check(D, "not a date", None, Some(C::InvalidDate));
    check(D, "1/1/2030", None, Some(C::InvalidDate));
    check(D, "**/**/1980", Some("**/**/1980"), Some(C::Masked));
}

#[test]
fn timestamps() {
    use Field::SubmittedAt as T;
    check(T, "2024-03-05 14:22:10", Some("2024-03-05T14:22:10Z"), None);
    // Fractions of a second, read by position: a comma as well as a dot, up to nine digits.
    check(
        T,
        "2024-03-05T14:22:10,5Z",
        Some("2024-03-05T14:22:10.5Z"),
        None,
    );
    check(
        T,
        "2024-03-05 14:22:10.123456789",
        Some("2024-03-05T14:22:10.123456789Z"),
        None,
    );
    check(
        T,
        "2024-03-05 14:22:10.1234567891",
        None,
        Some(C::InvalidTimestamp),
    );
    check(
        T,
        "2024-03-05 14:22:10.12a",
        None,
        Some(C::InvalidTimestamp),
    );
    check(T, "2024-02-30 14:22:10.5", None, Some(C::InvalidTimestamp));
    check(
        T,
        "2024-03-05T14:22:10.000Z",
        Some("2024-03-05T14:22:10Z"),
        None,
    );
    check(
        T,
        "2024-03-05T14:22:10.120Z",
        Some("2024-03-05T14:22:10.12Z"),
        None,
    );
    check(
        T,
        "2024-03-05T09:22:10-05:00",
        Some("2024-03-05T14:22:10Z"),
        None,
    );
    check(
        T,
        "2024-03-05T09:22:10-0500",
        Some("2024-03-05T14:22:10Z"),
        None,
    );
    check(T, "3/5/2024 2:22 PM", Some("2024-03-05T14:22:00Z"), None);
    check(
        T,
        "03/05/2024 12:05:09 am",
        Some("2024-03-05T00:05:09Z"),
        None,
    );
    check(T, "1709648530", Some("2024-03-05T14:22:10Z"), None);
    check(T, "1709648530123", Some("2024-03-05T14:22:10.123Z"), None);
    check(T, "yesterday", None, Some(C::InvalidTimestamp));
    check(T, "2024-13-45 99:99:99", None, Some(C::InvalidTimestamp));
}

#[test]
fn timestamps_without_a_zone_are_read_in_the_configured_zone() {
    let options = CleanOptions {
        timezone: "America/Chicago".parse().expect("zone"),
        ..CleanOptions::new(leadsift_testkit::today())
    };
    let got = clean(Field::SubmittedAt, "2024-07-01 09:00:00", &options)
        .value
        .map(|v| v.to_text().into_owned());
    assert_eq!(got.as_deref(), Some("2024-07-01T14:00:00Z"));
    let gap = clean(Field::SubmittedAt, "2024-03-10 02:30:00", &options);
    assert_eq!(gap.note.map(|n| n.code), Some(C::InvalidTimestamp));
    assert!("Mars/Olympus".parse::<Zone>().is_err());
    assert!("+05:30".parse::<Zone>().is_ok());
}

#[test]
fn ips_urls_and_tokens() {
    check(
        Field::IpAddress,
        " 188.179.254.149 ",
        Some("188.179.254.149"),
        None,
    );
    check(
        Field::IpAddress,
        "2001:DB8:0:0:0:0:0:1",
        Some("2001:db8::1"),
        None,
    );
    check(Field::IpAddress, "999.1.1.1", None, Some(C::InvalidIp));
    check(
        Field::LandingPage,
        "HTTPS://Apply.Example.com/Path?x=1",
        Some("https://apply.example.com/Path?x=1"),
        None,
    );
    check(
        Field::LandingPage,
        "www.example.com",
        None,
        Some(C::InvalidUrl),
    );
    check(
        Field::LandingPage,
        "ftp://example.com",
        None,
        Some(C::InvalidUrl),
    );
    // The scheme: read at once when the URL starts with it, else where the first `://` is.
    for (raw, want) in [
        ("http://Example.com", Some("http://example.com")),
        (
            "hTTp://example.com:8080/a",
            Some("http://example.com:8080/a"),
        ),
        ("https://", None),
        ("http:/example.com", None),
        ("httpx://example.com", None),
        ("ht tp://example.com", None),
        ("a:b://example.com", None),
        // The authority, read by byte: user info, IPv6, ports, the host's characters.
        (
            "https://user:pw@Example.com/A",
            Some("https://user:pw@example.com/A"),
        ),
        ("https://a@b@Example.com/", Some("https://a@b@example.com/")),
        (
            "http://[2001:DB8::1]:8080/x",
            Some("http://[2001:db8::1]:8080/x"),
        ),
        ("http://[2001:db8::1/x", None),
        ("http://example.com:80a/", None),
        ("http://example.com:/", None),
        (
            "http://ex_ample.com?q=1#f",
            Some("http://ex_ample.com?q=1#f"),
        ),
        ("http://exa mple.com/", None),
        ("http://Bücher.DE/Path", Some("http://bücher.de/Path")),
        ("http://bü cher.de/", None),
        ("http://ex!ample.com/", None),
        ("http:///path", None),
    ] {
        let code = want.is_none().then_some(C::InvalidUrl);
        check(Field::LandingPage, raw, want, code);
    }
    // A control character is removed before the URL is read (said so), not taken as a space.
    check(
        Field::LandingPage,
        "http://example.com/\u{7f}",
        Some("http://example.com/"),
        Some(C::ControlCharactersRemoved),
    );
    let hex = "228f219e9cb0eb53f16947ccf25ec84d8dbc7425";
    let url = format!("https://cert.trustedform.com/{hex}");
    check(
        Field::TrustedformCertUrl,
        &url.to_uppercase(),
        Some(&url),
        None,
    );
    check(Field::TrustedformCertUrl, hex, Some(&url), None);
    check(
        Field::TrustedformCertUrl,
        &format!("https://cert.trustedform.com/{}", hex.to_uppercase()),
        Some(&url),
        None,
    );
    // The id ends at a query, a fragment or trailing slashes.
    for tail in ["/", "//", "?from=form", "#top", "/?a=b#c"] {
        check(
            Field::TrustedformCertUrl,
            &format!("http://cert.trustedform.com/{hex}{tail}"),
            Some(&url),
            None,
        );
    }
    check(
        Field::TrustedformCertUrl,
        &format!("cert.trustedform.com/{hex}x?a"),
        None,
        Some(C::InvalidTrustedformUrl),
    );
    check(
        Field::TrustedformCertUrl,
        "https://cert.trustedform.com/abc",
        None,
        Some(C::InvalidTrustedformUrl),
    );
    check(
        Field::UniversalLeadid,
        "4770f589-04db-a41e-cccc-3fc1626e53a1",
        Some("4770F589-04DB-A41E-CCCC-3FC1626E53A1"),
        None,
    );
    check(
        Field::UniversalLeadid,
        "4770f58904dba41ecccc3fc1626e53a1",
        Some("4770F589-04DB-A41E-CCCC-3FC1626E53A1"),
        None,
    );
    check(
        Field::UniversalLeadid,
        "not-a-token",
        None,
        Some(C::InvalidJornayaToken),
    );
    check(
        Field::UniversalLeadid,
        " {4770f589-04db-a41e-cccc-3fc1626e53a1} ",
        Some("4770F589-04DB-A41E-CCCC-3FC1626E53A1"),
        None,
    );
    // Thirty-six characters are the dashed form only; thirty-two are hex digits only.
    for bad in [
        "4770f58-904db-a41e-cccc-3fc1626e53a1",
        "4770f589-04db-a41e-cccc-3fc1626e53-1",
        "4770f589104dbaa41ebcccc23fc1626e53a1",
        "4770f589-04db-a41e-cccc-3fc1626e53g1",
        "4770f589-04db-a41e-cccc-3fc1626e53a",
        "4770f58904dba41ecccc3fc1626e53-1",
        "4770f58904dba41ecccc3fc1626e53g1",
        "4770f589-04db-a41e-cccc-3fc1626e53é",
    ] {
        check(
            Field::UniversalLeadid,
            bad,
            None,
            Some(C::InvalidJornayaToken),
        );
    }
}

#[test]
fn gender_names_and_text() {
    check(Field::Gender, "F", Some("female"), None);
    check(Field::Gender, "Male", Some("male"), None);
    check(Field::Gender, "unknown-value", None, Some(C::InvalidGender));
    check(Field::FirstName, "  José  ", Some("José"), None);
    check(
        Field::Comments,
        "line one\r\nline\ttwo\u{7}",
        Some("line one\nline\ttwo"),
        Some(C::ControlCharactersRemoved),
    );
    check(Field::Comments, "   ", None, None);
    // Short cells are scanned by table, long ones by a comparison that vectorises: the same
    // verdicts either way (C0, DEL and C1 controls go; a 0xc2-led letter stays).
    for (raw, want, code) in [
        ("Bo\u{1}b", "Bob", Some(C::ControlCharactersRemoved)),
        ("Zo\u{85}e", "Zoe", Some(C::ControlCharactersRemoved)),
        ("Zo\u{7f}e", "Zoe", Some(C::ControlCharactersRemoved)),
        ("¢5 ©", "¢5 ©", None),
        (
            "a name of many letters\u{1b}",
            "a name of many letters",
            Some(C::ControlCharactersRemoved),
        ),
        (
            "a name of many letters ¢\u{9f}",
            "a name of many letters ¢",
            Some(C::ControlCharactersRemoved),
        ),
        (
            "a name of many letters ¢©",
            "a name of many letters ¢©",
            None,
        ),
        ("\u{a0} Ann \u{3000}", "Ann", None),
    ] {
        check(Field::FirstName, raw, Some(want), code);
    }
    check(
        Field::Address2,
        "\u{e}",
        None,
        Some(C::ControlCharactersRemoved),
    );
}

#[test]
fn control_characters_in_typed_values_are_removed_with_a_warning() {
    check(
        Field::Email,
        "a@exam\u{0}ple.com",
        Some("a@example.com"),
        Some(C::ControlCharactersRemoved),
    );
}

#[test]
fn zip_codes_that_lost_leading_zeros_are_restored_only_for_their_state() {
    let (ma, _) = State::parse("MA").expect("state");
    let (tx, _) = State::parse("TX").expect("state");
    let (pr, _) = State::parse("PR").expect("state");
    assert_eq!(
        PostalCode::restore_leading_zeros("2134", &ma)
            .map(|(z, _)| z.as_str().to_owned())
            .as_deref(),
        Some("02134")
    );
    assert_eq!(
        PostalCode::restore_leading_zeros("901", &pr)
            .map(|(z, _)| z.as_str().to_owned())
            .as_deref(),
        Some("00901")
    );
    assert_eq!(
        PostalCode::restore_leading_zeros("2134-1234", &ma)
            .map(|(z, _)| z.as_str().to_owned())
            .as_deref(),
        Some("02134-1234")
    );
    assert!(PostalCode::restore_leading_zeros("2134", &tx).is_none());
    assert!(PostalCode::restore_leading_zeros("901", &ma).is_none());
}

#[test]
fn text_of_control_characters_only_is_null() {
    check(
        Field::LeadId,
        "\0\n",
        None,
        Some(C::ControlCharactersRemoved),
    );
    check(Field::Comments, "\n", None, None);
}

/// Spreadsheet damage, recovered with a warning (`spreadsheet_recovered`).
#[test]
fn spreadsheet_damage() {
    use Field::*;
    // Excel's text formula, written to keep leading zeros: in any field.
    check(
        PostalCode,
        "=\"02134\"",
        Some("02134"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        Phone1,
        "=\"5127891111\"",
        Some("5127891111"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        City,
        "=\"Austin\"",
        Some("Austin"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        Comments,
        "=\"said \"\"hi\"\"\"",
        Some("said \"hi\""),
        Some(C::SpreadsheetRecovered),
    );
    // A formula that is not a text literal stays what it was.
    check(City, "=A1", Some("=A1"), None);
    // A ZIP code that a spreadsheet turned into a number with a decimal.
    check(
        PostalCode,
        "78704.0",
        Some("78704"),
        Some(C::SpreadsheetRecovered),
    );
    check(PostalCode, "78704.5", None, Some(C::InvalidPostalCode));
}

/// LeadConduit parity where LeadConduit is right.
#[test]
fn leadconduit_parity() {
    use Field::*;
    check(Phone1, "(281) 330-8004m", Some("2813308004"), None);
    check(Phone1, "512-789-1111x", Some("5127891111"), None);
    check(IsTest, "Yes!", Some("true"), None);
    check(IsTest, "no.", Some("false"), None);
    check(PostalCode, "78704 4224", Some("78704-4224"), None);
    check(PostalCode, "K1A 0B1", Some("K1A 0B1"), None);
}

/// Spreadsheet date serials, in a plausible range, with a warning that shows the date.
#[test]
fn spreadsheet_date_serials() {
    use Field::*;
    check(
        Dob,
        "29403",
        Some("1980-07-01"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        SubmittedAt,
        "45291.5",
        Some("2023-12-31T12:00:00Z"),
        Some(C::SpreadsheetRecovered),
    );
    check(
        SubmittedAt,
        "45291",
        Some("2023-12-31T00:00:00Z"),
        Some(C::SpreadsheetRecovered),
    );
    // A birth date after today is not one, serial or not.
    check(Dob, "99999", None, Some(C::InvalidDate));
    // A timestamp serial before 1990 is not plausible for a lead.
    check(SubmittedAt, "12000", None, Some(C::InvalidTimestamp));
}

/// More of LeadConduit's forms that a person means one way only.
#[test]
fn leadconduit_parity_forms() {
    use Field::*;
    check(IpAddress, "203.0.113.7/32", Some("203.0.113.7"), None);
    check(IpAddress, "http://203.0.113.7/", Some("203.0.113.7"), None);
    check(IpAddress, "203.0.113.0/24", None, Some(C::InvalidIp));
    check(Price, "$1100 per month", Some("1100"), None);
    check(Dob, "Mon Jun 02 1980", Some("1980-06-02"), None);
    check(Dob, "Fri 18 July 1980", Some("1980-07-18"), None);
}

/// Two-digit birth years (today is 2026-11-29): the plain reading when it is an adult's; the
/// century before, said so, when the plain one would be in the future or under 18.
#[test]
fn two_digit_birth_years() {
    use Field::Dob;
    check(Dob, "6/2/80", Some("1980-06-02"), Some(C::TwoDigitYear));
    check(Dob, "6/2/01", Some("2001-06-02"), None);
    check(Dob, "6/2/15", Some("1915-06-02"), Some(C::TwoDigitYear));
    check(Dob, "6/2/1980", Some("1980-06-02"), None);
    check(Dob, "1980-06-02", Some("1980-06-02"), None);
}

#[test]
fn a_duplicate_column_says_duplicate() {
    check(Field::IsDuplicate, "Duplicate", Some("true"), None);
    check(Field::IsDuplicate, "dup", Some("true"), None);
    check(Field::IsTest, "duplicate", None, Some(C::InvalidBoolean));
}

#[test]
fn small_text_keeps_ids_in_place_and_a_lead_slot_at_40_bytes() {
    // A lead holds one `Option<Value>` per field: keeping LeadConduit's 24-character ids and
    // most e-mail addresses in place costs each slot 8 bytes over a `String` (32), no more.
    assert_eq!(std::mem::size_of::<Option<Value>>(), 40);
    let id = small::SmallText::new("5bf6cba6e272f42b2ef003d4");
    assert!(matches!(id, small::SmallText::Inline { .. }));
    assert_eq!(id.as_str(), "5bf6cba6e272f42b2ef003d4");
    let long = "é".repeat(small::INLINE);
    assert!(matches!(
        small::SmallText::new(&long),
        small::SmallText::Heap(_)
    ));
    assert_eq!(small::SmallText::new(&long).as_str(), long);
    assert_eq!(small::SmallText::from(long.clone()).as_str(), long);
    assert_eq!(
        small::SmallText::ascii_lowercase("Ünïcode@EXAMPLE.com").as_str(),
        "Ünïcode@example.com"
    );
    assert_eq!(format!("{:?}", small::SmallText::new("a\"b")), r#""a\"b""#);
}

#[test]
fn a_scan_by_words_finds_what_a_scan_by_bytes_finds_wherever_it_lies() {
    use crate::text::{scan_by_byte, scan_words};
    // Each byte that may begin a control character (and its neighbours, which must not), and
    // the `*`, at every offset of cells up to three words long, among bytes of every kind.
    for b in [
        0x00, 0x01, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xc1, 0xc2, 0xc3, 0xff, b'*', b'+',
    ] {
        for len in 1..26 {
            for at in 0..len {
                let mut bytes: Vec<u8> = (0..len)
                    .map(|i| [b'a', b' ', 0x9f, b'~', 0xe2, b'9'][i % 6])
                    .collect();
                bytes[at] = b;
                assert_eq!(scan_words(&bytes), scan_by_byte(&bytes), "{bytes:?}");
            }
        }
    }
    assert_eq!(scan_words(b"0123456789abcdef"), (false, false));
    assert_eq!(scan_words("Zoë Ünïcode café ok".as_bytes()), (false, false));
    assert_eq!(scan_words("a\u{85}b c d e f g h".as_bytes()), (true, false));
    assert_eq!(scan_words(b"(***) ***-1234"), (false, true));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

    #[test]
    fn a_scan_by_words_agrees_with_a_scan_by_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
        proptest::prop_assert_eq!(crate::text::scan_words(&bytes), crate::text::scan_by_byte(&bytes));
    }

    /// The positional reading of `YYYY-MM-DD HH:MM:SS[.fraction][Z]` answers as the general
    /// one: the same instant, or nothing where the general reading finds no such day or time
    /// (February 30th, hour 24, second 60, a year before 1800, a fraction of ten digits), in
    /// every zone.
    #[test]
    fn the_quick_timestamp_reading_agrees_with_the_general_one(
        t in "(1[6-9]|20|21)[0-9]{2}-[0-1][0-9]-[0-3][0-9][T t][0-2][0-9]:[0-6][0-9]:[0-6][0-9]([.,][0-9]{0,10})?[Zz]?",
    ) {
        for zone in ["UTC", "+05:30", "America/New_York"] {
            let zone: Zone = zone.parse().expect("a zone");
            let quick = datetime::iso_seconds(&t).map(|(local, utc)| {
                if utc { Ok(chrono::TimeZone::from_utc_datetime(&chrono::Utc, &local)) } else { zone.to_utc(local) }
            });
            let general = datetime::parse_timestamp_generally(&t, &zone);
            match quick {
                Some(q) => proptest::prop_assert_eq!(q, general),
                // Only what the general reading refuses (or `t`, which it does not accept) is
                // left to it.
                None => proptest::prop_assert!(general.is_err() || t.contains('t')),
            }
        }
    }

    /// The positional reading of `YYYY-MM-DD` and `M/D/YYYY` answers as the general one: the
    /// same day, with no note and no two-digit year, or nothing where the general reading finds
    /// no such day, a year before 1800, a day first (with its note) or another form.
    #[test]
    fn the_quick_date_reading_agrees_with_the_general_one(
        t in "(0{0,2}[0-9]{1,2}|(1[6-9]|20)[0-9]{2}|[0-9]{5})[-/.](0{0,2}[0-9]{1,2}|[0-9]{0,4})[-/.](0{0,2}[0-9]{1,2}|(1[6-9]|20)[0-9]{2}|[0-9]{5})[-/.]?",
    ) {
        let today = leadsift_testkit::today();
        let general = datetime::parse_date_generally(&t, today);
        match datetime::plain_date(&t) {
            Some(date) => {
                proptest::prop_assert_eq!(general.map_err(str::to_owned), Ok((date, None)));
                proptest::prop_assert_eq!(datetime::two_digit_year(&t), None);
            }
            // Left to the general reading: what it refuses, what it reads with a note (day
            // first), and a four-digit year in the middle or none.
            None => {
                let parts: Vec<usize> = t.split(['-', '/', '.']).map(str::len).collect();
                let plain = matches!(parts.as_slice(), [4, 1 | 2, 1 | 2] | [1 | 2, 1 | 2, 4]);
                proptest::prop_assert!(
                    !plain || general.as_ref().is_ok_and(|(_, note)| note.is_some()) || general.is_err(),
                    "{t:?} read as {general:?}"
                );
            }
        }
    }

    /// Plain digits read by one division are the number `str::parse` reads, to the last bit;
    /// what the quick reading leaves (a sixteenth digit, a second dot, grouping under a decimal
    /// comma) goes the long way.
    #[test]
    fn the_quick_number_reading_agrees_with_the_parse(
        t in "[0-9]{0,17}(\\.[0-9]{0,17})?\\.?",
        comma in proptest::bool::ANY,
    ) {
        let decimal = if comma { DecimalSeparator::Comma } else { DecimalSeparator::Dot };
        match number::plain_decimal(&t, decimal) {
            Some(v) => proptest::prop_assert_eq!(Ok(v.to_bits()), t.parse::<f64>().map(f64::to_bits)),
            None => {
                let digits = t.bytes().filter(u8::is_ascii_digit).count();
                let dots = t.len() - digits;
                let grouping = comma && t.split_once('.').is_some_and(|(_, f)| f.len() == 3);
                proptest::prop_assert!(digits == 0 || digits > 15 || dots > 1 || grouping, "{t:?}");
            }
        }
    }

    /// An address read in one pass is taken exactly when the rules take it as it stands
    /// (ASCII, no white space): a misplaced dot, a bad symbol, a second @, a long or empty
    /// label, a hyphen at a label's end or a numeric top-level domain each leave it to them.
    #[test]
    fn an_email_read_at_once_is_what_the_rules_take(
        s in "([a-zA-Z0-9._+!é -]{0,8}|[a-z.]{62,66})@([a-zA-Z0-9.é@ -]{0,12}|[a-z-]{61,65}\\.[a-z0-9]{1,3})|[a-z@.]{0,6}",
    ) {
        let rules = contact::Email::by_rules(&s, |why: &str| Note::new(C::InvalidEmail, why.to_owned()));
        let plain = s.is_ascii() && !s.bytes().any(crate::text::is_space);
        proptest::prop_assert_eq!(contact::valid_at_once(s.as_bytes()), plain && rules.is_ok(), "{:?}", rules);
    }

    /// A dotted quad read by position is the address the standard library reads, and every
    /// address it reads is read so.
    #[test]
    fn a_dotted_quad_read_at_once_is_what_std_reads(s in "[0-9]{0,4}(\\.[0-9]{0,4}){0,4}") {
        proptest::prop_assert_eq!(web::plain_ipv4(&s), s.parse::<std::net::Ipv4Addr>().ok());
    }

    /// A phone cell of digits and the separators only (the quick path) holds nothing that the
    /// repairs for spreadsheet damage, line-type hints and extensions would change.
    #[test]
    fn a_plain_phone_cell_needs_no_repair(s in "[0-9 ()+-]{0,16}") {
        let t = crate::text::trim(&s);
        proptest::prop_assert!(phone::from_scientific(t).is_none());
        proptest::prop_assert!(t.strip_suffix(".0").is_none() && !t.starts_with('\''));
        proptest::prop_assert_eq!(phone::split_extension(phone::strip_line_type_hint(t)), (t, None));
    }

    /// A typed value read at once, before the scan for control characters and masks, is what
    /// the general path reads, note and all; so is what it leaves (white space around, a `*`,
    /// a control character, another form). The second list holds the forms nearest the quick
    /// readings' edges: masks (which the general path reads as masks), a certificate's id one
    /// digit short or long, a phone with an extension, a birth date in the future.
    #[test]
    fn typed_values_read_at_once_are_what_the_general_path_reads(
        (field, raw) in proptest::prop_oneof![
            proptest::prop_oneof![
                "[ $]?[0-9]{0,17}(\\.[0-9]{0,4})?[ *\u{1}]?".prop_map(|r| (Field::Price, r)),
                "[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}[ \u{1}]?".prop_map(|r| (Field::Dob, r)),
                "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]{1,3})?[Zz]?[ \u{1}]?"
                    .prop_map(|r| (Field::SubmittedAt, r)),
                "[ ]?[0-9]{1,3}(\\.[0-9]{1,3}){3}[ \u{1}]?".prop_map(|r| (Field::IpAddress, r)),
                "[ <]?[a-zA-Z0-9.*+]{1,8}@[a-zA-Z0-9.-]{1,10}\\.[a-z0-9]{1,3}[ >\u{1}]?"
                    .prop_map(|r| (Field::Email, r)),
                "[ +(]?[0-9 ()*.-]{6,16}[ \u{1}x]?".prop_map(|r| (Field::Phone1, r)),
                "(https://cert\\.trustedform\\.com/|HTTPS://cert\\.trustedform\\.com/)?[0-9a-fA-F*]{39,41}[ /?\u{1}]?"
                    .prop_map(|r| (Field::TrustedformCertUrl, r)),
                "[{ ]?[0-9a-fA-F*-]{31,37}[} \u{1}]?".prop_map(|r| (Field::UniversalLeadid, r)),
            ],
            proptest::prop_oneof![
                "[a-z]{1,2}\\*{1,4}[a-z]{0,2}@[a-z]{3,6}\\.com".prop_map(|r| (Field::Email, r)),
                "\\(?[0-9*]{3}\\)? ?[0-9*]{3}-?[0-9*]{4}( x[0-9]{1,3})?".prop_map(|r| (Field::Phone1, r)),
                "https://cert\\.trustedform\\.com/[0-9a-f]{38,42}"
                    .prop_map(|r| (Field::TrustedformCertUrl, r)),
                "[0-9]{1,2}/[0-9]{1,2}/(20[2-9][0-9]|19[0-9]{2})".prop_map(|r| (Field::Dob, r)),
            ],
        ],
    ) {
        let options = CleanOptions::new(leadsift_testkit::today());
        let quick = clean_typed(field, &raw, &options);
        let general = clean_typed_generally(field, &raw, &options);
        proptest::prop_assert_eq!(quick.value, general.value, "{} {:?}", field, raw);
        proptest::prop_assert_eq!(quick.note, general.note, "{} {:?}", field, raw);
    }

    /// The quick trim is `str::trim`, for ASCII, Unicode white space (no-break, ideographic)
    /// and control characters at either end.
    #[test]
    fn the_quick_trim_is_str_trim(s in "[ \t\r\n\u{b}\u{c}\u{1c}\u{a0}\u{2000}\u{3000}\u{85}\u{1}a-z0-9é☃*~]{0,12}") {
        proptest::prop_assert_eq!(crate::text::trim(&s), s.trim());
    }

    /// A price behind a dollar sign reads as its digits, by the short way or the long.
    #[test]
    fn a_dollar_amount_reads_as_its_digits(
        digits in "[0-9]{0,7}(\\.[0-9]{0,3})?",
        comma in proptest::bool::ANY,
    ) {
        let decimal = if comma { DecimalSeparator::Comma } else { DecimalSeparator::Dot };
        // The long way is taken whenever a space follows the sign; errors quote the input, so
        // they are compared by code.
        let read = |raw: String| match Number::parse(&raw, decimal) {
            Ok(n) => Ok(n),
            Err(note) => Err(note.code),
        };
        proptest::prop_assert_eq!(read(format!("${digits}")), read(format!("$ {digits}")));
    }
}

#[test]
fn text_cleaned_into_its_slot_is_what_the_general_path_makes() {
    // The validator cleans text straight into the lead's slot (`clean_into`); every other
    // path goes through `clean_typed`, which cleans text by `Text::parse`. They must agree,
    // and the slot must hold only the new value, whatever it held.
    let options = CleanOptions::new(leadsift_testkit::today());
    let long = "a long comment that does not fit in place, ".repeat(3);
    let cases = [
        (Field::FirstName, " Ann "),
        (Field::FirstName, "   "),
        (Field::FirstName, ""),
        (Field::FirstName, "\u{1}\u{2}"),
        (Field::FirstName, "An\u{0}n"),
        (Field::City, "Saint\r\nPaul"),
        (Field::Comments, long.as_str()),
        (Field::LeadId, "=\"007\""),
        (Field::LeadId, "=\"unclosed"),
        (Field::Email, "ANN@EXAMPLE.COM"),
        (Field::Email, "not an email"),
        (Field::Phone1, "512*******"),
        // Long typed text over a slot that held a URL, a certificate or text: a URL, a
        // certificate, and the kinds that read otherwise (short, empty, a formula, control
        // characters, a mask, a query with a control character, no URL at all).
        (
            Field::LandingPage,
            " HTTPS://Apply.Example.com/Spring-Refi?src=13 ",
        ),
        (
            Field::LandingPage,
            "https://example.com/a-much-longer-path/than/before/x",
        ),
        (Field::LandingPage, "http://a.co/"),
        (Field::LandingPage, ""),
        (
            Field::LandingPage,
            "=\"https://apply.example.com/spring-refi?src=13\"",
        ),
        (
            Field::LandingPage,
            "https://apply.example.com/spring\u{1}-refi",
        ),
        (
            Field::LandingPage,
            "https://apply.example.com/****/refi-a-mask",
        ),
        (
            Field::LandingPage,
            "not a url at all, and long enough for the heap",
        ),
        (
            Field::TrustedformCertUrl,
            "https://cert.trustedform.com/4ADC7C518C673218E63A4580FFFC224FCB2C3B9B",
        ),
        (
            Field::TrustedformCertUrl,
            "cert.trustedform.com/4adc7c518c673218e63a4580fffc224fcb2c3b9b/",
        ),
        (
            Field::TrustedformCertUrl,
            "https://cert.trustedform.com/4adc7c518c673218e63a4580fffc224fcb2c3b9b?x=\u{1}",
        ),
        (
            Field::TrustedformCertUrl,
            "https://cert.trustedform.com/abc",
        ),
    ];
    // What the slot held before: nothing, another kind of value, text in place (longer and
    // shorter than the new), text on the heap.
    let before = [
        None,
        Some(Value::Boolean(true)),
        Some(Value::Text(Text(small::SmallText::new(
            &"z".repeat(small::INLINE),
        )))),
        Some(Value::Text(Text(small::SmallText::new("q")))),
        Some(Value::Text(Text(small::SmallText::new(&long)))),
        Some(Value::Url(
            Url::parse("https://example.com/the-last-rows-page?id=1")
                .expect("a URL")
                .0,
        )),
        Some(Value::Url(Url::parse("http://b.co").expect("a URL").0)),
        Some(Value::TrustedForm(
            TrustedFormUrl::parse("cert.trustedform.com/d91e17bb519f17a0c0be8ae0471334aecb1756a3")
                .expect("a certificate")
                .0,
        )),
    ];
    for (field, raw) in cases {
        for stale in &before {
            let mut slot = stale.clone();
            let note = clean_into(field, raw, &options, &mut slot);
            let general = clean_typed(field, raw, &options);
            assert_eq!(slot, general.value, "{field} {raw:?} over {stale:?}: value");
            assert_eq!(note, general.note, "{field} {raw:?} over {stale:?}: note");
        }
    }
}

#[test]
fn dates_are_written_as_chrono_writes_them_whatever_the_year() {
    // Written without a format string; chrono's `%Y-%m-%d` is the reference.
    for (y, m, d) in [
        (1980, 6, 2),
        (5, 1, 9),
        (0, 12, 31),
        (9999, 12, 31),
        (10_000, 1, 1),
        (-1, 3, 4),
        (-44, 3, 15),
        (-12_345, 6, 7),
    ] {
        let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        let mut ours = String::new();
        datetime::write_date(&mut ours, date).expect("written");
        assert_eq!(ours, date.format("%Y-%m-%d").to_string(), "{date:?}");
    }
}

#[test]
fn small_text_set_in_place_equals_small_text_made_anew() {
    // Every length that fits and the first that does not, ASCII and not, over an inline text
    // of every length: the same text (the bytes past it are not compared, nor read).
    let texts = |n: usize| ["x".repeat(n), "é".repeat(n / 2) + &"y".repeat(n % 2)];
    for old in 0..=small::INLINE {
        for before in texts(old) {
            for n in 0..=small::INLINE + 1 {
                for text in texts(n) {
                    let mut set = small::SmallText::new(&before);
                    let fits = set.set(&text);
                    assert_eq!(fits, text.len() <= small::INLINE, "{text:?}");
                    if fits {
                        assert_eq!(set, small::SmallText::new(&text), "{text:?}");
                        assert_eq!(set.as_str(), text);
                    } else {
                        assert_eq!(set.as_str(), before, "nothing written for {text:?}");
                    }
                }
            }
        }
    }
    let mut heap = small::SmallText::new(&"h".repeat(small::INLINE + 1));
    assert!(
        !heap.set("d"),
        "a long text is replaced by a short one, not set"
    );
    assert_eq!(heap.as_str(), "h".repeat(small::INLINE + 1));
    // A long text over a long one: shorter, longer (past the room it had), not ASCII.
    for text in [
        "i".repeat(small::INLINE + 1),
        "j".repeat(small::INLINE + 40),
        "é".repeat(small::INLINE),
        "k".repeat(small::INLINE + 2),
    ] {
        assert!(heap.set(&text), "{text:?}");
        assert_eq!(heap, small::SmallText::new(&text));
        assert_eq!(heap.as_str(), text);
    }
    assert_ne!(
        small::SmallText::new("ab"),
        small::SmallText::new("abc"),
        "texts of different lengths differ"
    );
}
