-- Each lead's original row: the record's cells as read, header -> text, as a JSON object in
-- column order (the seed's full_data). NULL when the import kept none (--no-original) and for
-- leads stored before this column existed.
ALTER TABLE leads ADD COLUMN original TEXT;
