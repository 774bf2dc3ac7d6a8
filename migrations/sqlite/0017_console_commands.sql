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
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    decided_ms  INTEGER
);
CREATE UNIQUE INDEX console_commands_one_pending ON console_commands (action, entity)
    WHERE status = 'pending';
CREATE INDEX console_commands_by_entity ON console_commands (entity, created_ms);
CREATE INDEX console_commands_by_status ON console_commands (status, created_ms);

DROP TRIGGER movements_checked_on_insert;
DROP TRIGGER movements_checked_on_update;

CREATE TRIGGER movements_checked_on_insert BEFORE INSERT ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;

CREATE TRIGGER movements_checked_on_update BEFORE UPDATE OF kind, direction, channel, status, amount, fee ON movements
WHEN NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment') OR NEW.direction NOT IN ('in', 'out') OR NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant') OR NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected') OR NEW.amount < 0 OR NEW.fee < 0
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_kind_named') WHERE NEW.kind NOT IN ('topup', 'withdrawal', 'transfer', 'payment', 'refund', 'settlement', 'adjustment');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_direction_named') WHERE NEW.direction NOT IN ('in', 'out');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_channel_named') WHERE NEW.channel NOT IN ('transfer', 'receive_code', 'static_qr', 'order', 'payment_code', 'payment_code_free', 'card', 'merchant');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_status_named') WHERE NEW.status NOT IN ('succeeded', 'pending', 'scheduled', 'failed', 'cancelled', 'held_for_review', 'rejected');
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_amount_not_negative') WHERE NEW.amount < 0;
    SELECT RAISE(ABORT, 'CHECK constraint failed: movements_fee_not_negative') WHERE NEW.fee < 0;
END;
