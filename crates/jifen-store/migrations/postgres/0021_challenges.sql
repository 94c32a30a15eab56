-- Challenges: goals over a window, with steps and a completion reward.
CREATE TABLE challenges (
    program_id TEXT NOT NULL REFERENCES programs(id),
    id         TEXT NOT NULL,
    -- The definition's JSON.
    spec       TEXT NOT NULL,
    -- active or archived.
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

-- What each event added to a member's progress, keyed by the event (an event counts once) and
-- by what it counted (a day, a kind, a category, or the event itself); a refund adds the
-- opposite of what its order added. A key counts while its amounts add up above zero.
CREATE TABLE challenge_contributions (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    challenge_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    event_id     TEXT NOT NULL,
    order_id     TEXT,
    item         TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, challenge_id, period, member_id, event_id, item)
);
CREATE INDEX challenge_contributions_member ON challenge_contributions(program_id, member_id);

-- Steps (1, 2, …) and the completion (0) reached, once per (challenge, period, member, step).
CREATE TABLE challenge_awards (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    challenge_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    step         BIGINT NOT NULL,
    event_id     TEXT NOT NULL,
    points       BIGINT NOT NULL,
    -- awarded, or revoked (a refund took the progress back below it).
    status       TEXT NOT NULL,
    awarded_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    PRIMARY KEY (program_id, challenge_id, period, member_id, step)
);
CREATE INDEX challenge_awards_member ON challenge_awards(program_id, member_id);

-- Members who joined an opt-in challenge (once; events from the join on count).
CREATE TABLE challenge_joins (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    challenge_id TEXT NOT NULL,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    event_id     TEXT NOT NULL,
    joined_at    BIGINT NOT NULL,
    PRIMARY KEY (program_id, challenge_id, member_id)
);
