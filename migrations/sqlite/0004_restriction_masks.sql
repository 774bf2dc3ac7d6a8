-- The restriction list shows operators what each entry is (masked: +86 138****5678), since the
-- blind index alone cannot be read back. Never edit this file once released: add a new one.
ALTER TABLE restrictions ADD COLUMN masked TEXT NOT NULL DEFAULT '';
