-- Things that happened which a limit or a waiting period counts: a wrong identity answer during
-- recovery, a payee looked up, a wrong payment code sent by a merchant, a password reset, a wrong
-- password for a phone without a wallet. One row per event; the rules count the rows of one
-- scope and subject inside a window, so every node sees the same counts.
-- Never edit this file once released: add a new one.

CREATE TABLE security_events (
    scope   TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    at_ms   BIGINT NOT NULL
);

CREATE INDEX security_events_by_subject ON security_events (scope, subject, at_ms);

-- A new payment code retires its holder's unused ones (one live code per holder), found by holder.
CREATE INDEX payment_codes_by_holder ON payment_codes (holder_id) WHERE used_ms IS NULL;
