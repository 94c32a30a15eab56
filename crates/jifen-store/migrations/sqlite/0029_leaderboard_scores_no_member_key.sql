-- A score's member is always a member the same transaction has just locked, and erasure deletes a
-- member's scores itself, so the foreign key to `members` guarded nothing the store does not
-- already keep, and cost every new score a look-up of the member. SQLite drops a foreign key by
-- building the table again.
CREATE TABLE leaderboard_scores_unkeyed (
    board_period    INTEGER NOT NULL,
    member_id       INTEGER NOT NULL,
    score           BIGINT NOT NULL,
    reached_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    PRIMARY KEY (board_period, member_id)
) WITHOUT ROWID;
INSERT INTO leaderboard_scores_unkeyed (board_period, member_id, score, reached_at, version)
    SELECT board_period, member_id, score, reached_at, version FROM leaderboard_scores;
DROP TABLE leaderboard_scores;
ALTER TABLE leaderboard_scores_unkeyed RENAME TO leaderboard_scores;
