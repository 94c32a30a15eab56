-- Leaderboards: members ranked on a metric over a period. The scores are kept here, written in
-- the transaction of the event that moved them, so the database stays the source of truth that
-- every node's in-memory ranking (or the shared Redis one) is rebuilt from.
CREATE TABLE leaderboards (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    -- The definition as JSON (name, metric, period, contest).
    spec        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

-- One member's score on one board in one period (`all`, `2027-W05`, `2027-02`, `window`).
-- `reached_at` is when the score was recorded (ties go to who reached it first); `version`
-- counts the changes, so that a ranking applying them out of order keeps the newest.
CREATE TABLE leaderboard_scores (
    program_id      TEXT NOT NULL,
    leaderboard_id  TEXT NOT NULL,
    period          TEXT NOT NULL,
    member_id       BIGINT NOT NULL REFERENCES members(id),
    score           BIGINT NOT NULL,
    reached_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    PRIMARY KEY (program_id, leaderboard_id, period, member_id),
    FOREIGN KEY (program_id, leaderboard_id) REFERENCES leaderboards(program_id, id)
);
CREATE INDEX leaderboard_scores_order
    ON leaderboard_scores (program_id, leaderboard_id, period, score DESC, reached_at, member_id);
CREATE INDEX leaderboard_scores_member ON leaderboard_scores (member_id);

-- A settled contest: one row per board and period, inserted by the transaction that settles it,
-- so of two jobs (or two nodes) settling one period, one does and the other finds it settled.
CREATE TABLE contests (
    program_id      TEXT NOT NULL,
    leaderboard_id  TEXT NOT NULL,
    period          TEXT NOT NULL,
    settled_at      BIGINT NOT NULL,
    ranked          BIGINT NOT NULL,
    winners         BIGINT NOT NULL,
    PRIMARY KEY (program_id, leaderboard_id, period),
    FOREIGN KEY (program_id, leaderboard_id) REFERENCES leaderboards(program_id, id)
);

-- The final standings of a settled contest, frozen: every ranked member with their rank.
CREATE TABLE contest_standings (
    program_id      TEXT NOT NULL,
    leaderboard_id  TEXT NOT NULL,
    period          TEXT NOT NULL,
    rank            BIGINT NOT NULL,
    member_id       BIGINT NOT NULL REFERENCES members(id),
    score           BIGINT NOT NULL,
    reached_at      BIGINT NOT NULL,
    PRIMARY KEY (program_id, leaderboard_id, period, rank),
    FOREIGN KEY (program_id, leaderboard_id, period)
        REFERENCES contests(program_id, leaderboard_id, period)
);
CREATE INDEX contest_standings_member
    ON contest_standings (program_id, leaderboard_id, period, member_id);
