-- Moving money: idempotency, the holders' records of every movement, merchants, orders, payment
-- codes, refunds, the inbox, durable timers, the webhook outbox and operator settings.
-- Times are integer milliseconds since the epoch; amounts integer minor units.
-- Never edit this file once released: add a new one.

-- One row per (caller, Idempotency-Key): the request's digest and, once done, the reply given.
-- attempt fences a stale attempt: only the attempt that owns the row may finish it.
CREATE TABLE idempotency (
    caller         TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    request_digest TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    attempt        TEXT    NOT NULL,
    resource_id    TEXT    NOT NULL,
    status         BIGINT,
    body           TEXT,
    created_ms     BIGINT  NOT NULL,
    updated_ms     BIGINT  NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_ms);

-- One side of a movement as its owner (a holder, or a merchant for settlements) sees it. The id
-- of the payer's row is the id the money call returns. channel says which limits it counts
-- toward; entry_id is the ledger entry or hold; card_id the bank card of a top-up or withdrawal;
-- peer_id the other party (holder or merchant id).
CREATE TABLE movements (
    id            TEXT    PRIMARY KEY,
    owner_id      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    direction     TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    amount        BIGINT  NOT NULL,
    fee           BIGINT  NOT NULL,
    currency      TEXT    NOT NULL,
    counterparty  TEXT    NOT NULL,
    peer_id       TEXT,
    status        TEXT    NOT NULL,
    memo          TEXT    NOT NULL DEFAULT '',
    entry_id      TEXT,
    card_id       TEXT,
    created_ms    BIGINT  NOT NULL,
    updated_ms    BIGINT  NOT NULL
);
CREATE INDEX movements_by_owner ON movements (owner_id, id);
CREATE INDEX movements_by_owner_time ON movements (owner_id, created_ms);

-- Merchants: a holder's shop. The API key is stored only as its SHA-256.
CREATE TABLE merchants (
    id                    TEXT    PRIMARY KEY,
    holder_id             TEXT    NOT NULL REFERENCES holders (id),
    name                  TEXT    NOT NULL,
    category              TEXT    NOT NULL,
    key_digest            TEXT    NOT NULL UNIQUE,
    status                TEXT    NOT NULL DEFAULT 'active',
    webhook_url           TEXT,
    webhook_secret_sealed BYTEA,
    created_ms            BIGINT  NOT NULL
);
CREATE INDEX merchants_by_holder ON merchants (holder_id);

-- Orders a merchant shows as a QR code with a fixed amount.
CREATE TABLE orders (
    id          TEXT    PRIMARY KEY,
    merchant_id TEXT    NOT NULL REFERENCES merchants (id),
    amount      BIGINT  NOT NULL,
    currency    TEXT    NOT NULL,
    description TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    expires_ms  BIGINT  NOT NULL,
    payment_id  TEXT,
    created_ms  BIGINT  NOT NULL
);

-- Payment codes (付款码): 18 digits, one use, 60 s; only a keyed digest is kept.
CREATE TABLE payment_codes (
    digest     TEXT    PRIMARY KEY,
    holder_id  TEXT    NOT NULL REFERENCES holders (id),
    expires_ms BIGINT  NOT NULL,
    used_ms    BIGINT,
    created_ms BIGINT  NOT NULL
);
CREATE INDEX payment_codes_by_age ON payment_codes (expires_ms);

-- What a merchant was paid, and how much of it has been refunded (never more than paid).
CREATE TABLE merchant_payments (
    id           TEXT    PRIMARY KEY,
    merchant_id  TEXT    NOT NULL REFERENCES merchants (id),
    holder_id    TEXT    NOT NULL,
    amount       BIGINT  NOT NULL,
    fee          BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    refunded     BIGINT  NOT NULL DEFAULT 0,
    fee_refunded BIGINT  NOT NULL DEFAULT 0,
    order_id     TEXT,
    channel      TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_ms   BIGINT  NOT NULL
);
CREATE INDEX merchant_payments_by_merchant ON merchant_payments (merchant_id, id);

CREATE TABLE merchant_refunds (
    id          TEXT    PRIMARY KEY,
    merchant_id TEXT    NOT NULL REFERENCES merchants (id),
    payment_id  TEXT    NOT NULL REFERENCES merchant_payments (id),
    amount      BIGINT  NOT NULL,
    fee_back    BIGINT  NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_ms  BIGINT  NOT NULL
);

-- The holder's inbox: one row per movement alert, written in the movement's transaction.
CREATE TABLE notifications (
    id          BIGSERIAL PRIMARY KEY,
    holder_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    movement_id TEXT,
    created_ms  BIGINT  NOT NULL
);
CREATE INDEX notifications_by_holder ON notifications (holder_id, id);

-- Durable timers: work due later (a withdrawal's payout, a top-up to reconcile, a delayed
-- transfer's arrival), written in the transaction that makes it due.
CREATE TABLE timers (
    id         TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    due_ms     BIGINT  NOT NULL,
    attempts   BIGINT  NOT NULL DEFAULT 0,
    created_ms BIGINT  NOT NULL
);
CREATE INDEX timers_due ON timers (due_ms);

-- Signed webhook events waiting to be delivered to merchants, at least once.
CREATE TABLE webhook_outbox (
    id              BIGSERIAL PRIMARY KEY,
    merchant_id     TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT  NOT NULL DEFAULT 0,
    created_ms      BIGINT  NOT NULL,
    delivered_ms    BIGINT
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (status, next_attempt_ms);

-- Operator switches that every node reads (the maintenance window).
CREATE TABLE operator_settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_ms BIGINT  NOT NULL
);
