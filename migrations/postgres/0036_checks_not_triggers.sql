-- Nothing to do on PostgreSQL: its checks were CHECK constraints from the start (0011 onwards).
-- On SQLite this migration turns the money tables' check triggers into CHECK constraints.
SELECT 1;
