-- Event types a program declares beside the built-in ones, each with a JSON schema its events'
-- attributes must satisfy.
CREATE TABLE event_types (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    schema       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, name)
);

-- Backtests read a program's events by when they occurred.
CREATE INDEX events_occurred ON events(program_id, occurred_at, id);

-- Backtests of draft rules over past events: their progress and report.
CREATE TABLE backtests (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    id           TEXT NOT NULL,
    status       TEXT NOT NULL,
    events_total BIGINT NOT NULL,
    events_done  BIGINT NOT NULL,
    report       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
