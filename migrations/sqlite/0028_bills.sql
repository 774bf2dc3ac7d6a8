-- Bill payment (issue 21, 生活缴费): the bills holders looked up, the payments made, and the
-- billers holders saved with their auto-pay settings. The names these rows share with the rest
-- (movement kind and channel `bill`, timers `bill_reconcile` and `bill_autopay`) are 0026's.
-- Never edit this file once released: add a new one.

-- A bill as the biller described it to one holder: paying it pays exactly this amount.
CREATE TABLE bill_lookups (
    id          TEXT    PRIMARY KEY,
    holder_id   TEXT    NOT NULL REFERENCES holders (id),
    biller_id   TEXT    NOT NULL,
    biller_name TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    -- The biller's own reference for the bill.
    reference   TEXT    NOT NULL,
    amount      INTEGER  NOT NULL CHECK (amount > 0),
    period      TEXT    NOT NULL,
    masked_name TEXT    NOT NULL,
    created_ms  INTEGER  NOT NULL,
    expires_ms  INTEGER  NOT NULL
);

-- A payment of a bill: one per holder's movement (its id is our payment id at the biller).
CREATE TABLE bill_payments (
    movement_id TEXT    PRIMARY KEY REFERENCES movements (id),
    holder_id   TEXT    NOT NULL REFERENCES holders (id),
    lookup_id   TEXT    NOT NULL REFERENCES bill_lookups (id),
    biller_id   TEXT    NOT NULL,
    biller_name TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    reference   TEXT    NOT NULL,
    amount      INTEGER  NOT NULL CHECK (amount > 0),
    period      TEXT    NOT NULL,
    status      TEXT    NOT NULL CONSTRAINT bill_payments_status_named CHECK (status IN ('pending', 'paid', 'refused')),
    -- The biller's receipt reference, once paid.
    receipt     TEXT,
    -- 1 when auto-pay made it, without a PIN (the holder's standing consent).
    autopay     INTEGER  NOT NULL CHECK (autopay IN (0, 1)),
    created_ms  INTEGER  NOT NULL,
    updated_ms  INTEGER  NOT NULL
);

-- A bill is paid at most once: two payments racing under different keys cannot both stand. A
-- refused payment gave its money back, so the bill may be paid again.
CREATE UNIQUE INDEX bill_payments_open_once ON bill_payments (biller_id, reference)
    WHERE status <> 'refused';
CREATE INDEX bill_payments_by_holder ON bill_payments (holder_id, created_ms);

-- A biller and account a holder keeps, with auto-pay when switched on.
CREATE TABLE saved_billers (
    id          TEXT    PRIMARY KEY,
    holder_id   TEXT    NOT NULL REFERENCES holders (id),
    biller_id   TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    nickname    TEXT    NOT NULL,
    -- The day of the month (China time) auto-pay runs; NULL when auto-pay is off.
    autopay_day INTEGER  CHECK (autopay_day BETWEEN 1 AND 28),
    -- The most auto-pay pays without asking (fen); set with the day.
    autopay_cap INTEGER  CHECK (autopay_cap > 0),
    created_ms  INTEGER  NOT NULL,
    updated_ms  INTEGER  NOT NULL,
    CHECK ((autopay_day IS NULL) = (autopay_cap IS NULL)),
    UNIQUE (holder_id, biller_id, account)
);
