-- Transit ride codes (issue 21, docs/transit.md): holders' ride tokens per operator, operators'
-- own fare tables (an operator without one uses the sandbox table in code), the taps gates
-- upload (each kept once per token, counter and direction, so a batch sent twice charges once),
-- and rides with their fare: paid, owed until the next top-up, or free under the day's cap.
-- Never edit this file once released: add a new one.

CREATE TABLE transit_ride_tokens (
    -- 32 lowercase hex characters: what the ride code carries instead of the wallet id.
    token         TEXT    PRIMARY KEY,
    holder_id     TEXT    NOT NULL REFERENCES holders (id),
    -- The transit operator's merchant id.
    merchant_id   TEXT    NOT NULL REFERENCES merchants (id),
    status        TEXT    NOT NULL CONSTRAINT transit_ride_tokens_status_named CHECK (status IN ('active', 'revoked')),
    -- The counter of the last code issued: each code has a higher one.
    last_counter  BIGINT  NOT NULL CHECK (last_counter >= 0),
    created_ms    BIGINT  NOT NULL,
    revoked_ms    BIGINT
);
-- One active token per holder and operator; revoked ones stay for the gates' lists.
CREATE UNIQUE INDEX transit_ride_tokens_active ON transit_ride_tokens (holder_id, merchant_id)
    WHERE status = 'active';
CREATE INDEX transit_ride_tokens_by_merchant ON transit_ride_tokens (merchant_id, status);

CREATE TABLE transit_fare_tables (
    merchant_id    TEXT    PRIMARY KEY REFERENCES merchants (id),
    kind           TEXT    NOT NULL CONSTRAINT transit_fare_tables_kind_named CHECK (kind IN ('bus', 'metro')),
    -- One `code<TAB>name<TAB>line<TAB>index` line per station.
    stations       TEXT    NOT NULL,
    flat_fare      BIGINT  NOT NULL CHECK (flat_fare >= 0),
    base_fare      BIGINT  NOT NULL CHECK (base_fare >= 0),
    base_stations  BIGINT  NOT NULL CHECK (base_stations >= 0),
    step_stations  BIGINT  NOT NULL CHECK (step_stations > 0),
    step_fare      BIGINT  NOT NULL CHECK (step_fare >= 0),
    max_fare       BIGINT  NOT NULL CHECK (max_fare >= 0),
    daily_cap      BIGINT  NOT NULL CHECK (daily_cap >= 0),
    set_ms         BIGINT  NOT NULL
);

CREATE TABLE transit_taps (
    id            TEXT    PRIMARY KEY,
    merchant_id   TEXT    NOT NULL REFERENCES merchants (id),
    token         TEXT    NOT NULL REFERENCES transit_ride_tokens (token),
    counter       BIGINT  NOT NULL,
    direction     TEXT    NOT NULL CONSTRAINT transit_taps_direction_named CHECK (direction IN ('in', 'out')),
    station       TEXT    NOT NULL,
    at_ms         BIGINT  NOT NULL,
    -- Set once the tap is in a ride.
    ride_id       TEXT,
    UNIQUE (token, counter, direction)
);
CREATE INDEX transit_taps_open ON transit_taps (token) WHERE ride_id IS NULL;

CREATE TABLE transit_rides (
    -- The fare's movement and the shop's payment have the same id.
    id             TEXT    PRIMARY KEY,
    merchant_id    TEXT    NOT NULL REFERENCES merchants (id),
    holder_id      TEXT    NOT NULL REFERENCES holders (id),
    entry_station  TEXT,
    entry_ms       BIGINT,
    exit_station   TEXT,
    exit_ms        BIGINT,
    -- The start of the China day the ride counts toward for the cap.
    day_ms         BIGINT  NOT NULL,
    fare           BIGINT  NOT NULL CHECK (fare >= 0),
    charged        BIGINT  NOT NULL CHECK (charged >= 0 AND charged <= fare),
    status         TEXT    NOT NULL CONSTRAINT transit_rides_status_named CHECK (status IN ('paid', 'owed', 'free')),
    created_ms     BIGINT  NOT NULL,
    paid_ms        BIGINT
);
CREATE INDEX transit_rides_by_holder ON transit_rides (holder_id, created_ms);
CREATE INDEX transit_rides_by_day ON transit_rides (holder_id, merchant_id, day_ms);
CREATE INDEX transit_rides_owed ON transit_rides (holder_id) WHERE status = 'owed';
