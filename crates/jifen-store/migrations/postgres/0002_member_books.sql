-- A member's book materialized after each write (derived from the entries, never deciding):
-- the last entry it reflects, the snapshot itself, and the next instant at which time alone
-- implies an entry (a hold deadline, an expiry to record), for the maintenance job.
ALTER TABLE members ADD COLUMN ledger_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN book BYTEA;
ALTER TABLE members ADD COLUMN next_due_at BIGINT;
CREATE INDEX members_next_due ON members(next_due_at) WHERE next_due_at IS NOT NULL;
