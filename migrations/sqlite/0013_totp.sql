-- The TOTP second factor (RFC 6238): one per holder. The secret is stored only sealed
-- (AES-256-GCM, key outside the database, bound to the holder); the rest is what a check needs
-- inside its transaction: whether a first code confirmed it, the last time step a code was
-- accepted for (so each code works once), and the wrong-code counter with its lock.
-- Never edit this file once released: add a new one.

CREATE TABLE totp_secrets (
    holder_id       TEXT    PRIMARY KEY REFERENCES holders (id),
    secret_sealed   BLOB    NOT NULL,
    confirmed       INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    last_step       INTEGER NOT NULL DEFAULT -1,
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until_ms INTEGER,
    created_ms      INTEGER NOT NULL
);
