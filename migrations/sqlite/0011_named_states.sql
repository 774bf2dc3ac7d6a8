-- The stored states are the wallet's named enums and nothing else, and stored amounts are never
-- below zero: a value the code cannot read is refused when written, not found when read.
-- Generated from the enums' lists; `crates/store/tests/named_states.rs` checks that they agree.
-- Never edit this file once released: add a new one.

-- SQLite cannot add a CHECK constraint to an existing table without rebuilding it, and the
-- tables other tables reference (holders, merchants) cannot be rebuilt while foreign keys are
-- enforced; triggers refuse the same values on insert and update instead, one trigger per table
-- and event (each trigger is a sub-program the writer runs per row: one with every condition
-- costs less than one per condition). Every violated condition names the constraint it stands
-- for. Rows written before this migration are not re-read here; `qianbao verify` reports any that
-- no longer parse.

CREATE TRIGGER movements_checked_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER movements_checked_on_update BEFORE UPDATE OF kind, direction, channel, status, amount, fee ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER merchant_payments_checked_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;

CREATE TRIGGER merchant_payments_checked_on_update BEFORE UPDATE OF channel, amount, fee, refunded, fee_refunded ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;

CREATE TRIGGER holders_checked_on_insert BEFORE INSERT ON holders
WHEN NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: holders_status_named') WHERE NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed');
END;

CREATE TRIGGER holders_checked_on_update BEFORE UPDATE OF status ON holders
WHEN NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: holders_status_named') WHERE NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed');
END;

CREATE TRIGGER idempotency_checked_on_insert BEFORE INSERT ON idempotency
WHEN NEW.state NOT IN ('running', 'done')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_state_named') WHERE NEW.state NOT IN ('running', 'done');
END;

CREATE TRIGGER idempotency_checked_on_update BEFORE UPDATE OF state ON idempotency
WHEN NEW.state NOT IN ('running', 'done')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_state_named') WHERE NEW.state NOT IN ('running', 'done');
END;

CREATE TRIGGER timers_checked_on_insert BEFORE INSERT ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release');
END;

CREATE TRIGGER timers_checked_on_update BEFORE UPDATE OF kind ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release');
END;

CREATE TRIGGER cards_checked_on_insert BEFORE INSERT ON cards
WHEN NEW.card_type NOT IN ('debit', 'credit') OR NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_card_type_named') WHERE NEW.card_type NOT IN ('debit', 'credit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_status_named') WHERE NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound');
END;

CREATE TRIGGER cards_checked_on_update BEFORE UPDATE OF card_type, status ON cards
WHEN NEW.card_type NOT IN ('debit', 'credit') OR NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_card_type_named') WHERE NEW.card_type NOT IN ('debit', 'credit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_status_named') WHERE NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound');
END;

CREATE TRIGGER orders_checked_on_insert BEFORE INSERT ON orders
WHEN NEW.status NOT IN ('open', 'paid', 'expired') OR NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_status_named') WHERE NEW.status NOT IN ('open', 'paid', 'expired');
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_amount_not_negative') WHERE NEW.amount < 0;
END;

CREATE TRIGGER orders_checked_on_update BEFORE UPDATE OF status, amount ON orders
WHEN NEW.status NOT IN ('open', 'paid', 'expired') OR NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_status_named') WHERE NEW.status NOT IN ('open', 'paid', 'expired');
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_amount_not_negative') WHERE NEW.amount < 0;
END;

CREATE TRIGGER merchant_refunds_checked_on_insert BEFORE INSERT ON merchant_refunds
WHEN NEW.amount < 0 OR NEW.fee_back < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_fee_back_not_negative') WHERE NEW.fee_back < 0;
END;

CREATE TRIGGER merchant_refunds_checked_on_update BEFORE UPDATE OF amount, fee_back ON merchant_refunds
WHEN NEW.amount < 0 OR NEW.fee_back < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_fee_back_not_negative') WHERE NEW.fee_back < 0;
END;
