-- Real-name records, ID photos, bank cards and payment passwords. Personal numbers are stored only
-- sealed (AES-256-GCM, key outside the database) and found through keyed digests (blind indexes).
-- Never edit this file once released: add a new one.

-- One verified identity per holder; one holder per identity (id_blind is unique).
CREATE TABLE identities (
    holder_id   TEXT    PRIMARY KEY REFERENCES holders (id),
    name_sealed BLOB    NOT NULL,
    masked_name TEXT    NOT NULL,
    id_sealed   BLOB    NOT NULL,
    id_blind    TEXT    NOT NULL UNIQUE,
    birth_date  TEXT    NOT NULL,
    verified_ms INTEGER NOT NULL
);

-- The ID photo and the face-check selfie, sealed.
CREATE TABLE identity_photos (
    holder_id    TEXT    NOT NULL REFERENCES holders (id),
    kind         TEXT    NOT NULL,
    sealed       BLOB    NOT NULL,
    content_type TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (holder_id, kind)
);

-- Bank cards: the number sealed and blind-indexed, shown by its last four digits.
CREATE TABLE cards (
    id              TEXT    PRIMARY KEY,
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    number_sealed   BLOB    NOT NULL,
    number_blind    TEXT    NOT NULL,
    bin             TEXT    NOT NULL,
    last4           TEXT    NOT NULL,
    bank_name       TEXT    NOT NULL,
    card_type       TEXT    NOT NULL,
    reserved_phone  TEXT    NOT NULL,
    bank_reference  TEXT    NOT NULL,
    token_sealed    BLOB,
    status          TEXT    NOT NULL,
    is_default      INTEGER NOT NULL DEFAULT 0,
    confirm_tries   INTEGER NOT NULL DEFAULT 0,
    created_ms      INTEGER NOT NULL
);
CREATE INDEX cards_by_holder ON cards (holder_id, created_ms);
-- A card is bound to at most one wallet at a time.
CREATE UNIQUE INDEX cards_active_number ON cards (number_blind) WHERE status = 'active';

-- The payment password as a keyed digest, with its wrong-try counter and lock.
CREATE TABLE pins (
    holder_id       TEXT    PRIMARY KEY REFERENCES holders (id),
    digest          TEXT    NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    set_ms          INTEGER NOT NULL
);
