-- Campaigns, coupons and cashback (issue 22): a merchant's campaign with its budget set aside
-- from its takings (the ledger's campaign-funds account), the coupons holders claim (each
-- reserving its most from the budget, so the budget can never be promised twice), the cashback
-- paid on payments (movements of the new kind `cashback`), and the timer that ends a campaign and
-- gives back what its budget kept.
-- Never edit this file once released: add a new one.

CREATE TABLE campaigns (
    id              TEXT    PRIMARY KEY,
    merchant_id     TEXT    NOT NULL REFERENCES merchants (id),
    kind            TEXT    NOT NULL CONSTRAINT campaigns_kind_named CHECK (kind IN ('coupon', 'cashback', 'points')),
    -- The rule as JSON in the contract's shape ({amount_off, min_spend} or
    -- {percent_off, max_off, min_spend}).
    rule            TEXT    NOT NULL,
    budget          INTEGER NOT NULL CHECK (budget > 0),
    -- What claimed coupons may still take, plus what used ones took: never above the budget.
    reserved        INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= budget),
    -- What used coupons took.
    spent           INTEGER NOT NULL CHECK (spent >= 0 AND spent <= reserved),
    per_holder      INTEGER NOT NULL CHECK (per_holder > 0),
    per_day         INTEGER CHECK (per_day > 0),
    new_holders_only INTEGER NOT NULL CHECK (new_holders_only IN (0, 1)),
    status          TEXT    NOT NULL CONSTRAINT campaigns_status_named CHECK (status IN ('active', 'ended')),
    starts_ms       INTEGER NOT NULL,
    ends_ms         INTEGER NOT NULL CHECK (ends_ms > starts_ms),
    created_ms      INTEGER NOT NULL
);
CREATE INDEX campaigns_by_merchant ON campaigns (merchant_id, created_ms);
CREATE INDEX campaigns_active ON campaigns (status);

CREATE TABLE coupons (
    id              TEXT    PRIMARY KEY,
    campaign_id     TEXT    NOT NULL REFERENCES campaigns (id),
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    -- The most it can take off (reserved from the budget when claimed).
    value           INTEGER NOT NULL CHECK (value > 0),
    status          TEXT    NOT NULL CONSTRAINT coupons_status_named CHECK (status IN ('claimed', 'used', 'expired')),
    -- The payment it was used on, and what it took off.
    payment_id      TEXT,
    discount        INTEGER CHECK (discount >= 0),
    claimed_ms      INTEGER NOT NULL,
    -- The China day it was claimed on (per-day limits).
    claimed_day_ms  INTEGER NOT NULL,
    used_ms         INTEGER
);
CREATE INDEX coupons_by_holder ON coupons (holder_id, claimed_ms);
CREATE INDEX coupons_by_campaign ON coupons (campaign_id, holder_id);
CREATE INDEX coupons_by_day ON coupons (campaign_id, claimed_day_ms);
-- A payment's coupon (its refund finds it), and a coupon used on one payment at most.
CREATE UNIQUE INDEX coupons_by_payment ON coupons (payment_id) WHERE payment_id IS NOT NULL;

DROP TRIGGER timers_checked_on_insert;
DROP TRIGGER timers_checked_on_update;

CREATE TRIGGER timers_checked_on_insert BEFORE INSERT ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay', 'campaign_end')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay', 'campaign_end');
END;

CREATE TRIGGER timers_checked_on_update BEFORE UPDATE OF kind ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay', 'campaign_end')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay', 'campaign_end');
END;

-- Cashback paid on a payment: what was given, and how much of it refunds took back.
CREATE TABLE cashbacks (
    id              TEXT    PRIMARY KEY,
    campaign_id     TEXT    NOT NULL REFERENCES campaigns (id),
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    payment_id      TEXT    NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    taken_back      INTEGER NOT NULL CHECK (taken_back >= 0 AND taken_back <= amount),
    created_ms      INTEGER NOT NULL,
    UNIQUE (payment_id, campaign_id)
);
CREATE INDEX cashbacks_by_campaign ON cashbacks (campaign_id, holder_id, created_ms);

DROP TRIGGER movements_checked_on_insert;
DROP TRIGGER movements_checked_on_update;

CREATE TRIGGER movements_checked_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER movements_checked_on_update BEFORE UPDATE OF kind, direction, channel, status, amount, fee ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;
