-- Referrals: a friend attributed to the member whose code brought them, once per friend (the
-- unique friend is what makes a retried signup or a second code attribute nothing).
CREATE TABLE referrals (
    id              BIGSERIAL PRIMARY KEY,
    program_id      TEXT NOT NULL REFERENCES programs(id),
    referrer_id     BIGINT NOT NULL REFERENCES members(id),
    friend_id       BIGINT NOT NULL REFERENCES members(id),
    code            TEXT NOT NULL,
    -- What attributed the friend: `member` (PUT /v1/members) or `event:<id>`.
    source          TEXT NOT NULL,
    -- pending, qualified, rewarded, capped, clawed_back, rejected.
    status          TEXT NOT NULL,
    reason          TEXT,
    attributed_at   BIGINT NOT NULL,
    -- The program's local day of the attribution, for the per-day cap.
    local_day       TEXT NOT NULL,
    friend_points   BIGINT NOT NULL DEFAULT 0,
    -- The friend's qualifying order, and the points the referrer got for it.
    order_id        TEXT,
    qualified_at    BIGINT,
    referrer_points BIGINT NOT NULL DEFAULT 0,
    clawed_back_at  BIGINT,
    updated_at      BIGINT NOT NULL,
    UNIQUE (program_id, friend_id)
);
CREATE INDEX referrals_referrer ON referrals(program_id, referrer_id, local_day);
CREATE INDEX referrals_order ON referrals(program_id, order_id);

-- Every identity ever bound in a program, by digest (SHA-256 of kind:value), with the member
-- it was first seen on. Kept through unbinding and erasure: a person who was a member before
-- is not a new friend.
CREATE TABLE identities_seen (
    program_id TEXT NOT NULL,
    digest     TEXT NOT NULL,
    member_id  BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (program_id, digest)
);

-- Time-boxed personal earn multipliers (factor in thousandths), one per member and source.
CREATE TABLE member_boosts (
    program_id TEXT NOT NULL REFERENCES programs(id),
    member_id  BIGINT NOT NULL REFERENCES members(id),
    source     TEXT NOT NULL,
    factor     BIGINT NOT NULL,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    PRIMARY KEY (member_id, source)
);
