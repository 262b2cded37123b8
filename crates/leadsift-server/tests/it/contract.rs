//! The API document against the server: the checked-in `docs/openapi.json` is the generated
//! one, and every documented route, called with good and bad requests, answers with a
//! documented status and a body its schema accepts.

use std::collections::BTreeSet;

use leadsift_server::routes::openapi::ApiDoc;
use reqwest::blocking::RequestBuilder;
use serde_json::{Value as Json, json};

use crate::api::{TestApp, batch_body, spawn};
use crate::validate;

fn checked_in() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn the_checked_in_api_document_is_the_generated_one() {
    let generated = ApiDoc::json();
    if std::env::var_os("LEADSIFT_BLESS").is_some() {
        std::fs::write(checked_in(), &generated).expect("write docs/openapi.json");
    }
    let on_disk = std::fs::read_to_string(checked_in()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/openapi.json is not the document the server generates: run `LEADSIFT_BLESS=1 cargo test -p leadsift-server the_checked_in_api_document` and commit it"
    );
}

/// The document as the server serves it, and what the walk reached.
struct Contract {
    doc: Json,
    /// (method, path template, status) answered.
    reached: BTreeSet<(String, String, u16)>,
}

/// A JSON Schema keyword the check below does not know: the document must use only those it
/// checks, so nothing in it goes unchecked.
const NOTES: &[&str] = &[
    "description",
    "title",
    "default",
    "examples",
    "example",
    "deprecated",
];

impl Contract {
    fn new(app: &TestApp) -> Contract {
        let r = app.get("/api/v1/openapi.json").send().expect("get");
        assert_eq!(r.status(), 200);
        let text = r.text().expect("body");
        assert!(
            text == ApiDoc::json(),
            "the served document is not the generated one"
        );
        let doc: Json = serde_json::from_str(&text).expect("the document is JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        Contract {
            doc,
            reached: BTreeSet::new(),
        }
    }

    /// The documented template that `path` (without its query) falls under: literal segments
    /// before `{parameters}`, as the server routes them.
    fn template(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap_or(path);
        let segs: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for t in self.doc["paths"].as_object().expect("paths").keys() {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != segs.len() {
                continue;
            }
            let mut literal = 0;
            let fits = ts.iter().zip(&segs).all(|(t, s)| {
                if t.starts_with('{') {
                    !s.is_empty()
                } else {
                    literal += 1;
                    t == s
                }
            });
            if fits && best.as_ref().is_none_or(|(n, _)| literal > *n) {
                best = Some((literal, t.clone()));
            }
        }
        best.map(|(_, t)| t)
            .unwrap_or_else(|| panic!("{path} is under no documented route"))
    }

    /// Sends `r`, and checks its answer against the document: a documented status, a
    /// documented content type, a body the schema accepts, and an error code its status's
    /// description names.
    fn call(&mut self, method: &str, path: &str, r: RequestBuilder) -> (u16, Json) {
        let resp = r.send().expect("request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
            .unwrap_or_default();
        let text = resp.text().expect("body");
        let template = self.template(path);
        let what = format!("{method} {path} → {status}");
        let op = &self.doc["paths"][&template][method.to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {template} is not documented");
        let documented = &op["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{what} is not a documented answer of {method} {template}: {text}"
        );
        let content = documented["content"].as_object();
        let body = match content {
            None => {
                assert!(text.is_empty(), "{what}: a body where none is documented");
                Json::Null
            }
            Some(content) => {
                let media = content.get(&content_type).unwrap_or_else(|| {
                    panic!("{what}: {content_type:?} is not among {:?}", content.keys())
                });
                if content_type == "application/json" {
                    let body: Json = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"));
                    if let Some(Err(e)) = media
                        .get("schema")
                        .map(|schema| check(&self.doc, schema, &body, "$"))
                    {
                        panic!("{what}: the body breaks its schema: {e}\n{text}");
                    }
                    body
                } else {
                    if let Some(schema) = media.get("schema") {
                        check(&self.doc, schema, &Json::String(text.clone()), "$")
                            .unwrap_or_else(|e| panic!("{what}: {e}"));
                    }
                    Json::String(text)
                }
            }
        };
        // (A rejected lead's 422 is an answer, not an error: it has no `error`.)
        if let Some(code) = body.get("error").filter(|_| status >= 400) {
            let code = code.as_str().unwrap_or_default();
            let description = documented["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("`{code}`")),
                "{what}: the error code {code:?} is not named by the documented answer ({description})"
            );
        }
        self.reached.insert((method.to_owned(), template, status));
        (status, body)
    }
}

fn type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// `v` against `schema`, for the keywords the document uses (any other is an error). Stricter
/// than JSON Schema in one way: an object with declared `properties` and no
/// `additionalProperties` may hold no other key, so an answer cannot carry an undocumented
/// field.
fn check(doc: &Json, schema: &Json, v: &Json, at: &str) -> Result<(), String> {
    let s = match schema {
        Json::Bool(true) => return Ok(()),
        Json::Bool(false) => return Err(format!("{at}: nothing is allowed here")),
        Json::Object(s) => s,
        other => return Err(format!("{at}: {other} is not a schema")),
    };
    for (k, rule) in s {
        match k.as_str() {
            "$ref" => {
                let name = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .ok_or_else(|| format!("{at}: a $ref outside the components: {rule}"))?;
                let target = &doc["components"]["schemas"][name];
                if target.is_null() {
                    return Err(format!("{at}: $ref to a missing schema {name}"));
                }
                check(doc, target, v, at)?;
            }
            "type" => {
                let t = type_of(v);
                let fits = |want: &Json| {
                    want.as_str()
                        .is_some_and(|w| w == t || (w == "number" && t == "integer"))
                };
                let ok = match rule {
                    Json::Array(types) => types.iter().any(fits),
                    one => fits(one),
                };
                if !ok {
                    return Err(format!("{at}: a {t} where {rule} is documented: {v}"));
                }
            }
            "enum" => {
                let list = rule.as_array().ok_or("enum is not a list")?;
                if !list.contains(v) {
                    return Err(format!("{at}: {v} is not one of {rule}"));
                }
            }
            "format" => {
                if let Some(text) = v.as_str() {
                    match rule.as_str().unwrap_or_default() {
                        "date-time" => {
                            let ok = text.ends_with('Z')
                                && chrono::DateTime::parse_from_rfc3339(text).is_ok()
                                && text.split_once('.').is_none_or(|(_, frac)| frac.len() <= 7);
                            if !ok {
                                return Err(format!(
                                    "{at}: {text:?} is not an RFC 3339 UTC time (Z, at most microseconds)"
                                ));
                            }
                        }
                        "date" => {
                            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                                .map_err(|e| format!("{at}: {text:?} is not a date: {e}"))?;
                        }
                        other => return Err(format!("{at}: unknown string format {other}")),
                    }
                } else if !matches!(
                    rule.as_str(),
                    Some("int32" | "int64" | "float" | "double" | "date-time" | "date")
                ) {
                    return Err(format!("{at}: unknown format {rule}"));
                }
            }
            "minimum" => {
                if let (Some(n), Some(min)) = (v.as_f64(), rule.as_f64())
                    && n < min
                {
                    return Err(format!("{at}: {n} is below the minimum {min}"));
                }
            }
            // A group of keywords is checked once, at the first of them the schema has.
            k if OBJECT.contains(&k) => {
                if leads(s, &OBJECT, k) {
                    check_object(doc, s, v, at)?;
                }
            }
            k if ARRAY.contains(&k) => {
                if leads(s, &ARRAY, k) {
                    check_array(doc, s, v, at)?;
                }
            }
            "oneOf" => {
                let list = rule.as_array().ok_or("oneOf is not a list")?;
                let fits = list
                    .iter()
                    .filter(|alt| check(doc, alt, v, at).is_ok())
                    .count();
                if fits != 1 {
                    return Err(format!(
                        "{at}: {v} fits {fits} of the oneOf alternatives, not one"
                    ));
                }
            }
            "allOf" => {
                for alt in rule.as_array().ok_or("allOf is not a list")? {
                    check(doc, alt, v, at)?;
                }
            }
            "anyOf" => {
                let list = rule.as_array().ok_or("anyOf is not a list")?;
                if !list.iter().any(|alt| check(doc, alt, v, at).is_ok()) {
                    return Err(format!("{at}: {v} fits none of the anyOf alternatives"));
                }
            }
            note if NOTES.contains(&note) => {}
            other => return Err(format!("{at}: the keyword {other} is not checked here")),
        }
    }
    Ok(())
}

const OBJECT: [&str; 4] = [
    "properties",
    "additionalProperties",
    "propertyNames",
    "required",
];
const ARRAY: [&str; 2] = ["prefixItems", "items"];

/// Whether `keyword` is the first of `group` that `s` has.
fn leads(s: &serde_json::Map<String, Json>, group: &[&str], keyword: &str) -> bool {
    group.iter().find(|k| s.contains_key(**k)) == Some(&keyword)
}

/// The object keywords of `s`.
fn check_object(
    doc: &Json,
    s: &serde_json::Map<String, Json>,
    v: &Json,
    at: &str,
) -> Result<(), String> {
    let Some(o) = v.as_object() else {
        return Ok(());
    };
    let props = s.get("properties").and_then(Json::as_object);
    for name in s
        .get("required")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        if !o.contains_key(name) {
            return Err(format!("{at}: the required {name:?} is missing"));
        }
    }
    for (key, value) in o {
        let here = format!("{at}.{key}");
        if let Some(names) = s.get("propertyNames") {
            check(doc, names, &Json::String(key.clone()), &here)?;
        }
        match (
            props.and_then(|p| p.get(key)),
            s.get("additionalProperties"),
        ) {
            (Some(p), _) => check(doc, p, value, &here)?,
            (None, Some(extra)) => check(doc, extra, value, &here)?,
            (None, None) if props.is_some() => {
                return Err(format!("{here}: a key the document does not declare"));
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// The array keywords of `s`.
fn check_array(
    doc: &Json,
    s: &serde_json::Map<String, Json>,
    v: &Json,
    at: &str,
) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Ok(());
    };
    let prefix = s
        .get("prefixItems")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        match prefix.get(i) {
            Some(p) => check(doc, p, item, &here)?,
            None => {
                if let Some(rest) = s.get("items") {
                    check(doc, rest, item, &here)?;
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_error_code_is_written_as_it_is_named() {
    use leadsift_server::error::ErrorCode;
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).ok(), Some(json!(code.as_str())));
    }
    let documented = &serde_json::from_str::<Json>(&ApiDoc::json()).expect("the document")["components"]
        ["schemas"]["ErrorCode"]["enum"];
    let named: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(documented, &json!(named));
}

#[test]
fn the_checker_refuses_what_the_document_does_not_allow() {
    let doc = json!({"components": {"schemas": {
        "E": {"type": "string", "enum": ["a", "b"]},
        "O": {"type": "object", "required": ["e"], "properties": {
            "e": {"$ref": "#/components/schemas/E"},
            "t": {"type": ["string", "null"], "format": "date-time"},
            "n": {"type": "integer", "minimum": 0},
            "m": {"type": "object", "additionalProperties": {"type": "string"}},
            "p": {"type": "array", "items": false, "prefixItems": [{"type": "string"}, {"type": "number"}]},
        }},
    }}});
    let o = json!({"$ref": "#/components/schemas/O"});
    let good = json!({"e": "a", "t": "2026-12-03T10:00:00.123456Z", "n": 3, "m": {"x": "y"}, "p": ["a", 0.5]});
    assert_eq!(check(&doc, &o, &good, "$"), Ok(()));
    for bad in [
        json!({"t": null}),
        json!({"e": "c"}),
        json!({"e": "a", "t": "2026-12-03T10:00:00"}),
        json!({"e": "a", "t": "2026-12-03T10:00:00.123456789Z"}),
        json!({"e": "a", "n": -1}),
        json!({"e": "a", "n": 1.5}),
        json!({"e": "a", "m": {"x": 1}}),
        json!({"e": "a", "p": ["a", 1, 2]}),
        json!({"e": "a", "p": [1]}),
        json!({"e": "a", "surprise": 1}),
        json!("a"),
    ] {
        assert!(check(&doc, &o, &bad, "$").is_err(), "{bad} passed");
    }
    let unknown = json!({"type": "string", "pattern": "^a"});
    assert!(check(&doc, &unknown, &json!("a"), "$").is_err());
}

const CSV: &[u8] = b"lead_id,email,phone_1,Notes\nL1,ann@example.com,(512) 789-1111,call after 5\nL2,bob@example.com,5127891112,\nL3,cy@example.com,5127891113,x\n";

/// A request's body in the walk below.
enum Body {
    None,
    Json(Json),
    Raw(&'static str, Vec<u8>),
}

impl Contract {
    /// `method path` with `body`, as `app`'s client sends it (with its token), checked.
    fn send(&mut self, app: &TestApp, method: &str, path: &str, body: Body) -> (u16, Json) {
        let r = match method {
            "GET" => app.get(path),
            "POST" => app.post(path),
            "PUT" => app.put(path),
            other => panic!("the walk sends no {other}"),
        };
        let r = match body {
            Body::None => r,
            Body::Json(j) => r.json(&j),
            Body::Raw(content_type, bytes) => r.header("content-type", content_type).body(bytes),
        };
        self.call(method, path, r)
    }
}

/// Every documented route, called as a client would and as a client should not: each answer
/// is checked by [`Contract::call`]; then every documented answer must have been reached
/// (those of the guard on one route at least), but the 500s and the 503s, which need a broken
/// database or a saturated server (`trust.rs` reaches both).
#[test]
fn every_documented_route_answers_as_its_document_says() {
    use Body::{Json as J, None as Empty, Raw};
    let app = spawn(|s| {
        s.token = Some("contract-token".into());
        s.max_body_bytes = 64 << 10;
        s.max_batch_rows = 3;
    });
    let open = spawn(|_| {});
    let mut c = Contract::new(&app);
    let big = vec![b'x'; 80 << 10];
    let rows = validate(CSV);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();

    // Asked of the guard: no token, a wrong one, a page of another site on a no-token server.
    c.call("GET", "/metrics", app.http.get(app.url("/metrics")));
    let doc = "/api/v1/openapi.json";
    c.call("GET", doc, app.http.get(app.url(doc)).bearer_auth("not-it"));
    let foreign = open
        .http
        .post(open.url("/api/v1/imports"))
        .header("origin", "https://elsewhere.example")
        .json(&json!({"file_name": "c.csv"}));
    c.call("POST", "/api/v1/imports", foreign);

    let (_, run) = c.send(
        &app,
        "POST",
        "/api/v1/imports",
        J(json!({"file_name": "c.csv", "mapping": {"Cell": "phone_2"}})),
    );
    let (_, other) = c.send(
        &app,
        "POST",
        "/api/v1/imports",
        J(json!({"file_name": "d.csv"})),
    );
    let run = |tail: &str| format!("/api/v1/imports/{}{tail}", run["id"]);
    let other = |tail: &str| format!("/api/v1/imports/{}{tail}", other["id"]);
    let body = batch_body(&rows[..2]);
    let mut wrong = body.clone();
    wrong["checksum"] = json!("00");
    let four = batch_body(&[rows.clone(), rows[..1].to_vec()].concat());
    let four_rows = four["rows"].clone();
    let lead = json!({"lead_id": "P1", "email": "pat@example.com", "phone_1": 5127891114_i64});
    let form = "application/x-www-form-urlencoded";

    let cases: Vec<(&str, String, Body)> = vec![
        ("GET", "/healthz".into(), Empty),
        ("GET", "/readyz".into(), Empty),
        ("GET", "/metrics".into(), Empty),
        ("GET", doc.into(), Empty),
        // Runs.
        ("POST", "/api/v1/imports".into(), J(json!({}))),
        (
            "POST",
            "/api/v1/imports".into(),
            Raw("application/json", b"{".to_vec()),
        ),
        (
            "POST",
            "/api/v1/imports".into(),
            Raw("text/plain", b"{}".to_vec()),
        ),
        (
            "POST",
            "/api/v1/imports".into(),
            Raw("application/json", big.clone()),
        ),
        ("PUT", run("/batches/1"), J(body.clone())),
        ("PUT", run("/batches/1"), J(body.clone())),
        ("PUT", run("/batches/1"), J(batch_body(&rows[2..]))),
        ("PUT", run("/batches/0"), J(body.clone())),
        ("PUT", run("/batches/2"), J(wrong)),
        ("PUT", run("/batches/2"), J(json!({"rows": [{"nope": 1}]}))),
        ("PUT", run("/batches/2"), J(four)),
        (
            "PUT",
            "/api/v1/imports/999999/batches/1".into(),
            J(body.clone()),
        ),
        (
            "PUT",
            run("/batches/2"),
            J(json!({"rows": body["rows"].clone()})),
        ),
        ("GET", run(""), Empty),
        ("GET", "/api/v1/imports/999999".into(), Empty),
        ("GET", "/api/v1/imports?limit=1".into(), Empty),
        ("GET", "/api/v1/imports?limit=many".into(), Empty),
        ("POST", run("/finish"), Empty),
        ("POST", run("/finish"), Empty),
        ("PUT", run("/batches/3"), J(body.clone())),
        ("POST", "/api/v1/imports/999999/finish".into(), Empty),
        ("GET", run("/errors.csv"), Empty),
        ("GET", "/api/v1/imports/999999/errors.csv".into(), Empty),
        ("POST", run("/abandon"), Empty),
        (
            "POST",
            other("/abandon"),
            J(json!({"reason": "x".repeat(2000)})),
        ),
        (
            "POST",
            other("/abandon"),
            J(json!({"reason": "the user left"})),
        ),
        ("POST", other("/finish"), Empty),
        ("POST", "/api/v1/imports/999999/abandon".into(), Empty),
        // Uploads.
        (
            "POST",
            "/api/v1/imports/csv?file_name=c.csv&original=false".into(),
            Raw("text/csv", CSV.to_vec()),
        ),
        (
            "POST",
            "/api/v1/imports/csv?file_name=".into(),
            Raw("text/csv", CSV.to_vec()),
        ),
        (
            "POST",
            "/api/v1/imports/csv".into(),
            Raw("text/csv", big.clone()),
        ),
        ("POST", "/api/v1/imports/csv".into(), Raw("text/csv", png)),
        // Leads.
        ("POST", "/api/v1/leads".into(), J(lead.clone())),
        ("POST", "/api/v1/leads".into(), J(lead)),
        (
            "POST",
            "/api/v1/leads".into(),
            J(json!({"first_name": "Ann"})),
        ),
        (
            "POST",
            "/api/v1/leads".into(),
            Raw("application/json", b"[1]".to_vec()),
        ),
        (
            "POST",
            "/api/v1/leads".into(),
            Raw(form, b"lead_id=P2&email=kim%40example.com".to_vec()),
        ),
        (
            "POST",
            "/api/v1/leads".into(),
            Raw("text/plain", b"lead_id=P3".to_vec()),
        ),
        ("GET", "/api/v1/leads?email=pat@example.com".into(), Empty),
        ("GET", "/api/v1/leads?phone=not-a-phone".into(), Empty),
        ("GET", "/api/v1/leads/nobody".into(), Empty),
        // Reconciliation.
        (
            "POST",
            "/api/v1/reconcile".into(),
            J(json!({"rows": body["rows"].clone()})),
        ),
        (
            "POST",
            "/api/v1/reconcile".into(),
            Raw("application/json", b"{\"rows\": 1".to_vec()),
        ),
        (
            "POST",
            "/api/v1/reconcile".into(),
            J(json!({"rows": four_rows})),
        ),
        (
            "GET",
            "/api/v1/reconcile/deliveries?from=2026-01-01&to=2027-01-01&limit=1".into(),
            Empty,
        ),
        (
            "GET",
            "/api/v1/reconcile/deliveries?from=soon&to=later".into(),
            Empty,
        ),
        ("GET", "/api/v1/leads/a%00b".into(), Empty),
    ];
    for (method, path, body) in cases {
        c.send(&app, method, &path, body);
    }
    let (_, page) = c.send(&app, "GET", "/api/v1/leads?limit=1", Empty);
    let key = page["leads"][0]["lead_key"].as_str().expect("a lead");
    c.send(&app, "GET", &format!("/api/v1/leads/{key}"), Empty);

    // Every documented answer was reached: the handlers' on their route, the guard's on one.
    let guards = ["401", "403", "415"];
    let from_guard = |status: &str, description: &str| {
        guards.contains(&status)
            || description.starts_with("`invalid_request`")
            || description.starts_with("`payload_too_large`: the declared")
    };
    let mut missing = Vec::new();
    let mut guard_reached = BTreeSet::new();
    for (_, _, status) in &c.reached {
        guard_reached.insert(status.to_string());
    }
    for (template, item) in c.doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let method = method.to_ascii_uppercase();
            let mut ok_reached = false;
            for (status, answer) in op["responses"].as_object().expect("responses") {
                let description = answer["description"].as_str().unwrap_or_default();
                let code: u16 = status.parse().expect("a status");
                let here = c
                    .reached
                    .contains(&(method.clone(), template.clone(), code));
                ok_reached |= here && code < 300;
                let waived = matches!(code, 500 | 503);
                let elsewhere = from_guard(status, description) && guard_reached.contains(status);
                if !here && !waived && !elsewhere {
                    missing.push(format!("{method} {template} {status}"));
                }
            }
            if !ok_reached {
                missing.push(format!("{method} {template} (no success)"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "documented but never reached: {missing:#?}"
    );
}
