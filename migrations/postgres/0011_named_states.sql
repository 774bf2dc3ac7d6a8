-- The stored states are the wallet's named enums and nothing else, and stored amounts are never
-- below zero: a value the code cannot read is refused when written, not found when read.
-- Generated from the enums' lists; `crates/store/tests/named_states.rs` checks that they agree.
-- Never edit this file once released: add a new one.

-- NOT VALID: rows written before this migration are not re-read here (a bad one would stop the
-- server from starting); `qianbao verify` reports any that no longer parse.

ALTER TABLE movements ADD CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement')) NOT VALID;

ALTER TABLE movements ADD CONSTRAINT movements_direction_named CHECK (direction IN ('in', 'out')) NOT VALID;

ALTER TABLE movements ADD CONSTRAINT movements_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')) NOT VALID;

ALTER TABLE movements ADD CONSTRAINT movements_status_named CHECK (status IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled')) NOT VALID;

ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant')) NOT VALID;

ALTER TABLE holders ADD CONSTRAINT holders_status_named CHECK (status IN ('active', 'frozen', 'restricted', 'closed')) NOT VALID;

ALTER TABLE idempotency ADD CONSTRAINT idempotency_state_named CHECK (state IN ('running', 'done')) NOT VALID;

ALTER TABLE timers ADD CONSTRAINT timers_kind_named CHECK (kind IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release')) NOT VALID;

ALTER TABLE cards ADD CONSTRAINT cards_card_type_named CHECK (card_type IN ('debit', 'credit')) NOT VALID;

ALTER TABLE cards ADD CONSTRAINT cards_status_named CHECK (status IN ('pending_otp', 'active', 'failed', 'unbound')) NOT VALID;

ALTER TABLE orders ADD CONSTRAINT orders_status_named CHECK (status IN ('open', 'paid', 'expired')) NOT VALID;

ALTER TABLE movements ADD CONSTRAINT movements_amount_not_negative CHECK (amount >= 0) NOT VALID;

ALTER TABLE movements ADD CONSTRAINT movements_fee_not_negative CHECK (fee >= 0) NOT VALID;

ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_amount_not_negative CHECK (amount >= 0) NOT VALID;

ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_fee_not_negative CHECK (fee >= 0) NOT VALID;

ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_refunded_not_negative CHECK (refunded >= 0) NOT VALID;

ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_fee_refunded_not_negative CHECK (fee_refunded >= 0) NOT VALID;

ALTER TABLE merchant_refunds ADD CONSTRAINT merchant_refunds_amount_not_negative CHECK (amount >= 0) NOT VALID;

ALTER TABLE merchant_refunds ADD CONSTRAINT merchant_refunds_fee_back_not_negative CHECK (fee_back >= 0) NOT VALID;

ALTER TABLE orders ADD CONSTRAINT orders_amount_not_negative CHECK (amount >= 0) NOT VALID;
