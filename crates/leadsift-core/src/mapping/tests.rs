//! Header mapping: normalisation, the seed's and LeadConduit's spellings, fuzzy, families.

use super::*;

fn check(header: &str, field: Option<Field>, how: MatchKind) {
    let m = Mapping::build(&[header], &MappingOverrides::default());
    let c = &m.columns[0];
    assert_eq!(
        (c.field, c.matched),
        (field, how),
        "{header:?} (normalised {:?})",
        c.normalized
    );
}

#[test]
fn normalisation() {
    assert_eq!(normalize_header("\u{feff} Phone 1 "), "phone_1");
    assert_eq!(normalize_header("lead.phone_1"), "phone_1");
    assert_eq!(normalize_header("vars.lead.first_name"), "first_name");
    assert_eq!(normalize_header("primaryPhone"), "primary_phone");
    assert_eq!(normalize_header("IP_Address"), "ip_address");
    assert_eq!(
        normalize_header("xxTrustedFormCertUrl"),
        "xx_trusted_form_cert_url"
    );
    assert_eq!(normalize_header("lead.phone_1.area"), "phone_1.area");
    assert_eq!(normalize_header("Zip-Code"), "zip_code");
}

#[test]
fn the_seeds_spellings() {
    use Field::*;
    for (h, f) in [
        ("firstName", FirstName),
        ("fname", FirstName),
        ("email_address", Email),
        ("phone", Phone1),
        ("primary_phone", Phone1),
        ("street_address", Address1),
        ("address", Address1),
        ("zip", PostalCode),
        ("campaign_name", Campaign),
        ("utmSource", UtmSource),
        ("kw", Keyword),
        ("search_term", Keyword),
        ("score", QualityScore),
        ("lead_status", Status),
        ("duplicate", IsDuplicate),
    ] {
        let m = Mapping::build(&[h], &MappingOverrides::default());
        assert_eq!(m.columns[0].field, Some(f), "{h}");
    }
}

#[test]
fn leadconduits_spellings() {
    use Field::*;
    for (h, f) in [
        ("Phone 1", Phone1),
        ("Postal Code", PostalCode),
        ("Event ID", EventId),
        ("Submission Timestamp", SubmittedAt),
        ("TrustedForm Cert URL", TrustedformCertUrl),
        ("Jornaya Lead Token", UniversalLeadid),
        ("xxTrustedFormCertUrl", TrustedformCertUrl),
        ("universal_leadid", UniversalLeadid),
        ("leadid_token", UniversalLeadid),
        ("jornaya_lead_id", UniversalLeadid),
        ("zip_code", PostalCode),
        ("zipCode", PostalCode),
        ("IP_Address", IpAddress),
        ("utm_term", UtmTerm),
        ("campaign_source", UtmSource),
        ("campaign_medium", UtmMedium),
        ("campaign_term", UtmTerm),
        ("campaign_content", UtmContent),
        ("lead.email", Email),
        ("dateOfBirth", Dob),
        ("leadId", LeadId),
    ] {
        let m = Mapping::build(&[h], &MappingOverrides::default());
        assert_eq!(m.columns[0].field, Some(f), "{h}");
    }
}

#[test]
fn exact_alias_fuzzy_and_suggestion() {
    check("email", Some(Field::Email), MatchKind::Exact);
    check("E-mail", Some(Field::Email), MatchKind::Alias);
    check("frist_name", Some(Field::FirstName), MatchKind::Fuzzy);
    check("utm_campain", Some(Field::UtmCampaign), MatchKind::Fuzzy);
    check("home_owner_acme", None, MatchKind::Unmapped);
    let m = Mapping::build(&["emial"], &MappingOverrides::default());
    let c = &m.columns[0];
    assert_eq!(c.field, None, "a weak match is never applied");
    assert_eq!(c.suggestion.map(|(f, _)| f), Some(Field::Email));
}

#[test]
fn components_stay_in_their_family() {
    check("lead.phone_1.area", None, MatchKind::Component);
    check("email.valid", None, MatchKind::Component);
    assert_eq!(family("phone_1.area"), Some(Field::Phone1));
}

#[test]
fn the_first_of_two_columns_wins() {
    let m = Mapping::build(
        &["Email", "email_address", "Email"],
        &MappingOverrides::default(),
    );
    assert_eq!(m.columns[0].field, Some(Field::Email));
    assert_eq!(m.columns[1].matched, MatchKind::Duplicate);
    assert_eq!(m.columns[2].matched, MatchKind::Duplicate);
    assert_eq!(m.columns[2].extra_key, "Email (column 3)");
}

#[test]
fn overrides_win_and_round_trip() {
    let overrides: MappingOverrides =
        serde_json::from_str(r#"{"Cell": "phone_2", "Email": "ignore", "ref": "extra"}"#)
            .expect("json");
    let m = Mapping::build(&["Email", "Cell", "ref"], &overrides);
    assert_eq!(
        (m.columns[0].field, m.columns[0].matched),
        (None, MatchKind::Override)
    );
    assert_eq!(
        (m.columns[1].field, m.columns[1].matched),
        (Some(Field::Phone2), MatchKind::Override)
    );
    let again = Mapping::build(&["Email", "Cell", "ref"], &m.to_overrides());
    assert_eq!(
        again.columns.iter().map(|c| c.field).collect::<Vec<_>>(),
        m.columns.iter().map(|c| c.field).collect::<Vec<_>>()
    );
    assert!(serde_json::from_str::<MappingOverrides>(r#"{"x": "not_a_field"}"#).is_err());
}
