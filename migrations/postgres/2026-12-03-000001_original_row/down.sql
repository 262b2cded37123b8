ALTER TABLE leads DROP COLUMN original;
