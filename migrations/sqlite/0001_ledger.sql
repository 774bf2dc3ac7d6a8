-- The ledger: accounts, the hash-chained journal, holds, and the head of the chain.
-- Amounts are integers in minor units. Never edit this file once released: add a new one.

-- Which qianbao wrote this database; a file without this row is not ours and is never touched.
CREATE TABLE qianbao_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO qianbao_meta (key, value) VALUES ('application', 'qianbao');

-- One row per account: the balance is the sum of every journal posting to it (qianbao verify
-- recomputes it), held is what pending holds reserve.
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    balance    INTEGER NOT NULL DEFAULT 0,
    held       INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    UNIQUE (owner, kind, currency)
);

-- Append-only: seq has no gaps, link = sha256(previous link, seq, text).
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,
    entry_id   BLOB    NOT NULL UNIQUE,
    text       TEXT    NOT NULL,
    link       BLOB    NOT NULL,
    created_ms INTEGER NOT NULL
);

-- Pending entries; text is the hold instruction, which carries the postings.
CREATE TABLE holds (
    id    BLOB PRIMARY KEY,
    text  TEXT NOT NULL,
    state TEXT NOT NULL
);

-- The end of the chain, updated by every batch in the batch's own transaction.
CREATE TABLE journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    link BLOB    NOT NULL
);
INSERT INTO journal_head (id, seq, link) VALUES (1, 0, zeroblob(32));
