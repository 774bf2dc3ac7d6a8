-- Risk control (issue 16): every money call's decision, the rule sets that made them, the block
-- list, snoozes, and the step-up challenges that bind a second factor to one call. Movements may
-- now be held for review (and rejected), and a held payment has a timer that rejects it when no
-- reviewer decided in time.
-- Never edit this file once released: add a new one.

CREATE TABLE risk_decisions (
    id           TEXT    PRIMARY KEY,
    subject      TEXT    NOT NULL,
    device_id    TEXT,
    payee        TEXT,
    call         TEXT    NOT NULL,
    amount_minor BIGINT NOT NULL,
    verdict      TEXT    NOT NULL,
    reason       TEXT,
    rule_set     TEXT    NOT NULL,
    trace        TEXT    NOT NULL,
    movement_id  TEXT,
    caller       TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    counted      BIGINT NOT NULL,
    created_ms   BIGINT NOT NULL,
    run_count    BIGINT NOT NULL,
    run_amount   BIGINT NOT NULL
);

-- Velocity and history read only what moved (counted). A payer's rows carry running totals
-- (run_count, run_amount: their counted calls so far, this one included), so a payer's window is
-- two look-ups of this index — the totals now and just before the window — however many payments
-- it holds. The payee's and the device's windows are range scans of their covering indexes.
CREATE INDEX risk_decisions_by_subject ON risk_decisions (subject, created_ms, run_count, run_amount) WHERE counted = 1;
CREATE INDEX risk_decisions_by_payee ON risk_decisions (payee, created_ms, amount_minor, subject) WHERE counted = 1;
CREATE INDEX risk_decisions_by_device ON risk_decisions (device_id, created_ms, amount_minor) WHERE counted = 1;
CREATE INDEX risk_decisions_by_movement ON risk_decisions (movement_id) WHERE movement_id IS NOT NULL;

CREATE TABLE risk_rule_sets (
    hash          TEXT    PRIMARY KEY,
    document      TEXT    NOT NULL,
    first_used_ms BIGINT NOT NULL
);

CREATE TABLE risk_blocks (
    kind       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);

CREATE TABLE risk_snoozes (
    holder_id  TEXT    NOT NULL,
    rule_id    TEXT    NOT NULL,
    until_ms   BIGINT NOT NULL,
    reason     TEXT    NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (holder_id, rule_id)
);

CREATE TABLE step_up_challenges (
    caller         TEXT    NOT NULL,
    idem_key       TEXT    NOT NULL,
    request_digest TEXT    NOT NULL,
    created_ms     BIGINT NOT NULL,
    PRIMARY KEY (caller, idem_key)
);

-- The named states held for review and rejected, and the hold-expiry timer.
ALTER TABLE movements DROP CONSTRAINT movements_status_named;
ALTER TABLE movements ADD CONSTRAINT movements_status_named CHECK (status IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected')) NOT VALID;

ALTER TABLE timers DROP CONSTRAINT timers_kind_named;
ALTER TABLE timers ADD CONSTRAINT timers_kind_named CHECK (kind IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry')) NOT VALID;
