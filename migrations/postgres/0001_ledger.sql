-- The ledger: accounts, the hash-chained journal, holds, and the head of the chain.
-- Amounts are BIGINT minor units. Never edit this file once released: add a new one.

-- Which qianbao wrote this database; a database without this row is not ours and is never touched.
CREATE TABLE qianbao_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO qianbao_meta (key, value) VALUES ('application', 'qianbao');

-- One row per account: the balance is the sum of every journal posting to it (qianbao verify
-- recomputes it), held is what pending holds reserve.
CREATE TABLE accounts (
    id         BIGSERIAL PRIMARY KEY,
    owner      TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    currency   TEXT   NOT NULL,
    balance    BIGINT NOT NULL DEFAULT 0,
    held       BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    UNIQUE (owner, kind, currency)
);

-- Append-only: seq has no gaps, link = sha256(previous link, seq, text).
CREATE TABLE journal (
    seq        BIGINT PRIMARY KEY,
    entry_id   BYTEA  NOT NULL UNIQUE,
    text       TEXT   NOT NULL,
    link       BYTEA  NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Pending entries; text is the hold instruction, which carries the postings.
CREATE TABLE holds (
    id    BYTEA PRIMARY KEY,
    text  TEXT NOT NULL,
    state TEXT NOT NULL
);

-- The end of the chain. Every batch locks this row first, so batches from several nodes on one
-- database apply one after another and each reads the balances the previous one wrote.
CREATE TABLE journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    link BYTEA  NOT NULL
);
INSERT INTO journal_head (id, seq, link) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
