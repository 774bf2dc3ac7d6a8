-- Everyday life (issue 21): the names red packets, bill payment and transit fares add to the
-- shared lists, in one migration so the features' own tables (0027 onwards) need not redefine
-- them: movements of kind `red_packet`, `bill` and `fare` on channels of the same names (`transit`
-- for fares), and the timers that return an unclaimed red packet, ask a biller again about a
-- payment it did not confirm, and pay a saved bill on its auto-pay day.
-- Never edit this file once released: add a new one.

ALTER TABLE movements DROP CONSTRAINT movements_kind_named;
ALTER TABLE movements ADD CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare')) NOT VALID;

ALTER TABLE movements DROP CONSTRAINT movements_channel_named;
ALTER TABLE movements ADD CONSTRAINT movements_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit')) NOT VALID;

-- The channel list is shared with shops' payments (one enum): a fare is a payment to a transit
-- operator's shop.
ALTER TABLE merchant_payments DROP CONSTRAINT merchant_payments_channel_named;
ALTER TABLE merchant_payments ADD CONSTRAINT merchant_payments_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit')) NOT VALID;

ALTER TABLE timers DROP CONSTRAINT timers_kind_named;
ALTER TABLE timers ADD CONSTRAINT timers_kind_named CHECK (kind IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay')) NOT VALID;
