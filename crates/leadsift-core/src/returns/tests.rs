use super::{
    DEFAULT_RETURN_CODES, RETURNS_HEADER, Return, ReturnCode, ReturnRule, ReturnsError,
    ReturnsSummary,
};
use crate::issue::IssueCode;
use crate::validate::{Options, Row, validate_bytes};

fn rows(csv: &str) -> Vec<Row> {
    validate_bytes(csv.as_bytes(), Options::new(leadsift_testkit::today()))
        .expect("readable")
        .0
}

const FILE: &str = "\
Event ID,Lead ID,Email,Phone 1,Phone 2,Is Test,Price
E1,L1,ann@example.com,5127891111,,false,$12.50
E2,L2,not-an-email,5127891112,,,0.10
E3,L3,cy@example.com,555,123,,0.20
E4,L4,dee@example.com,5127891114,,TRUE,1
,L5,eve@example.com,12,,,3
E6,L1,ann@example.com,5127891111,,,4
E7,L7,bad@,77,,yes,5
";

#[test]
fn each_code_returns_its_rows_with_a_sentence() {
    let rule = ReturnRule::default();
    let got: Vec<(u64, Option<String>, String)> = rows(FILE)
        .iter()
        .filter_map(|r| rule.judge(r))
        .map(|r| (r.line, r.event_id, r.reason))
        .collect();
    let want = [
        (3, Some("E2"), "Invalid e-mail address"),
        (4, Some("E3"), "Invalid phone number (phone_1, phone_2)"),
        (5, Some("E4"), "Test lead"),
        (6, None, "Invalid phone number (phone_1)"),
        (
            7,
            Some("E6"),
            "Duplicate lead (the same lead as line 2 of the export)",
        ),
        (
            8,
            Some("E7"),
            "Invalid phone number (phone_1); invalid e-mail address; test lead",
        ),
    ];
    let want: Vec<(u64, Option<String>, String)> = want
        .iter()
        .map(|(l, e, r)| (*l, e.map(str::to_owned), (*r).to_owned()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn only_the_chosen_codes_return() {
    let rule = ReturnRule::parse_list(" invalid_email ,is_test").expect("codes");
    let lines: Vec<u64> = rows(FILE)
        .iter()
        .filter_map(|r| rule.judge(r))
        .map(|r| r.line)
        .collect();
    assert_eq!(lines, [3, 5, 8]);
    let r = rows(FILE)
        .iter()
        .find_map(|r| rule.judge(r).filter(|r| r.line == 8))
        .expect("line 8");
    assert_eq!(r.reason, "Invalid e-mail address; test lead");
    assert_eq!(
        r.codes,
        [ReturnCode::Issue(IssueCode::InvalidEmail), ReturnCode::Test]
    );
}

#[test]
fn a_reason_list_names_known_codes() {
    assert_eq!(
        ReturnRule::parse_list("invalid_phone,is_test,invalid_phone")
            .expect("codes")
            .codes(),
        [ReturnCode::Issue(IssueCode::InvalidPhone), ReturnCode::Test]
    );
    assert_eq!(
        ReturnRule::parse_list("invalid_phone,bogus"),
        Err(ReturnsError::UnknownCode("bogus".into()))
    );
    assert_eq!(ReturnRule::parse_list(" , "), Err(ReturnsError::NoCodes));
    assert_eq!(ReturnRule::default().codes(), DEFAULT_RETURN_CODES);
    for code in ReturnCode::all() {
        assert_eq!(ReturnCode::parse(code.name()), Ok(code));
    }
}

#[test]
fn the_summary_counts_price_in_cents_and_keeps_rows_without_an_event_id_apart() {
    let rule = ReturnRule::default();
    let mut s = ReturnsSummary::default();
    for r in rows(FILE).iter().filter_map(|r| rule.judge(r)) {
        s.add(&r);
    }
    assert_eq!(s.returned, 5);
    // 0.10 + 0.20 + 1 + 4 + 5: exact, not a float's sum.
    assert_eq!((s.price_cents, s.price()), (1030, "10.30".to_owned()));
    assert_eq!(
        (s.without_event_id, s.without_event_id_lines.clone()),
        (1, vec![6])
    );
    assert_eq!(s.by_code.get("invalid_phone"), Some(&2));
    assert_eq!(s.by_code.get("is_test"), Some(&2));
    assert_eq!(s.by_code.get("duplicate_in_file"), Some(&1));
}

#[test]
fn the_returns_file_is_formula_escaped() {
    assert_eq!(RETURNS_HEADER, "Event ID,Reason\n");
    let r = Return {
        line: 2,
        event_id: Some("=HYPERLINK(\"x\")".into()),
        codes: vec![ReturnCode::Test],
        reason: "@risk, \"quoted\"".into(),
        price_cents: None,
    };
    assert_eq!(
        r.to_csv().as_deref(),
        Some("\"'=HYPERLINK(\"\"x\"\")\",\"'@risk, \"\"quoted\"\"\"\n")
    );
    assert_eq!(
        Return {
            event_id: None,
            ..r
        }
        .to_csv(),
        None
    );
}
