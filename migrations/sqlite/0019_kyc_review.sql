-- The KYC review queue (issue 17): a real-name check the identity verifier could not decide
-- waits here for a member of staff, who looks at the ID photo (kept sealed in identity_photos)
-- and approves or rejects it with a reason code. Name and ID number are sealed exactly as in
-- identities, with the same associated data, so approving copies them there unchanged; the
-- masked ID number is what the queue shows, never the number itself.
-- Never edit this file once released: add a new one.

CREATE TABLE kyc_reviews (
    id           TEXT    PRIMARY KEY,
    holder_id    TEXT    NOT NULL REFERENCES holders (id),
    name_sealed  BLOB    NOT NULL,
    masked_name  TEXT    NOT NULL,
    id_sealed    BLOB    NOT NULL,
    id_blind     TEXT    NOT NULL,
    id_masked    TEXT    NOT NULL,
    birth_date   TEXT    NOT NULL,
    status       TEXT    NOT NULL CONSTRAINT kyc_reviews_status_named
                         CHECK (status IN ('pending', 'approved', 'rejected')),
    submitted_ms INTEGER NOT NULL,
    decided_ms   INTEGER,
    decided_by   TEXT,
    -- NULL while pending.
    reason_code  TEXT    CONSTRAINT kyc_reviews_reason_code_named
                         CHECK (reason_code IN ('document_clear', 'face_matches', 'document_unreadable', 'face_mismatch', 'document_expired', 'suspected_fraud')),
    note         TEXT    NOT NULL DEFAULT ''
);

-- One undecided case per holder: a second real-name try waits for the first to be decided.
CREATE UNIQUE INDEX kyc_reviews_one_pending ON kyc_reviews (holder_id) WHERE status = 'pending';
-- The queue, oldest first.
CREATE INDEX kyc_reviews_queue ON kyc_reviews (submitted_ms) WHERE status = 'pending';
