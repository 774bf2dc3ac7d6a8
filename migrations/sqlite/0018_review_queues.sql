-- Review queues (issue 17): a reviewer locks a case before deciding it, so two reviewers never
-- take the same one (the lock lapses after a while, so a case is not stranded by someone who
-- left); and the label a reviewer gives a held payment, which `risk replay` measures a rule
-- set's precision against.
-- Never edit this file once released: add a new one.

CREATE TABLE case_locks (
    queue    TEXT    NOT NULL,
    case_id  TEXT    NOT NULL,
    staff_id TEXT    NOT NULL REFERENCES staff (id),
    until_ms INTEGER NOT NULL,
    PRIMARY KEY (queue, case_id)
);

CREATE TABLE risk_labels (
    movement_id TEXT    PRIMARY KEY,
    label       TEXT    NOT NULL CONSTRAINT risk_labels_label_named
                        CHECK (label IN ('confirmed_fraud', 'false_positive', 'valuable_alert')),
    actor       TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL
);
