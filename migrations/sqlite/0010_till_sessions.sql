-- The till's own sessions. Signing the till in with the merchant's API key makes one; the browser
-- keeps only its random token (in the HttpOnly `qb_merchant` cookie), never the key, and only the
-- token's SHA-256 is stored, like a holder's session. Signing out sets ended_ms, so a copied
-- cookie dies with it. key_digest is the merchant's key digest at sign-in: once the key is
-- rotated it no longer matches, and every till signed in with the old key stops at once.
-- Times are integer milliseconds since the epoch. Never edit this file once released: add a new one.

CREATE TABLE till_sessions (
    id           TEXT    PRIMARY KEY,
    token_digest TEXT    NOT NULL UNIQUE,
    merchant_id  TEXT    NOT NULL REFERENCES merchants (id),
    key_digest   TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER NOT NULL,
    ended_ms     INTEGER
);
