-- The checks on the three tables every money call writes become the tables' own CHECK
-- constraints instead of triggers. A trigger that can RAISE(ABORT) makes SQLite keep a statement
-- journal for every insert (it could abort after writing a row), so each movement cost 36 µs of
-- the money writer's serial time where the same insert checked by CHECK constraints costs a
-- fraction of that (docs/performance.md, 2026-12-07 evening). The values allowed and the names
-- of the violated constraints are those of 0032; the tables are rebuilt as SQLite's ALTER TABLE
-- guide prescribes (the migrations' connection runs with foreign keys off), rows and indexes kept.

DROP TRIGGER movements_checked_on_insert;
DROP TRIGGER movements_checked_on_update;
CREATE TABLE movements_rebuilt (
    id            TEXT    PRIMARY KEY,
    owner_id      TEXT    NOT NULL,
    kind          TEXT    NOT NULL
        CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback', 'gift_card')),
    direction     TEXT    NOT NULL
        CONSTRAINT movements_direction_named CHECK (direction IN ('in', 'out')),
    channel       TEXT    NOT NULL
        CONSTRAINT movements_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit', 'gift_card')),
    amount        INTEGER NOT NULL CONSTRAINT movements_amount_not_negative CHECK (amount >= 0),
    fee           INTEGER NOT NULL CONSTRAINT movements_fee_not_negative CHECK (fee >= 0),
    currency      TEXT    NOT NULL,
    counterparty  TEXT    NOT NULL,
    peer_id       TEXT,
    status        TEXT    NOT NULL
        CONSTRAINT movements_status_named CHECK (status IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected')),
    memo          TEXT    NOT NULL DEFAULT '',
    entry_id      TEXT,
    card_id       TEXT,
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL
);
INSERT INTO movements_rebuilt (id, owner_id, kind, direction, channel, amount, fee, currency,
                               counterparty, peer_id, status, memo, entry_id, card_id,
                               created_ms, updated_ms)
SELECT id, owner_id, kind, direction, channel, amount, fee, currency, counterparty, peer_id,
       status, memo, entry_id, card_id, created_ms, updated_ms
FROM movements;
DROP TABLE movements;
ALTER TABLE movements_rebuilt RENAME TO movements;
CREATE INDEX movements_by_owner ON movements (owner_id, id);
CREATE INDEX movements_by_owner_time ON movements (owner_id, created_ms);
CREATE INDEX movements_unfinished ON movements (owner_id, created_ms)
    WHERE status IN ('pending', 'scheduled', 'held_for_review');

DROP TRIGGER merchant_payments_checked_on_insert;
DROP TRIGGER merchant_payments_checked_on_update;
CREATE TABLE merchant_payments_rebuilt (
    id           TEXT    PRIMARY KEY,
    merchant_id  TEXT    NOT NULL REFERENCES merchants (id),
    holder_id    TEXT    NOT NULL,
    amount       INTEGER NOT NULL
        CONSTRAINT merchant_payments_amount_not_negative CHECK (amount >= 0),
    fee          INTEGER NOT NULL CONSTRAINT merchant_payments_fee_not_negative CHECK (fee >= 0),
    currency     TEXT    NOT NULL,
    refunded     INTEGER NOT NULL DEFAULT 0
        CONSTRAINT merchant_payments_refunded_not_negative CHECK (refunded >= 0),
    fee_refunded INTEGER NOT NULL DEFAULT 0
        CONSTRAINT merchant_payments_fee_refunded_not_negative CHECK (fee_refunded >= 0),
    order_id     TEXT,
    channel      TEXT    NOT NULL
        CONSTRAINT merchant_payments_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit')),
    description  TEXT    NOT NULL DEFAULT '',
    created_ms   INTEGER NOT NULL
);
INSERT INTO merchant_payments_rebuilt (id, merchant_id, holder_id, amount, fee, currency, refunded,
                                       fee_refunded, order_id, channel, description, created_ms)
SELECT id, merchant_id, holder_id, amount, fee, currency, refunded, fee_refunded, order_id,
       channel, description, created_ms
FROM merchant_payments;
DROP TABLE merchant_payments;
ALTER TABLE merchant_payments_rebuilt RENAME TO merchant_payments;
CREATE INDEX merchant_payments_by_merchant ON merchant_payments (merchant_id, id);

DROP TRIGGER idempotency_checked_on_insert;
DROP TRIGGER idempotency_checked_on_update;
CREATE TABLE idempotency_rebuilt (
    caller         TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    request_digest TEXT    NOT NULL,
    state          TEXT    NOT NULL
        CONSTRAINT idempotency_state_named CHECK (state IN ('running', 'done')),
    attempt        TEXT    NOT NULL,
    resource_id    TEXT    NOT NULL,
    status         INTEGER,
    body           TEXT,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
);
INSERT INTO idempotency_rebuilt (caller, key, request_digest, state, attempt, resource_id, status,
                                 body, created_ms, updated_ms)
SELECT caller, key, request_digest, state, attempt, resource_id, status, body, created_ms,
       updated_ms
FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_rebuilt RENAME TO idempotency;
CREATE INDEX idempotency_by_age ON idempotency (created_ms);
