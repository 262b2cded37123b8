// @generated automatically by Diesel CLI.

diesel::table! {
    import_batches (id) {
        id -> Int8,
        run_id -> Int8,
        seq -> Int8,
        checksum -> Text,
        rows_read -> Int8,
        created -> Int8,
        updated -> Int8,
        unchanged -> Int8,
        existing -> Int8,
        rejected -> Int8,
        duplicates -> Int8,
        response -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_dry_keys (run_id, lead_key) {
        run_id -> Int8,
        lead_key -> Text,
    }
}

diesel::table! {
    import_issues (id) {
        id -> Int8,
        run_id -> Int8,
        batch_seq -> Int8,
        line -> Int8,
        record -> Int8,
        column_name -> Nullable<Text>,
        field -> Nullable<Text>,
        code -> Text,
        severity -> Text,
        message -> Text,
        raw -> Nullable<Text>,
    }
}

diesel::table! {
    import_runs (id) {
        id -> Int8,
        file_name -> Text,
        file_sha256 -> Text,
        dry_run -> Bool,
        force_refresh -> Bool,
        strict -> Bool,
        import_source -> Text,
        mapping -> Text,
        status -> Text,
        rows_read -> Int8,
        created -> Int8,
        updated -> Int8,
        unchanged -> Int8,
        existing -> Int8,
        rejected -> Int8,
        duplicates -> Int8,
        batches -> Int8,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        failure -> Nullable<Text>,
        last_activity_at -> Timestamp,
        surface -> Text,
    }
}

diesel::table! {
    leads (id) {
        id -> Int8,
        lead_key -> Text,
        lead_id -> Nullable<Text>,
        event_id -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        flow_id -> Nullable<Text>,
        flow_name -> Nullable<Text>,
        source_id -> Nullable<Text>,
        source_name -> Nullable<Text>,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone_1 -> Nullable<Text>,
        phone_2 -> Nullable<Text>,
        phone_3 -> Nullable<Text>,
        address_1 -> Nullable<Text>,
        address_2 -> Nullable<Text>,
        city -> Nullable<Text>,
        state -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country -> Nullable<Text>,
        dob -> Nullable<Date>,
        gender -> Nullable<Text>,
        campaign -> Nullable<Text>,
        ad_group -> Nullable<Text>,
        keyword -> Nullable<Text>,
        utm_source -> Nullable<Text>,
        utm_medium -> Nullable<Text>,
        utm_campaign -> Nullable<Text>,
        utm_term -> Nullable<Text>,
        utm_content -> Nullable<Text>,
        quality_score -> Nullable<Float8>,
        lead_score -> Nullable<Float8>,
        price -> Nullable<Float8>,
        is_duplicate -> Nullable<Bool>,
        is_test -> Nullable<Bool>,
        status -> Nullable<Text>,
        disposition -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        referring_url -> Nullable<Text>,
        landing_page -> Nullable<Text>,
        trustedform_cert_url -> Nullable<Text>,
        universal_leadid -> Nullable<Text>,
        comments -> Nullable<Text>,
        extra -> Text,
        invalid -> Text,
        import_source -> Text,
        created_run -> Nullable<Int8>,
        updated_run -> Nullable<Int8>,
        content_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        original -> Nullable<Text>,
        edited -> Nullable<Text>,
    }
}

diesel::joinable!(import_batches -> import_runs (run_id));
diesel::joinable!(import_dry_keys -> import_runs (run_id));
diesel::joinable!(import_issues -> import_runs (run_id));

diesel::allow_tables_to_appear_in_same_query!(
    import_batches,
    import_dry_keys,
    import_issues,
    import_runs,
    leads,
);
