-- Several currencies (issue 20): the operator's mid-market rates (the newest per pair, and every
-- one ever set, for the audit of what a quote was priced at), quotes a holder may use once before
-- they expire, each holder's main currency, and conversions as movements of their own kind on
-- their own channel. The day's spending counters (daily_spending) count yuan: a movement in
-- another currency is counted at its yuan value by the call that makes it.
-- Never edit this file once released: add a new one.

CREATE TABLE fx_rates (
    base        TEXT    NOT NULL,
    quote       TEXT    NOT NULL,
    -- An exact decimal, as set (`7.1234`): never a float.
    rate        TEXT    NOT NULL,
    -- `operator` (the CLI), `console` or `feed`.
    source      TEXT    NOT NULL,
    set_ms      INTEGER NOT NULL,
    PRIMARY KEY (base, quote)
);

CREATE TABLE fx_rate_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    base        TEXT    NOT NULL,
    quote       TEXT    NOT NULL,
    rate        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    set_ms      INTEGER NOT NULL
);

CREATE TABLE fx_quotes (
    id            TEXT    PRIMARY KEY,
    holder_id     TEXT    NOT NULL REFERENCES holders (id),
    sell_currency TEXT    NOT NULL,
    buy_currency  TEXT    NOT NULL,
    sell_amount   INTEGER NOT NULL CHECK (sell_amount > 0),
    buy_amount    INTEGER NOT NULL CHECK (buy_amount > 0),
    -- The spread, in the sell currency.
    fee           INTEGER NOT NULL CHECK (fee >= 0),
    -- What it may pay for: `conversion` between the holder's own accounts, `order` (an order
    -- priced in another currency: `subject` is the order's id) or `transfer` (to a payee who
    -- holds another currency: `subject` is their wallet id).
    purpose       TEXT    NOT NULL CHECK (purpose IN ('conversion', 'order', 'transfer')),
    subject       TEXT,
    -- The mid rate it was priced at (buy per sell), exact.
    rate          TEXT    NOT NULL,
    created_ms    INTEGER NOT NULL,
    expires_ms    INTEGER NOT NULL,
    -- The movement that used it; a quote is used at most once.
    used_by       TEXT,
    used_ms       INTEGER
);
CREATE INDEX fx_quotes_by_holder ON fx_quotes (holder_id, created_ms);

-- The currency a holder receives in when a payer sends one they do not hold (default CNY: no row).
CREATE TABLE main_currencies (
    holder_id   TEXT    PRIMARY KEY REFERENCES holders (id),
    currency    TEXT    NOT NULL,
    set_ms      INTEGER NOT NULL
);

DROP TRIGGER movements_checked_on_insert;
DROP TRIGGER movements_checked_on_update;

CREATE TRIGGER movements_checked_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER movements_checked_on_update BEFORE UPDATE OF kind, direction, channel, status, amount, fee ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

-- The channel list is shared with shops' payments (one enum), so they name `fx` too.
DROP TRIGGER merchant_payments_checked_on_insert;
DROP TRIGGER merchant_payments_checked_on_update;

CREATE TRIGGER merchant_payments_checked_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;

CREATE TRIGGER merchant_payments_checked_on_update BEFORE UPDATE OF channel, amount, fee, refunded, fee_refunded ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;
