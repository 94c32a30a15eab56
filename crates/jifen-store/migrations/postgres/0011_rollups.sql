-- Daily rollups for the console's dashboard, so that a page view reads a few hundred rows
-- instead of the ledger. A job folds what the ledger gained since the last fold: a member is
-- due when its book has moved past what was folded (ledger_seq > rolled_seq). New members start
-- at -1, so their enrolment is folded even before their first entry.
ALTER TABLE members ADD COLUMN rolled_seq BIGINT NOT NULL DEFAULT -1;
-- The last day (program time, YYYY-MM-DD) the member did something, as folded.
ALTER TABLE members ADD COLUMN active_day TEXT;
-- The member's lifetime points per rule or campaign as last folded (JSON), to fold the change.
ALTER TABLE members ADD COLUMN rolled_usage TEXT;
CREATE INDEX members_unrolled ON members(program_id, id) WHERE ledger_seq > rolled_seq;

-- Sums per program, day (program time) and figure: points by entry kind, members enrolled,
-- members whose last active day it is, points per rule or campaign.
CREATE TABLE rollup_days (
    program_id  TEXT NOT NULL,
    day         TEXT NOT NULL,
    metric      TEXT NOT NULL,
    value       BIGINT NOT NULL,
    PRIMARY KEY (program_id, day, metric)
);

-- Points left in lots, by the month (program time, YYYY-MM) they expire; '' never expires.
CREATE TABLE rollup_lots (
    program_id  TEXT NOT NULL,
    month       TEXT NOT NULL,
    points      BIGINT NOT NULL,
    PRIMARY KEY (program_id, month)
);

-- One row per program: when it was last folded, the points members owe, the tier counts.
CREATE TABLE rollup_state (
    program_id  TEXT PRIMARY KEY,
    folded_at   BIGINT NOT NULL,
    debt        BIGINT NOT NULL,
    tiers       TEXT,
    tiers_at    BIGINT
);
