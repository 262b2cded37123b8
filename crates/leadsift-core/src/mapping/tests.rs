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

/// The original Django tool's documented alias list, every spelling of it.
#[test]
fn the_original_tools_whole_alias_list() {
    use Field::*;
    let mut wrong = Vec::new();
    for (h, f) in [
        ("lead_id", LeadId),
        ("id", LeadId),
        ("leadId", LeadId),
        ("flowId", FlowId),
        ("flowName", FlowName),
        ("sourceId", SourceId),
        ("sourceName", SourceName),
        ("source", SourceName),
        ("firstName", FirstName),
        ("fname", FirstName),
        ("lastName", LastName),
        ("lname", LastName),
        ("email_address", Email),
        ("phone1", Phone1),
        ("phone", Phone1),
        ("primary_phone", Phone1),
        ("phone2", Phone2),
        ("secondary_phone", Phone2),
        ("address1", Address1),
        ("address", Address1),
        ("address2", Address2),
        ("state_province", State),
        ("zip", PostalCode),
        ("zip_code", PostalCode),
        ("campaign_name", Campaign),
        ("adGroup", AdGroup),
        ("ad_group_name", AdGroup),
        ("kw", Keyword),
        ("search_term", Keyword),
        ("utmSource", UtmSource),
        ("utmMedium", UtmMedium),
        ("utmCampaign", UtmCampaign),
        ("utmContent", UtmContent),
        ("utmTerm", UtmTerm),
        ("qualityScore", QualityScore),
        ("score", QualityScore),
        ("leadScore", LeadScore),
        ("duplicate", IsDuplicate),
        ("dup", IsDuplicate),
        ("ip", IpAddress),
        ("userAgent", UserAgent),
        ("ua", UserAgent),
        ("referrer", ReferringUrl),
        ("ref_url", ReferringUrl),
        ("landingPage", LandingPage),
        ("lp", LandingPage),
        ("lead_status", Status),
        ("submission_time", SubmittedAt),
        ("created_at", SubmittedAt),
        ("timestamp", SubmittedAt),
        // Spellings a person would expect, missed before.
        ("Zip/Postal Code", PostalCode),
        ("Duplicate Lead", IsDuplicate),
        ("TrustedForm Certificate", TrustedformCertUrl),
        ("start_timestamp", SubmittedAt),
        ("Contact Phone Number", Phone1),
    ] {
        let m = Mapping::build(&[h], &MappingOverrides::default());
        let c = &m.columns[0];
        if c.field != Some(f) || !matches!(c.matched, MatchKind::Exact | MatchKind::Alias) {
            wrong.push(format!("{h} → {:?} ({:?})", c.field, c.matched));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Suggestions that would put a different thing in a field are not made.
#[test]
fn no_suggestion_crosses_families() {
    for h in ["xxTrustedFormPingUrl", "LeadiD", "Counties", "ref_url"] {
        let m = Mapping::build(&[h], &MappingOverrides::default());
        let c = &m.columns[0];
        let wrong = match h {
            "xxTrustedFormPingUrl" | "ref_url" => Some(Field::TrustedformCertUrl),
            "LeadiD" => Some(Field::LeadId),
            _ => Some(Field::Country),
        };
        let suggested = c.field.or(c.suggestion.map(|(f, _)| f));
        assert_ne!(suggested, wrong, "{h}: {:?}", c);
    }
}

/// An event export: `id` is the event's, `lead.id` the lead's, whatever their order.
#[test]
fn id_beside_lead_id_is_the_event_id() {
    for headers in [
        ["id", "type", "lead.id", "lead.email"],
        ["lead.id", "type", "id", "lead.email"],
    ] {
        let m = Mapping::build(&headers, &MappingOverrides::default());
        let field = |h: &str| {
            m.columns
                .iter()
                .find(|c| c.header == h)
                .and_then(|c| c.field)
        };
        assert_eq!(field("id"), Some(Field::EventId), "{headers:?}");
        assert_eq!(field("lead.id"), Some(Field::LeadId), "{headers:?}");
        assert_eq!(field("lead.email"), Some(Field::Email));
    }
    // Alone, `id` is still the lead id (the original tool's alias).
    let m = Mapping::build(&["id", "email"], &MappingOverrides::default());
    assert_eq!(m.columns[0].field, Some(Field::LeadId));
}

/// Money columns that are not the lead's price stay custom columns, in either order.
#[test]
fn other_money_columns_do_not_collapse_into_price() {
    for headers in [
        ["revenue", "cost", "Purchase Price"],
        ["cost", "revenue", "Purchase Price"],
    ] {
        let m = Mapping::build(&headers, &MappingOverrides::default());
        let field = |h: &str| {
            m.columns
                .iter()
                .find(|c| c.header == h)
                .and_then(|c| c.field)
        };
        assert_eq!(field("revenue"), None);
        assert_eq!(field("cost"), None);
        assert_eq!(field("Purchase Price"), Some(Field::Price));
    }
}

#[test]
fn a_bad_mapping_names_its_key_its_value_and_the_nearest_fields() {
    let err =
        serde_json::from_str::<MappingOverrides>(r#"{"Email": "emial"}"#).expect_err("not a field");
    let text = err.to_string();
    assert!(text.contains("\"Email\""), "{text}");
    assert!(
        text.contains("\"emial\" is not a canonical field"),
        "{text}"
    );
    assert!(text.contains("nearest: email"), "{text}");
    let err = serde_json::from_str::<MappingOverrides>(r#"{"Email": 7}"#).expect_err("not text");
    assert!(err.to_string().contains("expected a string"), "{err}");
}

#[test]
fn a_mapping_key_that_names_no_column_is_reported() {
    let overrides: MappingOverrides =
        serde_json::from_str(r#"{"Nope": "email", "Phone 1": "phone_2", "lead_id": "extra"}"#)
            .expect("json");
    let unused = Mapping::unused_overrides(&["Lead ID", "Phone 1"], &overrides);
    assert_eq!(unused, ["Nope"]);
}

#[test]
fn the_identity_a_mapping_allows() {
    use super::{Identity, Mapping, MappingOverrides};
    let identity =
        |headers: &[&str]| Mapping::build(headers, &MappingOverrides::default()).identity();
    assert_eq!(identity(&["Lead ID", "Email"]), Identity::Ids);
    assert_eq!(identity(&["Event ID", "City"]), Identity::Ids);
    assert_eq!(identity(&["Email", "City"]), Identity::Contact);
    assert_eq!(identity(&["Phone 2", "City"]), Identity::Contact);
    assert_eq!(identity(&["Cell Number Renamed", "City"]), Identity::None);
    assert_eq!(Identity::Ids.warning(), None);
    assert!(
        Identity::None
            .warning()
            .is_some_and(|w| w.contains("every row will be rejected"))
    );
    // An override that sends the only id to extra takes the identity with it.
    let mut o = MappingOverrides::default();
    o.0.insert(
        "Lead ID".into(),
        super::Target::Keep(super::KeepWord::Extra),
    );
    assert_eq!(
        Mapping::build(&["Lead ID", "Email"], &o).identity(),
        Identity::Contact
    );
}
