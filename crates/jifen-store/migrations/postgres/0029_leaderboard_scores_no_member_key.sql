-- A score's member is always a member the same transaction has just locked, and erasure deletes a
-- member's scores itself, so the foreign key to `members` guarded nothing the store does not
-- already keep. It cost every new score a row lock on the member (a lock record in the
-- write-ahead log) and a look-up of its own: the first event of a month on a monthly board
-- inserts a score for each of its members.
ALTER TABLE leaderboard_scores DROP CONSTRAINT leaderboard_scores_member_id_fkey;
