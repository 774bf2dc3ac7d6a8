-- Policy changes from the console (issue 17): an approved four-eyes `policy_change` is kept as a
-- new version of the operator's policy — who asked, who approved, the keys that changed and the
-- whole document in force afterwards. The newest version is laid over the policy file when the
-- server starts, so an approved change outlives a restart. Append-only: a version is never edited.
-- Never edit this file once released: add a new one.

CREATE TABLE policy_versions (
    version     BIGINT  PRIMARY KEY,
    command_id  TEXT    NOT NULL UNIQUE REFERENCES console_commands (id),
    maker       TEXT    NOT NULL REFERENCES staff (id),
    checker     TEXT    NOT NULL REFERENCES staff (id),
    changes     TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL
);

CREATE FUNCTION policy_versions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'policy versions are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_versions_append_only BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_append_only();
