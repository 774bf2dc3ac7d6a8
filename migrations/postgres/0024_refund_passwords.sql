-- A shop's own refund password (issue 18): six digits the owner sets when opening the shop,
-- asked by the till before money goes back to a payer, so a cashier signed in to the till cannot
-- refund on one click. Kept as a keyed digest with a lock, like the holder's payment password
-- (pins); a row only for shops that have set one.
-- Never edit this file once released: add a new one.

CREATE TABLE refund_passwords (
    merchant_id     TEXT    PRIMARY KEY REFERENCES merchants (id),
    -- Keyed HMAC of the merchant id and the password, as pins.digest.
    digest          TEXT    NOT NULL,
    -- Wrong passwords since the last right one.
    failures        BIGINT  NOT NULL DEFAULT 0,
    -- The till's refunds are locked until then (ms), if set.
    locked_until_ms BIGINT,
    set_ms          BIGINT  NOT NULL
);
