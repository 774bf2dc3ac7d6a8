-- Reconciliation against the bank's daily statements, and the daily funding check.
-- Never edit this file once released: add a new one.

-- What the bank confirmed for each movement it moved money for: its own reference (a batch's
-- for a settlement it batched) and what moved at the card, written in the transaction that
-- applied its answer. A statement line is matched to these rows by that reference.
CREATE TABLE bank_confirmations (
    movement_id  TEXT    PRIMARY KEY REFERENCES movements (id),
    bank_ref     TEXT    NOT NULL,
    kind         TEXT    NOT NULL
        CONSTRAINT bank_confirmations_kind_named CHECK (kind IN ('topup', 'withdrawal', 'settlement')),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    currency     TEXT    NOT NULL,
    confirmed_ms INTEGER NOT NULL
);
CREATE INDEX bank_confirmations_by_ref ON bank_confirmations (bank_ref);
CREATE INDEX bank_confirmations_by_time ON bank_confirmations (confirmed_ms);

-- The sandbox bank's own books: every movement it moved money for, written by the sandbox
-- bank connector (never by the wallet's rules), so its statements are the same on every node
-- and after a restart. Empty outside the sandbox.
CREATE TABLE sandbox_bank_bookings (
    reference TEXT    PRIMARY KEY,
    bank_ref  TEXT    NOT NULL,
    kind      TEXT    NOT NULL
        CONSTRAINT sandbox_bank_bookings_kind_named CHECK (kind IN ('topup', 'withdrawal', 'settlement')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    currency  TEXT    NOT NULL,
    booked_ms INTEGER NOT NULL
);
CREATE INDEX sandbox_bank_bookings_by_time ON sandbox_bank_bookings (booked_ms);

-- Every statement file imported, by the SHA-256 of its bytes: the same file imported again
-- answers this row's counts and adds nothing.
CREATE TABLE recon_imports (
    id                     TEXT    PRIMARY KEY,
    digest                 TEXT    NOT NULL UNIQUE,
    lines                  INTEGER NOT NULL CHECK (lines >= 0),
    matched                INTEGER NOT NULL CHECK (matched >= 0),
    matched_movements      INTEGER NOT NULL CHECK (matched_movements >= 0),
    missing_here           INTEGER NOT NULL CHECK (missing_here >= 0),
    missing_at_bank        INTEGER NOT NULL CHECK (missing_at_bank >= 0),
    amount_differs         INTEGER NOT NULL CHECK (amount_differs >= 0),
    date_outside_tolerance INTEGER NOT NULL CHECK (date_outside_tolerance >= 0),
    created_ms             INTEGER NOT NULL
);

-- A break an import found, open until an operator accepts it with a note or a ledger
-- adjustment (approved by a second person) resolves it. Amounts in minor units; our_refs
-- ';'-separated; day_ms the start of the day in China it concerns.
CREATE TABLE recon_cases (
    id            TEXT    PRIMARY KEY,
    import_id     TEXT    NOT NULL REFERENCES recon_imports (id),
    kind          TEXT    NOT NULL
        CONSTRAINT recon_cases_kind_named CHECK (kind IN ('missing_here', 'missing_at_bank', 'amount_differs', 'date_outside_tolerance')),
    status        TEXT    NOT NULL
        CONSTRAINT recon_cases_status_named CHECK (status IN ('open', 'accepted', 'adjusted')),
    bank_ref      TEXT    NOT NULL,
    our_refs      TEXT    NOT NULL,
    bank_amount   INTEGER CHECK (bank_amount > 0),
    our_amount    INTEGER CHECK (our_amount >= 0),
    currency      TEXT    NOT NULL,
    day_ms        INTEGER NOT NULL,
    detail        TEXT    NOT NULL,
    note          TEXT,
    adjustment_id TEXT,
    created_ms    INTEGER NOT NULL,
    resolved_ms   INTEGER,
    CHECK ((status = 'open') = (resolved_ms IS NULL))
);
-- One open case per break, however many imports find it.
CREATE UNIQUE INDEX recon_cases_one_open ON recon_cases (kind, bank_ref) WHERE status = 'open';
CREATE INDEX recon_cases_by_status ON recon_cases (status, created_ms);

-- The daily funding check: one row per day in China it ran (its primary key is what makes it
-- run once a day across nodes), and one alert per currency it found off.
CREATE TABLE funding_checks (
    day_ms     INTEGER PRIMARY KEY,
    breaks     INTEGER NOT NULL CHECK (breaks >= 0),
    checked_ms INTEGER NOT NULL
);

CREATE TABLE funding_alerts (
    id         TEXT    PRIMARY KEY,
    day_ms     INTEGER NOT NULL REFERENCES funding_checks (day_ms),
    currency   TEXT    NOT NULL,
    difference INTEGER NOT NULL,
    detail     TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX funding_alerts_by_time ON funding_alerts (created_ms);
