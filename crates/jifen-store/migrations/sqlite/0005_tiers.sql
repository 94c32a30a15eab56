-- Meters with windows and distinct counts, tiers and their history, benefits granted, sites and
-- partners.

-- What a meter addition is about (a storefront, a category), for distinct-count meters.
ALTER TABLE meter_entries ADD COLUMN key TEXT;

-- A program's settings documents, as the JSON their API takes: `meters`, `sites`,
-- `tier_policy`. Saving one bumps programs.rules_rev, as rules do.
CREATE TABLE program_settings (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, name)
);

-- A member's standing in the tier policy. No row: the first tier, since enrolling.
-- due_at is the earliest of review_at, grace_until and override_until: when the tier job must
-- look at the member again.
CREATE TABLE member_tiers (
    member_id        BIGINT PRIMARY KEY REFERENCES members(id),
    program_id       TEXT NOT NULL,
    tier             TEXT NOT NULL,
    since            BIGINT NOT NULL,
    review_at        BIGINT,
    grace_until      BIGINT,
    override_tier    TEXT,
    override_reason  TEXT,
    override_until   BIGINT,
    due_at           BIGINT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX member_tiers_due ON member_tiers(program_id, due_at) WHERE due_at IS NOT NULL;

-- Every change of a member's tier: upgrades, downgrades, reviews, overrides. Append-only.
CREATE TABLE tier_changes (
    id          INTEGER PRIMARY KEY,
    program_id  TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    kind        TEXT NOT NULL,
    from_tier   TEXT NOT NULL,
    to_tier     TEXT NOT NULL,
    value       BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    cause       TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX tier_changes_member ON tier_changes(member_id, id);

-- Benefits given: each (member, benefit, period) once. An upgrade gift's period names the
-- upgrade; a monthly gift's, the month; a birthday gift's, the year.
CREATE TABLE benefit_grants (
    id          INTEGER PRIMARY KEY,
    program_id  TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    tier        TEXT NOT NULL,
    benefit     TEXT NOT NULL,
    period      TEXT NOT NULL,
    points      BIGINT,
    voucher     TEXT,
    granted_at  BIGINT NOT NULL,
    UNIQUE (member_id, benefit, period)
);

-- Tier re-evaluations of a whole program: where they are, so a restarted one resumes.
CREATE TABLE tier_jobs (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    id           TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    cursor       BIGINT NOT NULL,
    members      BIGINT NOT NULL,
    changes      BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

-- Partners: separate businesses (a hotel group) with keys limited to their site and to the
-- members who linked an identity of the partner's kind.
CREATE TABLE partners (
    program_id     TEXT NOT NULL REFERENCES programs(id),
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    site           TEXT NOT NULL,
    identity_kind  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
ALTER TABLE api_keys ADD COLUMN partner_id TEXT;

-- Notifications for someone other than the member (`partner:<id>`), with a JSON payload.
ALTER TABLE notifications ADD COLUMN recipient TEXT;
ALTER TABLE notifications ADD COLUMN payload TEXT;

-- Spend in a window, per member.
CREATE INDEX orders_member ON orders(member_id, occurred_at);
