-- Everyday life (issue 21): the names red packets, bill payment and transit fares add to the
-- shared lists, in one migration so the features' own tables (0027 onwards) need not redefine
-- them: movements of kind `red_packet`, `bill` and `fare` on channels of the same names (`transit`
-- for fares), and the timers that return an unclaimed red packet, ask a biller again about a
-- payment it did not confirm, and pay a saved bill on its auto-pay day.
-- Never edit this file once released: add a new one.

DROP TRIGGER movements_checked_on_insert;
DROP TRIGGER movements_checked_on_update;

CREATE TRIGGER movements_checked_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER movements_checked_on_update BEFORE UPDATE OF kind, direction, channel, status, amount, fee ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

-- The channel list is shared with shops' payments (one enum): a fare is a payment to a transit
-- operator's shop.
DROP TRIGGER merchant_payments_checked_on_insert;
DROP TRIGGER merchant_payments_checked_on_update;

CREATE TRIGGER merchant_payments_checked_on_insert BEFORE INSERT ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;

CREATE TRIGGER merchant_payments_checked_on_update BEFORE UPDATE OF channel, amount, fee, refunded, fee_refunded ON merchant_payments
WHEN NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit') OR NEW.amount < 0 OR NEW.fee < 0 OR NEW.refunded < 0 OR NEW.fee_refunded < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit');
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_not_negative') WHERE NEW.fee < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_refunded_not_negative') WHERE NEW.refunded < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: merchant_payments_fee_refunded_not_negative') WHERE NEW.fee_refunded < 0;
END;

DROP TRIGGER timers_checked_on_insert;
DROP TRIGGER timers_checked_on_update;

CREATE TRIGGER timers_checked_on_insert BEFORE INSERT ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay');
END;

CREATE TRIGGER timers_checked_on_update BEFORE UPDATE OF kind ON timers
WHEN NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: timers_kind_named') WHERE NEW.kind NOT IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay');
END;
