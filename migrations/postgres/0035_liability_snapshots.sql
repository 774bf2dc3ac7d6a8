-- Proof of liabilities (issue 23, docs/proofs.md): a daily snapshot of every holder's and
-- merchant's balances as a Merkle sum tree, its root and totals appended to the journal's Merkle
-- log as a leaf of its own. The log's leaves are then no longer only journal lines: log_lines
-- counts the journal lines logged (log_size counts every leaf), and log_snapshot_leaves holds the
-- other leaves, each placed after journal line after_line.
-- Never edit this file once released: add a new one.

ALTER TABLE journal_head ADD COLUMN log_lines BIGINT NOT NULL DEFAULT 0;
UPDATE journal_head SET log_lines = log_size;

CREATE TABLE log_snapshot_leaves (
    leaf_index  BIGINT NOT NULL PRIMARY KEY CHECK (leaf_index >= 0),
    after_line  BIGINT NOT NULL CHECK (after_line >= 0),
    snapshot_id TEXT    NOT NULL UNIQUE,
    leaf        BYTEA   NOT NULL
);

-- A snapshot is written in steps without holding up payments: its tiles and nodes while
-- 'building', then its leaf in the log and 'published' in one money transaction. Only published
-- snapshots are served or checked.
CREATE TABLE liability_snapshots (
    id          TEXT    NOT NULL PRIMARY KEY,
    taken_ms    BIGINT NOT NULL,
    journal_seq BIGINT NOT NULL CHECK (journal_seq >= 0),
    leaves      BIGINT NOT NULL CHECK (leaves >= 0),
    salt_key    BYTEA   NOT NULL CHECK (length(salt_key) = 32),
    root_hash   BYTEA   NOT NULL CHECK (length(root_hash) = 32),
    root_sums   BYTEA   NOT NULL,
    status      TEXT    NOT NULL CONSTRAINT liability_snapshots_status_named
                        CHECK (status IN ('building', 'published')),
    leaf_index  BIGINT
);
CREATE INDEX liability_snapshots_published ON liability_snapshots (status, taken_ms);

-- Leaves in tiles of 16, in ascending commitment order; a holder's tile is the last whose first
-- commitment is not above theirs.
CREATE TABLE liability_tiles (
    snapshot_id      TEXT    NOT NULL,
    tile             BIGINT NOT NULL CHECK (tile >= 0),
    first_commitment BYTEA   NOT NULL CHECK (length(first_commitment) = 32),
    leaves           BYTEA   NOT NULL,
    PRIMARY KEY (snapshot_id, tile)
);
CREATE INDEX liability_tiles_by_commitment ON liability_tiles (snapshot_id, first_commitment);

-- The tree above the tiles: level 0 is each tile's root.
CREATE TABLE liability_nodes (
    snapshot_id TEXT    NOT NULL,
    level       BIGINT NOT NULL CHECK (level >= 0 AND level < 64),
    idx         BIGINT NOT NULL CHECK (idx >= 0),
    hash        BYTEA   NOT NULL CHECK (length(hash) = 32),
    sums        BYTEA   NOT NULL,
    PRIMARY KEY (snapshot_id, level, idx)
);

