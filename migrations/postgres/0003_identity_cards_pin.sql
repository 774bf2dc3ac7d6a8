-- Real-name records, ID photos, bank cards and payment passwords. Personal numbers are stored only
-- sealed (AES-256-GCM, key outside the database) and found through keyed digests (blind indexes).
-- Never edit this file once released: add a new one.

-- One verified identity per holder; one holder per identity (id_blind is unique).
CREATE TABLE identities (
    holder_id   TEXT    PRIMARY KEY REFERENCES holders (id),
    name_sealed BYTEA    NOT NULL,
    masked_name TEXT    NOT NULL,
    id_sealed   BYTEA    NOT NULL,
    id_blind    TEXT    NOT NULL UNIQUE,
    birth_date  TEXT    NOT NULL,
    verified_ms BIGINT  NOT NULL
);

-- The ID photo and the face-check selfie, sealed.
CREATE TABLE identity_photos (
    holder_id    TEXT    NOT NULL REFERENCES holders (id),
    kind         TEXT    NOT NULL,
    sealed       BYTEA    NOT NULL,
    content_type TEXT    NOT NULL,
    created_ms   BIGINT  NOT NULL,
    PRIMARY KEY (holder_id, kind)
);

-- Bank cards: the number sealed and blind-indexed, shown by its last four digits.
CREATE TABLE cards (
    id              TEXT    PRIMARY KEY,
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    number_sealed   BYTEA    NOT NULL,
    number_blind    TEXT    NOT NULL,
    bin             TEXT    NOT NULL,
    last4           TEXT    NOT NULL,
    bank_name       TEXT    NOT NULL,
    card_type       TEXT    NOT NULL,
    reserved_phone  TEXT    NOT NULL,
    bank_reference  TEXT    NOT NULL,
    token_sealed    BYTEA,
    status          TEXT    NOT NULL,
    is_default      BIGINT  NOT NULL DEFAULT 0,
    confirm_tries   BIGINT  NOT NULL DEFAULT 0,
    created_ms      BIGINT  NOT NULL
);
CREATE INDEX cards_by_holder ON cards (holder_id, created_ms);
-- A card is bound to at most one wallet at a time.
CREATE UNIQUE INDEX cards_active_number ON cards (number_blind) WHERE status = 'active';

-- The payment password as a keyed digest, with its wrong-try counter and lock.
CREATE TABLE pins (
    holder_id       TEXT    PRIMARY KEY REFERENCES holders (id),
    digest          TEXT    NOT NULL,
    failures        BIGINT  NOT NULL DEFAULT 0,
    locked_until_ms BIGINT,
    set_ms          BIGINT  NOT NULL
);
