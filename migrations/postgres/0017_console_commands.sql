-- Four eyes (issue 17): a sensitive console action is stored as a pending command with its exact
-- payload and reason, and runs only when a different staff member approves it. One pending
-- command per action and entity (the partial unique index). And the movement kind of the
-- corrections those commands make: `adjustment`.
-- Never edit this file once released: add a new one.

CREATE TABLE console_commands (
    id          TEXT    PRIMARY KEY,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    maker       TEXT    NOT NULL REFERENCES staff (id),
    status      TEXT    NOT NULL CONSTRAINT console_commands_status_named
                        CHECK (status IN ('pending', 'done', 'failed', 'rejected', 'expired')),
    checker     TEXT    REFERENCES staff (id),
    outcome     TEXT    NOT NULL DEFAULT '',
    created_ms  BIGINT  NOT NULL,
    expires_ms  BIGINT  NOT NULL,
    decided_ms  BIGINT
);
CREATE UNIQUE INDEX console_commands_one_pending ON console_commands (action, entity)
    WHERE status = 'pending';
CREATE INDEX console_commands_by_entity ON console_commands (entity, created_ms);
CREATE INDEX console_commands_by_status ON console_commands (status, created_ms);

ALTER TABLE movements DROP CONSTRAINT movements_kind_named;
ALTER TABLE movements ADD CONSTRAINT movements_kind_named CHECK (kind IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment')) NOT VALID;

