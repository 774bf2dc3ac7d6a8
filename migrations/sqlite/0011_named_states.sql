-- The stored states are the wallet's named enums and nothing else, and stored amounts are never
-- below zero: a value the code cannot read is refused when written, not found when read.
-- Generated from the enums' lists; `crates/store/tests/named_states.rs` checks that they agree.
-- Never edit this file once released: add a new one.

-- SQLite cannot add a CHECK constraint to an existing table without rebuilding it, and the
-- tables other tables reference (holders, merchants) cannot be rebuilt while foreign keys are
-- enforced; triggers refuse the same values on insert and update instead. Rows written before
-- this migration are not re-read here; `qianbao verify` reports any that no longer parse.

CREATE TRIGGER movements_kind_named_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named');
END;

CREATE TRIGGER movements_kind_named_on_update BEFORE UPDATE OF kind ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named');
END;

CREATE TRIGGER movements_direction_named_on_insert BEFORE INSERT ON movements
WHEN NEW.direction NOT IN ('in', 'out')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named');
END;

CREATE TRIGGER movements_direction_named_on_update BEFORE UPDATE OF direction ON movements
WHEN NEW.direction NOT IN ('in', 'out')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named');
END;

CREATE TRIGGER movements_channel_named_on_insert BEFORE INSERT ON movements
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named');
END;

CREATE TRIGGER movements_channel_named_on_update BEFORE UPDATE OF channel ON movements
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named');
END;

CREATE TRIGGER movements_status_named_on_insert BEFORE INSERT ON movements
WHEN NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named');
END;

CREATE TRIGGER movements_status_named_on_update BEFORE UPDATE OF status ON movements
WHEN NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named');
END;

CREATE TRIGGER merchant_payments_channel_named_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named');
END;

CREATE TRIGGER merchant_payments_channel_named_on_update BEFORE UPDATE OF channel ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named');
END;

CREATE TRIGGER holders_status_named_on_insert BEFORE INSERT ON holders
WHEN NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: holders_status_named');
END;

CREATE TRIGGER holders_status_named_on_update BEFORE UPDATE OF status ON holders
WHEN NEW.status NOT IN ('active', 'frozen', 'restricted', 'closed')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: holders_status_named');
END;

CREATE TRIGGER idempotency_state_named_on_insert BEFORE INSERT ON idempotency
WHEN NEW.state NOT IN ('running', 'done')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_state_named');
END;

CREATE TRIGGER idempotency_state_named_on_update BEFORE UPDATE OF state ON idempotency
WHEN NEW.state NOT IN ('running', 'done')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_state_named');
END;

CREATE TRIGGER timers_kind_named_on_insert BEFORE INSERT ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named');
END;

CREATE TRIGGER timers_kind_named_on_update BEFORE UPDATE OF kind ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named');
END;

CREATE TRIGGER cards_card_type_named_on_insert BEFORE INSERT ON cards
WHEN NEW.card_type NOT IN ('debit', 'credit')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_card_type_named');
END;

CREATE TRIGGER cards_card_type_named_on_update BEFORE UPDATE OF card_type ON cards
WHEN NEW.card_type NOT IN ('debit', 'credit')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_card_type_named');
END;

CREATE TRIGGER cards_status_named_on_insert BEFORE INSERT ON cards
WHEN NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_status_named');
END;

CREATE TRIGGER cards_status_named_on_update BEFORE UPDATE OF status ON cards
WHEN NEW.status NOT IN ('pending_otp', 'active', 'failed', 'unbound')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: cards_status_named');
END;

CREATE TRIGGER orders_status_named_on_insert BEFORE INSERT ON orders
WHEN NEW.status NOT IN ('open', 'paid', 'expired')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_status_named');
END;

CREATE TRIGGER orders_status_named_on_update BEFORE UPDATE OF status ON orders
WHEN NEW.status NOT IN ('open', 'paid', 'expired')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_status_named');
END;

CREATE TRIGGER movements_amount_not_negative_on_insert BEFORE INSERT ON movements
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative');
END;

CREATE TRIGGER movements_amount_not_negative_on_update BEFORE UPDATE OF amount ON movements
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative');
END;

CREATE TRIGGER movements_fee_not_negative_on_insert BEFORE INSERT ON movements
WHEN NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative');
END;

CREATE TRIGGER movements_fee_not_negative_on_update BEFORE UPDATE OF fee ON movements
WHEN NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative');
END;

CREATE TRIGGER merchant_payments_amount_not_negative_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative');
END;

CREATE TRIGGER merchant_payments_amount_not_negative_on_update BEFORE UPDATE OF amount ON merchant_payments
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative');
END;

CREATE TRIGGER merchant_payments_fee_not_negative_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative');
END;

CREATE TRIGGER merchant_payments_fee_not_negative_on_update BEFORE UPDATE OF fee ON merchant_payments
WHEN NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative');
END;

CREATE TRIGGER merchant_payments_refunded_not_negative_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative');
END;

CREATE TRIGGER merchant_payments_refunded_not_negative_on_update BEFORE UPDATE OF refunded ON merchant_payments
WHEN NEW.refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative');
END;

CREATE TRIGGER merchant_payments_fee_refunded_not_negative_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative');
END;

CREATE TRIGGER merchant_payments_fee_refunded_not_negative_on_update BEFORE UPDATE OF fee_refunded ON merchant_payments
WHEN NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative');
END;

CREATE TRIGGER merchant_refunds_amount_not_negative_on_insert BEFORE INSERT ON merchant_refunds
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_amount_not_negative');
END;

CREATE TRIGGER merchant_refunds_amount_not_negative_on_update BEFORE UPDATE OF amount ON merchant_refunds
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_amount_not_negative');
END;

CREATE TRIGGER merchant_refunds_fee_back_not_negative_on_insert BEFORE INSERT ON merchant_refunds
WHEN NEW.fee_back < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_fee_back_not_negative');
END;

CREATE TRIGGER merchant_refunds_fee_back_not_negative_on_update BEFORE UPDATE OF fee_back ON merchant_refunds
WHEN NEW.fee_back < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_refunds_fee_back_not_negative');
END;

CREATE TRIGGER orders_amount_not_negative_on_insert BEFORE INSERT ON orders
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_amount_not_negative');
END;

CREATE TRIGGER orders_amount_not_negative_on_update BEFORE UPDATE OF amount ON orders
WHEN NEW.amount < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: orders_amount_not_negative');
END;
