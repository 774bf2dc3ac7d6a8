-- Closing wallets (注销). A closed holder's row stays, with every record that points at it
-- (movements, the journal, cards, identity); only the phone and the ID number's digest move
-- aside, to a stand-in of the form 'closed:<holder id>', so the phone may open a new wallet and
-- the person verify it once the operator's cooling-off period has passed. The phone a closed
-- wallet had is kept here, with when it closed: what the cooling-off and the closed holder's
-- login answer read. Never edit this file once released: add a new one.

CREATE TABLE closings (
    holder_id TEXT    PRIMARY KEY REFERENCES holders (id),
    phone     TEXT    NOT NULL,
    closed_ms BIGINT  NOT NULL
);
CREATE INDEX closings_by_phone ON closings (phone, closed_ms);

-- What a closing waits for: a holder's (or a merchant's) movements that have not ended. Only
-- those rows are in it, so a holder with years of records is checked as fast as a new one.
CREATE INDEX movements_unfinished ON movements (owner_id, created_ms)
    WHERE status IN ('pending', 'scheduled', 'held_for_review');

-- A merchant's open orders, which keep its owner's wallet from closing until they expire.
CREATE INDEX orders_open_by_merchant ON orders (merchant_id, expires_ms) WHERE status = 'open';

-- The timer of one movement (when a scheduled transfer arrives, to say so).
CREATE INDEX timers_by_subject ON timers (subject);
