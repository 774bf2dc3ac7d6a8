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
    totp_sealed      BYTEA,
    totp_last_step   BIGINT  NOT NULL DEFAULT -1,
    login_failures   BIGINT  NOT NULL DEFAULT 0 CHECK (login_failures >= 0),
    locked           BIGINT  NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    setup_digest     TEXT    UNIQUE,
    setup_expires_ms BIGINT  NOT NULL,
    created_ms       BIGINT  NOT NULL
);

CREATE TABLE staff_sessions (
    id           TEXT    PRIMARY KEY,
    token_digest TEXT    NOT NULL UNIQUE,
    staff_id     TEXT    NOT NULL REFERENCES staff (id),
    created_ms   BIGINT  NOT NULL,
    last_seen_ms BIGINT  NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE staff_roles (
    name        TEXT    PRIMARY KEY,
    permissions TEXT    NOT NULL,
    updated_ms  BIGINT  NOT NULL
);

CREATE TABLE audit_log (
    seq     BIGINT  PRIMARY KEY,
    at_ms   BIGINT  NOT NULL,
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

-- The log cannot be quietly edited through SQL either: an update or delete is refused. (A
-- superuser can still drop the trigger; the hash chain is what finds that.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
