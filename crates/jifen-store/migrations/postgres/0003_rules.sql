-- The earning rules engine: rule versions, campaigns, the usage counters limits and budgets
-- read, and what rules do besides points (meters, tags, notifications), plus the per-member
-- activity streaks conditions read.

-- Bumped by every change to a program's rules or campaigns, so every node knows when its
-- compiled rules are stale.
ALTER TABLE programs ADD COLUMN rules_rev BIGINT NOT NULL DEFAULT 0;

-- What a purchase earned under the rules (NULL for orders recorded before rules existed: they
-- earned points_per_yuan per yuan). Refunds claw back in proportion.
ALTER TABLE orders ADD COLUMN points BIGINT;

-- Every version of every rule. A version is live from its live_from until the next version's.
CREATE TABLE rules (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    version     BIGINT NOT NULL,
    status      TEXT NOT NULL,
    spec        TEXT NOT NULL,
    live_from   BIGINT NOT NULL,
    live_until  BIGINT,
    PRIMARY KEY (program_id, id, version)
);

CREATE TABLE campaigns (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    spec        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

-- How often a rule (or a campaign's rules) fired and the points awarded, per member (member_id
-- 0: all members) and period (d2026-06-18, w2026-25, m2026-06, y2026, c:<campaign>, l).
CREATE TABLE rule_usage (
    program_id  TEXT NOT NULL,
    scope       TEXT NOT NULL,
    member_id   BIGINT NOT NULL,
    period      TEXT NOT NULL,
    count       BIGINT NOT NULL,
    points      BIGINT NOT NULL,
    PRIMARY KEY (program_id, scope, member_id, period)
);

-- The last day (program time) a member sent an event of a kind, and how many days in a row.
CREATE TABLE member_streaks (
    member_id  BIGINT NOT NULL REFERENCES members(id),
    kind       TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    length     BIGINT NOT NULL,
    PRIMARY KEY (member_id, kind)
);

CREATE TABLE member_tags (
    member_id  BIGINT NOT NULL REFERENCES members(id),
    tag        TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (member_id, tag)
);

-- Additions to a member's meters (non-spendable counters); a meter's value is their sum.
CREATE TABLE meter_entries (
    id           BIGSERIAL PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    meter        TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    rule_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL
);
CREATE INDEX meter_entries_member ON meter_entries(member_id, meter, occurred_at);

-- The outbox: notifications written in the same transaction as their cause.
CREATE TABLE notifications (
    id            BIGSERIAL PRIMARY KEY,
    program_id    TEXT NOT NULL,
    member_id     BIGINT NOT NULL REFERENCES members(id),
    template      TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    delivered_at  BIGINT
);
CREATE INDEX notifications_undelivered ON notifications(program_id, id) WHERE delivered_at IS NULL;
