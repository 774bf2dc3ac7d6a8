-- Monthly budgets (消费预算, issue 22): each holder's overall budget for the China month, one
-- budget per category, the SMS opt-in, and the alerts sent at 80 % and 100 %. A budget moves no
-- money; the alert pass reads the holder's records and writes here and to the inbox.
-- Never edit this file once released: add a new one.

-- One row per holder who budgets anything; removing every budget removes the row.
CREATE TABLE budgets (
    holder_id   TEXT    PRIMARY KEY REFERENCES holders (id),
    -- The overall budget in fen; NULL when only categories are budgeted.
    month_total INTEGER CHECK (month_total IS NULL OR month_total > 0),
    -- 1 when the alerts also go by SMS.
    sms         INTEGER NOT NULL CHECK (sms IN (0, 1)),
    -- Records made before this instant have been checked for alerts (the pass's mark).
    checked_ms  INTEGER NOT NULL,
    -- Counts the plan's changes: the pass moves its mark only over the plan it judged.
    version     INTEGER NOT NULL CHECK (version > 0),
    updated_ms  INTEGER NOT NULL
);

-- The per-category budgets, replaced whole when the holder saves.
CREATE TABLE budget_categories (
    holder_id TEXT    NOT NULL REFERENCES budgets (holder_id) ON DELETE CASCADE,
    category  TEXT    NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (holder_id, category)
);

-- Each alert sent: the key makes an alert once per line ('total' or a category), threshold and
-- month, however many passes or nodes race over the same spending. Kept when budgets change.
CREATE TABLE budget_alerts (
    holder_id TEXT    NOT NULL REFERENCES holders (id),
    month     TEXT    NOT NULL,
    line      TEXT    NOT NULL,
    threshold INTEGER NOT NULL CHECK (threshold IN (80, 100)),
    sent_ms   INTEGER NOT NULL,
    PRIMARY KEY (holder_id, month, line, threshold)
);
