-- The console's holder 360 lists a holder's recent risk decisions. Those that moved money are
-- found through risk_decisions_by_subject (counted = 1); this partial index finds the refused
-- ones. Only refusals write to it, so the payments that go through pay nothing for it.
CREATE INDEX risk_decisions_refused_by_subject ON risk_decisions (subject, created_ms) WHERE counted = 0;
