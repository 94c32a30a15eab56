-- Leaderboard scores are written by every event of a program that ranks members, so each row and
-- each index entry is kept as small as it can be, and a score's update can stay on its page:
-- - a board period (program, board, period) is a number, and a score is keyed by that number and
--   the member: a quarter of the index and half of the row the three strings took, and so a
--   fraction of the pages (and of the full-page images in the write-ahead log) an update touches;
-- - no index covers a column an update changes, and a fifth of each page is left free, so an
--   update is a heap-only tuple: it writes no index at all;
-- - what the recent-changes read (for rankings shared in Redis) used the `reached_at` index for
--   is an append-only log, written only by nodes that share their rankings.
CREATE TABLE leaderboard_periods (
    id              BIGSERIAL PRIMARY KEY,
    program_id      TEXT NOT NULL,
    leaderboard_id  TEXT NOT NULL,
    period          TEXT NOT NULL,
    UNIQUE (program_id, leaderboard_id, period),
    FOREIGN KEY (program_id, leaderboard_id) REFERENCES leaderboards(program_id, id)
);
INSERT INTO leaderboard_periods (program_id, leaderboard_id, period)
    SELECT DISTINCT program_id, leaderboard_id, period FROM leaderboard_scores
    ORDER BY program_id, leaderboard_id, period;

-- No foreign key to `leaderboard_periods`: every insert would lock the period's row for key
-- share, and concurrent events of one board would queue on it. Only the store writes both.
CREATE TABLE leaderboard_scores_narrow (
    board_period    BIGINT NOT NULL,
    member_id       BIGINT NOT NULL REFERENCES members(id),
    score           BIGINT NOT NULL,
    reached_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    PRIMARY KEY (board_period, member_id)
) WITH (fillfactor = 80);
INSERT INTO leaderboard_scores_narrow (board_period, member_id, score, reached_at, version)
    SELECT p.id, s.member_id, s.score, s.reached_at, s.version
    FROM leaderboard_scores s JOIN leaderboard_periods p
      ON p.program_id = s.program_id AND p.leaderboard_id = s.leaderboard_id
     AND p.period = s.period;
DROP TABLE leaderboard_scores;
ALTER TABLE leaderboard_scores_narrow RENAME TO leaderboard_scores;
ALTER INDEX leaderboard_scores_narrow_pkey RENAME TO leaderboard_scores_pkey;
ALTER TABLE leaderboard_scores
    RENAME CONSTRAINT leaderboard_scores_narrow_member_id_fkey TO leaderboard_scores_member_id_fkey;

-- Scores changed, by when: what the jobs loop re-applies to rankings shared in Redis (a node
-- that stopped between a commit and its report to Redis left them out). Rows older than the
-- loop looks back are deleted by it.
CREATE TABLE leaderboard_changes (
    recorded_at     BIGINT NOT NULL,
    board_period    BIGINT NOT NULL,
    member_id       BIGINT NOT NULL
);
CREATE INDEX leaderboard_changes_recorded
    ON leaderboard_changes (recorded_at, board_period, member_id);
