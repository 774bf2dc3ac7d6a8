-- Closing requests (issue 17): a holder whose only reason not to close is the wallet's balance
-- asks to close with the balance swept to one of their own active debit cards; the request waits
-- here for staff, who approve it as a four-eyes `close_account` command (the sweep, the closing
-- and the request marked done in one money transaction) or reject it with a reason.
-- Never edit this file once released: add a new one.

CREATE TABLE closing_requests (
    id           TEXT    PRIMARY KEY,
    holder_id    TEXT    NOT NULL REFERENCES holders (id),
    card_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL CONSTRAINT closing_requests_status_named
                         CHECK (status IN ('waiting', 'done', 'rejected')),
    requested_ms INTEGER NOT NULL,
    decided_ms   INTEGER,
    decided_by   TEXT,
    -- The command that swept and closed, or the staff member's reason for rejecting.
    outcome      TEXT    NOT NULL DEFAULT ''
);

-- One waiting request per holder: a second one is refused as `close_pending`.
CREATE UNIQUE INDEX closing_requests_one_waiting ON closing_requests (holder_id)
    WHERE status = 'waiting';
-- The queue, oldest first.
CREATE INDEX closing_requests_queue ON closing_requests (requested_ms) WHERE status = 'waiting';
