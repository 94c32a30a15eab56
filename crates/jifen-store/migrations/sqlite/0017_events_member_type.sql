-- A member's events of one type in a span of time (the portal's check-in calendar, today's
-- check-in, whether a profile was completed). Without it SQLite reads every event of the
-- program in the span through events_occurred: seconds a page at a million members.
CREATE INDEX events_member_type ON events(member_id, type, occurred_at);
