-- An SMS the gateway did not take is offered again later, waiting longer each time, instead of
-- every poll. Never edit this file once released: add a new one.
ALTER TABLE sms_outbox ADD COLUMN next_attempt_ms INTEGER NOT NULL DEFAULT 0;
