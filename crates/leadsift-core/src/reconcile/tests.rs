use super::{
    Class, Contact, Difference, Finding, RECONCILE_REPORT_HEADER, ReconcileSummary, Window,
    same_delivery,
};
use crate::validate::{Options, Row, validate_bytes};

fn rows(csv: &str) -> Vec<Row> {
    validate_bytes(csv.as_bytes(), Options::new(leadsift_testkit::today()))
        .expect("readable")
        .0
}

const FILE: &str = "\
Lead ID,Email,Phone 1,Submitted At
L1,Ann@Example.com,(512) 789-1111,2026-11-02 10:00:00
L2,bob@example.com,,2026-11-01T09:00:00-05:00
L3,,,
";

fn time(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("a time")
}

#[test]
fn a_delivery_is_the_same_lead_by_time_and_email_or_phone() {
    let rows = rows(FILE);
    let ann = Contact::of(&rows[0]);
    assert_eq!(ann.email, Some("ann@example.com"));
    assert_eq!(ann.phone, Some("5127891111"));
    assert_eq!(ann.submitted_at, Some(time("2026-11-02 10:00:00")));
    // Offsets are compared in UTC.
    assert_eq!(
        Contact::of(&rows[1]).submitted_at,
        Some(time("2026-11-01 14:00:00"))
    );
    let delivered = |email, phone, at| Contact {
        email,
        phone,
        submitted_at: Some(time(at)),
    };
    assert!(same_delivery(
        &ann,
        &delivered(Some("ann@example.com"), None, "2026-11-02 10:00:00")
    ));
    assert!(same_delivery(
        &ann,
        &delivered(
            Some("other@example.com"),
            Some("5127891111"),
            "2026-11-02 10:00:00"
        )
    ));
    assert!(!same_delivery(
        &ann,
        &delivered(Some("ann@example.com"), None, "2026-11-02 10:00:01")
    ));
    assert!(!same_delivery(
        &ann,
        &delivered(None, None, "2026-11-02 10:00:00")
    ));
    // Without a submission time, no delivery is the same by contact.
    let l3 = Contact::of(&rows[2]);
    assert!(!same_delivery(&l3, &l3));
}

#[test]
fn a_row_is_classed_by_how_many_stored_leads_are_it() {
    let rows = rows(FILE);
    let diff = || {
        vec![Difference {
            field: "city".into(),
            delivered: Some("Austin".into()),
            exported: Some("=Dallas".into()),
        }]
    };
    let none = Finding::of_row(&rows[0], vec![], diff());
    let same = Finding::of_row(&rows[0], vec!["lead:L1".into()], vec![]);
    let differs = Finding::of_row(&rows[0], vec!["lead:L1".into()], diff());
    let twice = Finding::of_row(&rows[0], vec!["lead:L1".into(), "lead:L1b".into()], diff());
    let lacking = Finding::not_exported("lead:L9".into());
    assert_eq!(
        [&none, &same, &differs, &twice, &lacking].map(|f| f.class),
        [
            Class::NotDelivered,
            Class::Matched,
            Class::Differs,
            Class::DeliveredTwice,
            Class::DeliveredNotExported
        ]
    );
    assert!(twice.differences.is_empty() && none.differences.is_empty());
    assert_eq!(
        RECONCILE_REPORT_HEADER,
        "class,line,lead_key,stored_keys,field,delivered,exported\n"
    );
    assert_eq!(
        differs.to_csv(),
        "differs,2,lead:L1,lead:L1,city,Austin,'=Dallas\n"
    );
    assert_eq!(
        twice.to_csv(),
        "delivered_twice,2,lead:L1,lead:L1 lead:L1b,,,\n"
    );
    assert_eq!(lacking.to_csv(), "delivered_not_exported,,,lead:L9,,,\n");
    let mut s = ReconcileSummary::default();
    for f in [&none, &same, &differs, &twice, &lacking] {
        s.add(f);
    }
    assert_eq!(s.rows, 4);
    for c in Class::ALL {
        assert_eq!(s.count(c), 1, "{c:?}");
    }
    assert_eq!(s.fields.get("city"), Some(&1));
}

#[test]
fn the_window_spans_the_rows_submission_times() {
    let mut w = Window::default();
    for r in rows(FILE) {
        w.add(&r);
    }
    assert_eq!(w.from, Some(time("2026-11-01 14:00:00")));
    assert_eq!(w.to, Some(time("2026-11-02 10:00:00")));
    assert_eq!(
        w.bounds(),
        Some((
            "2026-11-01T14:00:00.000000Z".to_owned(),
            "2026-11-02T10:00:00.000000Z".to_owned()
        ))
    );
    assert_eq!(Window::default().bounds(), None);
}

#[test]
fn a_client_tells_the_deliveries_no_row_is() {
    let rows = rows(FILE);
    let mut seen = super::Seen::default();
    seen.add(&Finding::of_row(
        &rows[0],
        vec!["lead:L1".into(), "lead:L1b".into()],
        vec![],
    ));
    seen.add(&Finding::not_exported("lead:L9".into()));
    assert_eq!(seen.not_exported("lead:L1b"), None);
    assert_eq!(
        seen.not_exported("lead:L9"),
        Some(Finding::not_exported("lead:L9".into()))
    );
}

#[test]
fn the_window_is_written_as_chrono_writes_it_to_the_microsecond() {
    // Written without a format string; chrono's own is the reference, leap second and far
    // years included.
    let at = |y, mo, d, h, mi, s, nanos| {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|day| day.and_hms_nano_opt(h, mi, s, nanos))
            .expect("a time")
    };
    for t in [
        at(2026, 11, 1, 14, 0, 0, 0),
        at(2026, 1, 9, 3, 4, 5, 123_456_789),
        at(2016, 12, 31, 23, 59, 59, 1_500_000_000),
        at(12, 2, 3, 4, 5, 6, 999),
        at(10_000, 1, 1, 0, 0, 0, 7_000),
        at(-1, 3, 4, 5, 6, 7, 8_000_000),
    ] {
        let w = Window {
            from: Some(t),
            to: Some(t),
        };
        let want = t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        assert_eq!(w.bounds(), Some((want.clone(), want)), "{t:?}");
    }
}
