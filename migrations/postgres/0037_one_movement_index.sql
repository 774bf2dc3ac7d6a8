-- A holder's records are found through one index instead of two. `movements_by_owner`
-- (owner, id) served the records list and `movements_by_owner_time` (owner, time) the time
-- filters and the budget watch; every movement was written into both, and with each holder's
-- rows on their own leaf pages that was two dirty pages per movement in every money commit
-- (docs/performance.md, 2026-12-08). The records list is now ordered by time, then id, which
-- one index on (owner, time, id) serves for every one of those reads.
-- Never edit this file once released: add a new one.

DROP INDEX movements_by_owner;
DROP INDEX movements_by_owner_time;
CREATE INDEX movements_by_owner_time ON movements (owner_id, created_ms, id);
