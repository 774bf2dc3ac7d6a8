-- The operator's console (issue 17): staff accounts, their sessions, custom roles, and the audit
-- log of every staff action and personal-data view. The audit log is appended only; each line's
-- hash links it to the one before (as the journal's do), and `qianbao verify` follows the chain.
-- Never edit this file once released: add a new one.

CREATE TABLE staff (
    id               TEXT    PRIMARY KEY,
    phone            TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    status           TEXT    NOT NULL CONSTRAINT staff_status_named CHECK (status IN ('pending_setup', 'active')),
    password_hash    TEXT,
    totp_sealed      BLOB,
    totp_last_step   INTEGER NOT NULL DEFAULT -1,
    login_failures   INTEGER NOT NULL DEFAULT 0 CHECK (login_failures >= 0),
    locked           INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    setup_digest     TEXT    UNIQUE,
    setup_expires_ms INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL
);

CREATE TABLE staff_sessions (
    id           TEXT    PRIMARY KEY,
    token_digest TEXT    NOT NULL UNIQUE,
    staff_id     TEXT    NOT NULL REFERENCES staff (id),
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE staff_roles (
    name        TEXT    PRIMARY KEY,
    permissions TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    entity  TEXT    NOT NULL,
    before  TEXT    NOT NULL,
    after   TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    outcome TEXT    NOT NULL CHECK (outcome IN ('done', 'denied', 'refused')),
    hash    TEXT    NOT NULL
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_by_entity ON audit_log (entity, seq);
CREATE INDEX audit_log_by_action ON audit_log (action, seq);

-- The log cannot be quietly edited through SQL either: an update or delete is refused. (Someone
-- with the file can still drop the triggers; the hash chain is what finds that.)
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
