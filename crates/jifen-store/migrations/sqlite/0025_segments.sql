-- Segments: member features kept as their inputs change, named CEL conditions over them, and
-- each condition's members, materialised.

-- The features that cost a scan of a member's history (docs/segments.md#features): recomputed
-- in the transaction of each event batch that touches the member (when the program has
-- segments) and for every member by the daily refresh, which also ranks the RFM scores.
-- `window_from` is the start of the 365-day window the figures count, `computed_at` when they
-- were counted.
CREATE TABLE member_features (
    member_id         BIGINT PRIMARY KEY REFERENCES members(id),
    program_id        TEXT NOT NULL,
    last_activity_at  BIGINT,
    frequency_365d    BIGINT NOT NULL,
    monetary_365d     BIGINT NOT NULL,
    r_score           BIGINT,
    f_score           BIGINT,
    m_score           BIGINT,
    window_from       BIGINT NOT NULL,
    computed_at       BIGINT NOT NULL
);
CREATE INDEX member_features_program ON member_features(program_id, member_id);

-- The last activity of a member per site (touchpoint).
CREATE TABLE member_sites (
    member_id   BIGINT NOT NULL REFERENCES members(id),
    program_id  TEXT NOT NULL,
    site        TEXT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (member_id, site)
);

-- A program's segments. `version` grows with every change of the condition; the full refresh
-- records the version it evaluated in `refreshed_version`.
CREATE TABLE segments (
    program_id         TEXT NOT NULL REFERENCES programs(id),
    slug               TEXT NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    condition          TEXT NOT NULL,
    version            BIGINT NOT NULL,
    refreshed_version  BIGINT NOT NULL DEFAULT 0,
    refreshed_at       BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (program_id, slug)
);

-- Who is in each segment, since when.
CREATE TABLE segment_members (
    program_id  TEXT NOT NULL,
    segment     TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    since       BIGINT NOT NULL,
    PRIMARY KEY (program_id, segment, member_id),
    FOREIGN KEY (program_id, segment) REFERENCES segments(program_id, slug)
);
CREATE INDEX segment_members_member ON segment_members(member_id);

-- The program-time day of each program's last full refresh.
CREATE TABLE segment_refreshes (
    program_id  TEXT PRIMARY KEY REFERENCES programs(id),
    day         TEXT NOT NULL,
    at          BIGINT NOT NULL
);
