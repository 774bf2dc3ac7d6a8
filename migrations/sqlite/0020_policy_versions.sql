-- Policy changes from the console (issue 17): an approved four-eyes `policy_change` is kept as a
-- new version of the operator's policy — who asked, who approved, the keys that changed and the
-- whole document in force afterwards. The newest version is laid over the policy file when the
-- server starts, so an approved change outlives a restart. Append-only: a version is never edited.
-- Never edit this file once released: add a new one.

CREATE TABLE policy_versions (
    version     INTEGER PRIMARY KEY,
    command_id  TEXT    NOT NULL UNIQUE REFERENCES console_commands (id),
    maker       TEXT    NOT NULL REFERENCES staff (id),
    checker     TEXT    NOT NULL REFERENCES staff (id),
    changes     TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TRIGGER policy_versions_append_only_update BEFORE UPDATE ON policy_versions
BEGIN
    SELECT RAISE(ABORT, 'policy versions are append-only');
END;
CREATE TRIGGER policy_versions_append_only_delete BEFORE DELETE ON policy_versions
BEGIN
    SELECT RAISE(ABORT, 'policy versions are append-only');
END;
