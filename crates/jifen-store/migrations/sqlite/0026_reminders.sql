-- Reminders the scheduler decided on, one row per member, kind, cause and channel: the primary
-- key is the deduplication (points expiring on one local date are one cause however many lots
-- they come from), so a second pass, or a second node, finds the row there and writes nothing.
-- A row waits as `pending` until `not_before` (the end of quiet hours, or the day or week a
-- cap allows), then becomes `sent` in the transaction that writes its notification to the
-- outbox, or `skipped` (`outcome`: `opted_out`, `stale` when its cause passed first).
CREATE TABLE reminders (
    program_id  TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    kind        TEXT NOT NULL,
    cause       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    template    TEXT NOT NULL,
    data        TEXT NOT NULL,
    status      TEXT NOT NULL,
    not_before  BIGINT NOT NULL,
    stale_at    BIGINT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    outcome     TEXT,
    PRIMARY KEY (program_id, member_id, kind, cause, channel)
);
CREATE INDEX reminders_pending ON reminders(program_id, not_before) WHERE status = 'pending';
CREATE INDEX reminders_sent ON reminders(member_id, channel, sent_at) WHERE status = 'sent';

-- A member's choice per reminder kind and channel; no row is "on". Every change is also
-- appended to `consents` (purpose `reminders.<kind>`) with its time and source.
CREATE TABLE notification_preferences (
    program_id  TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    source      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (member_id, kind, channel)
);
