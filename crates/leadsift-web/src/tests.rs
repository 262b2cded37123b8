use super::*;

#[test]
fn escape_covers_markup_and_quotes() {
    assert_eq!(
        escape(r#"<img src=x onerror="a('b')">&"#),
        "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
    );
    assert_eq!(escape("plain"), "plain");
}

#[test]
fn headers_key_depends_on_every_cell_and_its_boundaries() {
    let k = |h: &[&str]| headers_key(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(k(&["email", "phone"]), k(&["email", "phone"]));
    assert_ne!(k(&["email", "phone"]), k(&["emailp", "hone"]));
    assert_ne!(k(&["email", "phone"]), k(&["phone", "email"]));
    assert!(k(&["a"]).starts_with("leadsift.mapping."));
}

#[test]
fn backoff_doubles_and_caps() {
    assert_eq!(backoff_ms(0), 500);
    assert_eq!(backoff_ms(1), 1000);
    assert_eq!(backoff_ms(5), 16_000);
    assert_eq!(backoff_ms(6), 30_000);
    assert_eq!(backoff_ms(40), 30_000);
}

#[test]
fn a_remap_makes_every_row_again_only_when_it_replaces_a_full_pass() {
    assert_eq!(Remake::for_remap(None), Remake::Brief);
    assert_eq!(Remake::for_remap(Some(Remake::Brief)), Remake::Brief);
    assert_eq!(Remake::for_remap(Some(Remake::Full)), Remake::Full);
}

#[test]
fn fixed_rounds_half_away_from_zero_to_its_decimals() {
    let cases: &[(f64, u32, &str)] = &[
        (0.0, 0, "0"),
        (0.4, 0, "0"),
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (-0.4, 0, "0"),
        (-2.5, 0, "-3"),
        (87.49, 0, "87"),
        (123_456.7, 0, "123457"),
        (0.5, 1, "0.5"),
        (1.0, 1, "1.0"),
        (1.04, 1, "1.0"),
        (1.05, 1, "1.1"),
        (16.0, 1, "16.0"),
        (0.04, 1, "0.0"),
        (-0.26, 1, "-0.3"),
        (1234.5678, 3, "1234.568"),
        (f64::NAN, 1, "NaN"),
        (f64::INFINITY, 0, "inf"),
        (1e30, 0, "1000000000000000000000000000000"),
    ];
    for &(x, decimals, shown) in cases {
        assert_eq!(fixed(x, decimals), shown, "{x} to {decimals} decimals");
    }
}
