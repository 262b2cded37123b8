//! The wasm surface under Node (wasm-bindgen-test), over the same golden fixtures as the core,
//! with identical output. Run: `cargo test -p leadsift-wasm --target wasm32-unknown-unknown`
//! with `wasm-bindgen-test-runner` as the runner (see `.ci/run`).
#![cfg(target_arch = "wasm32")]

use leadsift_wasm::{Validator, batch_checksum_js};
use serde_json::Value as Json;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! golden {
    ($($name:literal),*) => { &[ $( ($name, include_bytes!(concat!("../../../tests/fixtures/golden/", $name, ".csv")).as_slice(),
        include_str!(concat!("../../../tests/fixtures/golden/", $name, ".expected.jsonl"))) ),* ] };
}

const CASES: &[(&str, &[u8], &str)] = golden!(
    "camel-comma-utf16",
    "lc-semicolon-cp1252-crlf",
    "snake-tab-utf8bom",
    "camel-pipe-utf8-crlf",
    "lc-comma-utf8",
    "snake-semicolon-utf16",
    "lc-tab-utf16-crlf"
);

fn json(v: JsValue) -> Json {
    serde_wasm_bindgen::from_value(v).expect("plain JS values")
}

fn run(bytes: &[u8], chunk: usize) -> (Vec<Json>, Json) {
    let mut v = Validator::new(JsValue::UNDEFINED).expect("validator");
    let mut rows = Vec::new();
    for part in bytes.chunks(chunk) {
        rows.extend(
            json(v.push(part).map_err(JsValue::from).expect("push"))
                .as_array()
                .expect("rows")
                .clone(),
        );
    }
    rows.extend(
        json(v.finish().map_err(JsValue::from).expect("finish"))
            .as_array()
            .expect("rows")
            .clone(),
    );
    (
        rows,
        json(v.summary().map_err(JsValue::from).expect("summary")),
    )
}

/// One golden case: every expected field of every record, the invalid fields, and extra.
fn check(name: &str, bytes: &[u8], expected: &str) {
    let (rows, summary) = run(bytes, 4096);
    let expected = leadsift_testkit::expected(expected);
    assert_eq!(rows.len(), expected.len(), "{name}");
    assert_eq!(
        summary["rows"].as_u64(),
        Some(expected.len() as u64),
        "{name}"
    );
    for (row, exp) in rows.iter().zip(&expected) {
        if let Some(why) = leadsift_testkit::golden_mismatch(row, exp) {
            panic!("{name}: {why}");
        }
    }
}

#[wasm_bindgen_test]
fn golden_cases_match_the_generator() {
    for (name, bytes, expected) in CASES {
        check(name, bytes, expected);
    }
}

/// Checking counts the rows `push` returns and leaves the same summary.
#[wasm_bindgen_test]
fn check_counts_the_rows_push_returns() {
    for (name, bytes, _) in CASES {
        let (rows, summary) = run(bytes, 1000);
        let mut v = Validator::new(JsValue::UNDEFINED).expect("validator");
        let mut n = 0;
        for part in bytes.chunks(1000) {
            n += v.check(part).map_err(JsValue::from).expect("check");
        }
        n += v.finish_check().map_err(JsValue::from).expect("finish");
        assert_eq!(n as usize, rows.len(), "{name}");
        assert_eq!(
            json(v.summary().map_err(JsValue::from).expect("summary")),
            summary,
            "{name}"
        );
    }
}

#[wasm_bindgen_test]
fn the_wasm_output_is_the_cores_output() {
    let (name, bytes, _) = CASES[1];
    let (rows, summary) = run(bytes, 777);
    let (core_rows, core_summary) = core_validate(bytes);
    let core_rows: Vec<Json> = core_rows
        .iter()
        .map(|r| serde_json::to_value(r).expect("row"))
        .collect();
    assert!(
        leadsift_testkit::same(&Json::Array(rows), &Json::Array(core_rows)),
        "{name}: identical rows"
    );
    assert!(
        leadsift_testkit::same(
            &summary,
            &serde_json::to_value(&core_summary).expect("summary")
        ),
        "{name}: identical summary"
    );
}

fn js(v: &Json) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("js")
}

/// The native core on the same bytes, with the same "today" as the wasm surface.
fn core_validate(bytes: &[u8]) -> (Vec<leadsift_core::Row>, leadsift_core::Summary) {
    let options = leadsift_core::Options::new(chrono_today());
    leadsift_core::validate_bytes(bytes, options).expect("core")
}

fn chrono_today() -> chrono::NaiveDate {
    let d = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .expect("today")
}

#[wasm_bindgen_test]
fn errors_are_exceptions_with_the_cores_message() {
    let bad = js(&serde_json::json!({"timezone": "Mars/Olympus"}));
    let err = Validator::new(bad)
        .map(drop)
        .map_err(JsValue::from)
        .expect_err("unknown zone");
    let msg = js_sys::Error::from(err).message();
    assert!(String::from(msg).contains("unknown time zone"));
    let typo = Validator::new(js(&serde_json::json!({"strcit": true})))
        .map(drop)
        .map_err(JsValue::from)
        .expect_err("unknown option");
    assert!(String::from(js_sys::Error::from(typo).message()).contains("strcit"));
    // The core's delimiter rule, as the command line applies it: a quote is refused.
    let quote = Validator::new(js(&serde_json::json!({"delimiter": "\""})))
        .map(drop)
        .map_err(JsValue::from)
        .expect_err("a quote");
    assert!(String::from(js_sys::Error::from(quote).message()).contains("not a quote"));
    let mut v = Validator::new(JsValue::UNDEFINED).expect("validator");
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let _ = v.push(png);
    let err = v
        .finish()
        .map(drop)
        .map_err(JsValue::from)
        .expect_err("not a csv");
    assert!(String::from(js_sys::Error::from(err).message()).contains("PNG"));
}

#[wasm_bindgen_test]
fn the_batch_checksum_of_pushed_rows_is_the_servers() {
    let (_, bytes, _) = CASES[4];
    let mut v = Validator::new(JsValue::UNDEFINED).expect("validator");
    let rows = v.push(bytes).map_err(JsValue::from).expect("push");
    let from_js = batch_checksum_js(rows)
        .map_err(JsValue::from)
        .expect("checksum");
    let (core_rows, _) = core_validate(bytes);
    let pushed = core_rows.len().min(
        json(v.summary().map_err(JsValue::from).expect("summary"))["rows"]
            .as_u64()
            .unwrap_or(0) as usize,
    );
    assert_eq!(from_js, leadsift_wasm::checksum_of(&core_rows[..pushed]));
}

#[wasm_bindgen_test]
fn a_batch_body_of_pushed_rows_is_in_the_one_shape_the_server_reads() {
    let (_, bytes, _) = CASES[4];
    let mut v = Validator::new(JsValue::UNDEFINED).expect("validator");
    let rows = v.push(bytes).map_err(JsValue::from).expect("push");
    let checksum = batch_checksum_js(rows.clone())
        .map_err(JsValue::from)
        .expect("checksum");
    let body = json(
        leadsift_wasm::batch_body_js(rows)
            .map_err(JsValue::from)
            .expect("body"),
    );
    assert_eq!(body["checksum"], checksum.as_str());
    // What the server does with the body: read it strictly and check its checksum.
    let read: Vec<leadsift_core::wire::BatchRowIn> =
        serde_json::from_value(body["rows"].clone()).expect("the server's shape");
    let wire: Vec<_> = read.into_iter().map(|r| r.into_wire()).collect();
    assert!(!wire.is_empty());
    assert_eq!(leadsift_core::wire::batch_checksum(&wire), checksum);
}
