-- Leaderboard scores are written with every event of a program that ranks members, so they keep
-- only the indexes something reads at scale:
-- - the order of the standings is kept in memory (or Redis), and a contest's settlement sorts
--   the period's scores once: no index on the score;
-- - an erasure finds a member's rows by scanning (it is rare): no index on the member;
-- - the jobs loop re-reads the scores recorded in the last minutes to catch a shared ranking
--   up: an index on when each was recorded.
DROP INDEX leaderboard_scores_order;
DROP INDEX leaderboard_scores_member;
CREATE INDEX leaderboard_scores_reached ON leaderboard_scores (reached_at, member_id);
