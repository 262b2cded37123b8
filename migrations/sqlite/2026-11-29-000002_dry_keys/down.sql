DROP TABLE import_dry_keys;
