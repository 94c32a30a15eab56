-- The member portal. A brand's backend mints a one-time link for one member; opening it
-- exchanges the link's token for a session cookie. Only the SHA-256 of a token or a session's
-- secret is kept, so a leaked database cannot be replayed as a link or a cookie.
CREATE TABLE portal_links (
    hash        TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    -- The language the portal opens in (`zh-CN` or `en`).
    lang        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    -- Set once, by the request that entered with the link: a link opens one session.
    used_at     BIGINT
);
CREATE INDEX portal_links_member ON portal_links(member_id);

-- A member's signed-in portal. `expires_at` is the idle expiry, moved forward with use and
-- never past the absolute limit the server counts from `created_at`.
CREATE TABLE portal_sessions (
    hash          TEXT PRIMARY KEY,
    program_id    TEXT NOT NULL REFERENCES programs(id),
    member_id     BIGINT NOT NULL REFERENCES members(id),
    -- The token every state-changing request of the session carries.
    csrf          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX portal_sessions_member ON portal_sessions(member_id);

-- The portal's look per program (brand name, colour, logo) and whether guests may enrol, as
-- JSON: read and set through `PATCH /v1/program`.
CREATE TABLE portal_settings (
    program_id  TEXT PRIMARY KEY REFERENCES programs(id),
    settings    TEXT NOT NULL
);
