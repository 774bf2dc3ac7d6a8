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
    set_ms      BIGINT  NOT NULL,
    PRIMARY KEY (base, quote)
);

CREATE TABLE fx_rate_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    base        TEXT    NOT NULL,
    quote       TEXT    NOT NULL,
    rate        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    set_ms      BIGINT  NOT NULL
);

CREATE TABLE fx_quotes (
    id            TEXT    PRIMARY KEY,
    holder_id     TEXT    NOT NULL REFERENCES holders (id),
    sell_currency TEXT    NOT NULL,
    buy_currency  TEXT    NOT NULL,
    sell_amount   BIGINT  NOT NULL CHECK (sell_amount > 0),
    buy_amount    BIGINT  NOT NULL CHECK (buy_amount > 0),
    -- The spread, in the sell currency.
    fee           BIGINT  NOT NULL CHECK (fee >= 0),
    -- What it may pay for: `conversion` between the holder's own accounts, `order` (an order
    -- priced in another currency: `subject` is the order's id) or `transfer` (to a payee who
    -- holds another currency: `subject` is their wallet id).
    purpose       TEXT    NOT NULL CHECK (purpose IN ('conversion', 'order', 'transfer')),
    subject       TEXT,
    -- The mid rate it was priced at (buy per sell), exact.
    rate          TEXT    NOT NULL,
    created_ms    BIGINT  NOT NULL,
    expires_ms    BIGINT  NOT NULL,
    -- The movement that used it; a quote is used at most once.
    used_by       TEXT,
    used_ms       BIGINT
);
CREATE INDEX fx_quotes_by_holder ON fx_quotes (holder_id, created_ms);

-- The currency a holder receives in when a payer sends one they do not hold (default CNY: no row).
CREATE TABLE main_currencies (
    holder_id   TEXT    PRIMARY KEY REFERENCES holders (id),
    currency    TEXT    NOT NULL,
    set_ms      BIGINT  NOT NULL
);

ALTER TABLE movements DROP CONSTRAINT movements_kind_named;
ALTER TABLE movements ADD CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion')) NOT VALID;

ALTER TABLE movements DROP CONSTRAINT movements_channel_named;
ALTER TABLE movements ADD CONSTRAINT movements_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx')) NOT VALID;

-- The channel list is shared with shops' payments (one enum), so they name `fx` too.
ALTER TABLE merchant_payments DROP CONSTRAINT merchant_payments_channel_named;
ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx')) NOT VALID;
