-- What left each wallet per day (China time) and channel, kept with every movement so the
-- per-day limits read one row instead of summing the day's records.
-- Never edit this file once released: add a new one.

CREATE TABLE daily_spending (
    owner_id TEXT    NOT NULL,
    day_ms   BIGINT  NOT NULL,
    channel  TEXT    NOT NULL,
    amount   BIGINT  NOT NULL,
    PRIMARY KEY (owner_id, day_ms, channel)
);

-- The days before this migration, from the records. A day starts at 16:00 UTC (midnight in China).
INSERT INTO daily_spending (owner_id, day_ms, channel, amount)
SELECT owner_id, ((created_ms + 28800000) / 86400000) * 86400000 - 28800000, channel, sum(amount)
FROM movements
WHERE direction = 'out' AND status IN ('succeeded', 'pending', 'scheduled')
GROUP BY owner_id, ((created_ms + 28800000) / 86400000) * 86400000 - 28800000, channel;
