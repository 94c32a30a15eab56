-- Leaderboard scores are written by every event of a program that ranks members, so each row is
-- kept as small as it can be: a board period (program, board, period) is a number, and a score
-- is keyed by that number and the member, in a table clustered on that key (WITHOUT ROWID: one
-- b-tree, not a table and an index). What the recent-changes read (for rankings shared in Redis)
-- used the `reached_at` index for is an append-only log, written only by nodes that share their
-- rankings.
CREATE TABLE leaderboard_periods (
    id              INTEGER PRIMARY KEY,
    program_id      TEXT NOT NULL,
    leaderboard_id  TEXT NOT NULL,
    period          TEXT NOT NULL,
    UNIQUE (program_id, leaderboard_id, period),
    FOREIGN KEY (program_id, leaderboard_id) REFERENCES leaderboards(program_id, id)
);
INSERT INTO leaderboard_periods (program_id, leaderboard_id, period)
    SELECT DISTINCT program_id, leaderboard_id, period FROM leaderboard_scores
    ORDER BY program_id, leaderboard_id, period;

CREATE TABLE leaderboard_scores_narrow (
    board_period    INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    score           BIGINT NOT NULL,
    reached_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    PRIMARY KEY (board_period, member_id)
) WITHOUT ROWID;
INSERT INTO leaderboard_scores_narrow (board_period, member_id, score, reached_at, version)
    SELECT p.id, s.member_id, s.score, s.reached_at, s.version
    FROM leaderboard_scores s JOIN leaderboard_periods p
      ON p.program_id = s.program_id AND p.leaderboard_id = s.leaderboard_id
     AND p.period = s.period;
DROP TABLE leaderboard_scores;
ALTER TABLE leaderboard_scores_narrow RENAME TO leaderboard_scores;

-- Scores changed, by when: what the jobs loop re-applies to rankings shared in Redis. Rows older
-- than the loop looks back are deleted by it.
CREATE TABLE leaderboard_changes (
    recorded_at     BIGINT NOT NULL,
    board_period    INTEGER NOT NULL,
    member_id       INTEGER NOT NULL
);
CREATE INDEX leaderboard_changes_recorded
    ON leaderboard_changes (recorded_at, board_period, member_id);
