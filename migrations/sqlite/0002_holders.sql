-- Holders, their SMS codes, sessions and devices, the SMS outbox and the operator's restriction list.
-- Times are integer milliseconds since the epoch. Never edit this file once released: add a new one.

-- One row per person. The phone is kept in clear: it is where SMS goes and how people log in.
CREATE TABLE holders (
    id             TEXT    PRIMARY KEY,
    wallet_id      TEXT    NOT NULL UNIQUE,
    phone          TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'active',
    kyc_level      INTEGER NOT NULL DEFAULT 0,
    login_failures INTEGER NOT NULL DEFAULT 0,
    login_locked   INTEGER NOT NULL DEFAULT 0,
    created_ms     INTEGER NOT NULL
);

-- The live code per phone and purpose (a new one replaces the old); only a keyed digest is kept.
CREATE TABLE otps (
    phone       TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    code_digest TEXT    NOT NULL,
    expires_ms  INTEGER NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (phone, purpose)
);

-- Every code sent, for the per-phone and per-address limits (kept in the database so limits hold
-- across restarts and across nodes).
CREATE TABLE otp_sends (
    phone     TEXT    NOT NULL,
    client_ip TEXT    NOT NULL,
    sent_ms   INTEGER NOT NULL
);
CREATE INDEX otp_sends_by_phone ON otp_sends (phone, sent_ms);
CREATE INDEX otp_sends_by_ip ON otp_sends (client_ip, sent_ms);

-- Sessions per device; the token is stored only as its SHA-256.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    token_digest TEXT    NOT NULL UNIQUE,
    holder_id    TEXT    NOT NULL REFERENCES holders (id),
    device_id    TEXT    NOT NULL,
    device_name  TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    ended_ms     INTEGER
);
CREATE INDEX sessions_by_holder ON sessions (holder_id, created_ms);

-- Devices a holder has confirmed with an SMS code; a new one must confirm again.
CREATE TABLE devices (
    holder_id     TEXT    NOT NULL REFERENCES holders (id),
    device_id     TEXT    NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (holder_id, device_id)
);

-- SMS waiting to be sent or sent, written in the same transaction as what caused them.
-- code is kept only in sandbox mode, for the sandbox's SMS view.
CREATE TABLE sms_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    phone      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    code       TEXT,
    status     TEXT    NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    sent_ms    INTEGER
);
CREATE INDEX sms_outbox_by_phone ON sms_outbox (phone, id);
CREATE INDEX sms_outbox_pending ON sms_outbox (status, id);

-- Phones and ID numbers that may not open or verify a wallet, as keyed digests (blind indexes).
CREATE TABLE restrictions (
    kind       TEXT    NOT NULL,
    blind      TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, blind)
);
