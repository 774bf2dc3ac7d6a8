-- The journal log's signed checkpoints (issue 23): the tree head at a size, as a C2SP signed note
-- by the operator's key, to which witnesses' cosignatures are appended as further signature
-- lines (so the stored note is always what a client verifies; nothing to join). A checkpoint is
-- a fact about the log: one per size, never replaced; only its note grows by cosignatures.
-- Never edit this file once released: add a new one.

CREATE TABLE checkpoints (
    size       BIGINT NOT NULL PRIMARY KEY CHECK (size >= 0),
    root       BYTEA NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
