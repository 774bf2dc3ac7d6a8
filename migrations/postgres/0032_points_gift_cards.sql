-- Points and gift cards (issue 22). Points are their own unit in the ledger (PTS, whole points,
-- one point backed by one fen in the operator's points reserve); their lots say when each earned
-- batch expires, and their history what the holder saw. Gift and membership cards are one ledger
-- account each, the shop's liability, kept apart from the holder's wallet. A payment that points
-- or a card paid part of keeps that part in payment_parts, so its refund returns each part to
-- where it came from.
-- Never edit this file once released: add a new one.

-- A coupon campaign may sell its coupons for points instead of giving them away.
ALTER TABLE campaigns ADD COLUMN points_price BIGINT NOT NULL DEFAULT 0 CHECK (points_price >= 0);

CREATE TABLE points_lots (
    id              TEXT    PRIMARY KEY,
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    -- The shop whose yuan back the lot: they go back to it if the points expire unused.
    merchant_id     TEXT    NOT NULL REFERENCES merchants (id),
    points          BIGINT NOT NULL CHECK (points > 0),
    remaining       BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    expires_ms      BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX points_lots_by_holder ON points_lots (holder_id, expires_ms);
CREATE INDEX points_lots_due ON points_lots (expires_ms) WHERE remaining > 0;

CREATE TABLE points_history (
    id              TEXT    PRIMARY KEY,
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    kind            TEXT    NOT NULL CONSTRAINT points_history_kind_named CHECK (kind IN ('earned', 'redeemed', 'returned', 'taken_back', 'expired')),
    -- Signed: earned and returned are positive, the rest negative.
    points          BIGINT NOT NULL,
    payment_id      TEXT,
    memo            TEXT    NOT NULL,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX points_history_by_holder ON points_history (holder_id, created_ms);

-- Points earned on a payment by a points campaign: what refunds took back so far.
CREATE TABLE points_earned (
    payment_id      TEXT    NOT NULL,
    campaign_id     TEXT    NOT NULL REFERENCES campaigns (id),
    holder_id       TEXT    NOT NULL REFERENCES holders (id),
    points          BIGINT NOT NULL CHECK (points > 0),
    taken_back      BIGINT NOT NULL CHECK (taken_back >= 0 AND taken_back <= points),
    created_ms      BIGINT NOT NULL,
    PRIMARY KEY (payment_id, campaign_id)
);

CREATE TABLE gift_cards (
    id              TEXT    PRIMARY KEY,
    merchant_id     TEXT    NOT NULL REFERENCES merchants (id),
    -- Whose wallet it is in; empty until its code is redeemed.
    holder_id       TEXT    REFERENCES holders (id),
    kind            TEXT    NOT NULL CONSTRAINT gift_cards_kind_named CHECK (kind IN ('gift', 'membership')),
    -- The number its barcode carries.
    number          TEXT    NOT NULL UNIQUE,
    -- The keyed digest of its redeem code (the code itself is shown once, when issued).
    code_digest     TEXT    UNIQUE,
    value           BIGINT NOT NULL CHECK (value > 0),
    status          TEXT    NOT NULL CONSTRAINT gift_cards_status_named CHECK (status IN ('unredeemed', 'active', 'expired')),
    -- How it came to be: issued by the shop, or bought by a holder.
    origin          TEXT    NOT NULL CONSTRAINT gift_cards_origin_named CHECK (origin IN ('issued', 'sold')),
    expires_ms      BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL,
    redeemed_ms     BIGINT
);
CREATE INDEX gift_cards_by_holder ON gift_cards (holder_id, merchant_id);
CREATE INDEX gift_cards_by_merchant ON gift_cards (merchant_id, created_ms);

-- The parts of a shop payment paid from beside the wallet (points, gift cards): what each paid,
-- and what refunds returned to it so far.
CREATE TABLE payment_parts (
    payment_id      TEXT    NOT NULL,
    source          TEXT    NOT NULL CONSTRAINT payment_parts_source_named CHECK (source IN ('points', 'gift_card')),
    -- The card for a gift card's part; the holder for points.
    source_id       TEXT    NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    returned        BIGINT NOT NULL CHECK (returned >= 0 AND returned <= amount),
    PRIMARY KEY (payment_id, source, source_id)
);

ALTER TABLE timers DROP CONSTRAINT timers_kind_named;
ALTER TABLE timers ADD CONSTRAINT timers_kind_named CHECK (kind IN ('withdrawal_payout', 'topup_reconcile', 'transfer_release', 'risk_hold_expiry', 'charge_lapse', 'red_packet_expiry', 'bill_reconcile', 'bill_autopay', 'campaign_end', 'gift_card_expiry')) NOT VALID;

ALTER TABLE movements DROP CONSTRAINT movements_kind_named;
ALTER TABLE movements ADD CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment', 'conversion', 'red_packet', 'bill', 'fare', 'cashback', 'gift_card')) NOT VALID;

ALTER TABLE movements DROP CONSTRAINT movements_channel_named;
ALTER TABLE movements ADD CONSTRAINT movements_channel_named CHECK (channel IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant', 'fx', 'red_packet', 'bill', 'transit', 'gift_card')) NOT VALID;
