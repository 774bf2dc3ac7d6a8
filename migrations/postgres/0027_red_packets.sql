-- Red packets (issue 21): each packet as sent, with its split fixed in claim order, the
-- commitment shown to everyone and the salt kept until the reveal; and each share claimed. The
-- money waits in the operator's red-packet escrow account (ledger), which `qianbao verify`
-- checks against what the open packets have not paid out.
-- Never edit this file once released: add a new one.

CREATE TABLE red_packets (
    id              TEXT    PRIMARY KEY,
    sender_id       TEXT    NOT NULL REFERENCES holders (id),
    -- The one holder who may claim it; NULL for a group packet.
    recipient_id    TEXT    REFERENCES holders (id),
    split           TEXT    NOT NULL CONSTRAINT red_packets_split_named CHECK (split IN ('even', 'random')),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    share_count     BIGINT NOT NULL CHECK (share_count > 0),
    -- The shares in fen, in claim order, comma-separated: exactly the text the commitment hashes.
    shares          TEXT    NOT NULL,
    salt            TEXT    NOT NULL,
    commitment      TEXT    NOT NULL,
    memo            TEXT    NOT NULL,
    status          TEXT    NOT NULL CONSTRAINT red_packets_status_named CHECK (status IN ('open', 'finished', 'expired')),
    claimed_count   BIGINT NOT NULL CHECK (claimed_count >= 0 AND claimed_count <= share_count),
    claimed_amount  BIGINT NOT NULL CHECK (claimed_amount >= 0 AND claimed_amount <= amount),
    movement_id     TEXT    NOT NULL,
    created_ms      BIGINT NOT NULL,
    expires_ms      BIGINT NOT NULL
);
CREATE INDEX red_packets_by_sender ON red_packets (sender_id, created_ms);
CREATE INDEX red_packets_by_recipient ON red_packets (recipient_id, created_ms);
-- What `qianbao verify` sums against the escrow account.
CREATE INDEX red_packets_open ON red_packets (status);

-- One row per share claimed: a share is claimed once, and a holder claims one share of a packet.
CREATE TABLE red_packet_claims (
    packet_id   TEXT    NOT NULL REFERENCES red_packets (id),
    idx         BIGINT NOT NULL CHECK (idx >= 0),
    holder_id   TEXT    NOT NULL REFERENCES holders (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    movement_id TEXT    NOT NULL,
    claimed_ms  BIGINT NOT NULL,
    PRIMARY KEY (packet_id, idx),
    UNIQUE (packet_id, holder_id)
);
CREATE INDEX red_packet_claims_by_holder ON red_packet_claims (holder_id, claimed_ms);
