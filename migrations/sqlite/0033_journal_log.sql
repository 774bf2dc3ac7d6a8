-- The journal's Merkle log (issue 23, docs/proofs.md): each journal line is a leaf of an RFC 6962
-- tree. Every complete (perfect) subtree's hash is kept here once, so a proof reads O(log n)
-- rows; the tree's right edge, its size and the key account salts are made under sit beside the
-- chain's head, updated in the same transaction as the lines. Lines written before this
-- migration are logged by the first write after it (the head's log_size says how far it got).
-- Never edit this file once released: add a new one.

CREATE TABLE log_nodes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

ALTER TABLE journal_head ADD COLUMN log_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE journal_head ADD COLUMN log_frontier BLOB NOT NULL DEFAULT x'';
ALTER TABLE journal_head ADD COLUMN log_key BLOB NOT NULL DEFAULT x'';
UPDATE journal_head SET log_key = randomblob(32);
