-- Payment-code charges that wait for the payer (issue 18, WeChat's USERPAYING): above the
-- password-free limit the till's charge is kept here, the payer's phone asks for the PIN, and
-- the payer confirms (the payment is made under the same id), declines, or lets it lapse. Only
-- a confirmed charge moves money; the others are a row and nothing else.
-- Never edit this file once released: add a new one.

CREATE TABLE pending_charges (
    id          TEXT    PRIMARY KEY,
    merchant_id TEXT    NOT NULL REFERENCES merchants (id),
    holder_id   TEXT    NOT NULL REFERENCES holders (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL CONSTRAINT pending_charges_status_named
                        CHECK (status IN ('awaiting_payer', 'succeeded', 'declined', 'expired')),
    expires_ms  INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    -- NULL while awaiting the payer.
    decided_ms  INTEGER
);

-- What waits for a payer, shown on their phone.
CREATE INDEX pending_charges_awaiting ON pending_charges (holder_id, expires_ms) WHERE status = 'awaiting_payer';

-- The lapse of a waiting charge is a durable timer like the others.
DROP TRIGGER timers_checked_on_insert;
DROP TRIGGER timers_checked_on_update;

CREATE TRIGGER timers_checked_on_insert BEFORE INSERT ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse');
END;

CREATE TRIGGER timers_checked_on_update BEFORE UPDATE OF kind ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse');
END;
