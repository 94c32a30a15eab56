-- Instants are microseconds since the Unix epoch (UTC); money is in fen; points are integers.
CREATE TABLE programs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    policy      TEXT NOT NULL,
    demo        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id),
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_program ON api_keys(program_id);

CREATE TABLE members (
    id           BIGSERIAL PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id),
    external_id  TEXT NOT NULL,
    name         TEXT,
    phone        TEXT,
    birthday     TEXT,
    gender       TEXT,
    city         TEXT,
    attributes   TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'active',
    enrolled_at  BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (program_id, external_id)
);
CREATE INDEX members_program_id ON members(program_id, id);

CREATE TABLE identities (
    program_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, kind, value)
);
CREATE INDEX identities_member ON identities(member_id);

CREATE TABLE lots (
    member_id     BIGINT NOT NULL REFERENCES members(id),
    lot_no        BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    available_at  BIGINT NOT NULL,
    expires_at    BIGINT,
    order_id      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (member_id, lot_no)
);

CREATE TABLE entries (
    member_id     BIGINT NOT NULL REFERENCES members(id),
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    points        BIGINT NOT NULL,
    lot_no        BIGINT,
    hold_id       TEXT,
    order_id      TEXT,
    cause_kind    TEXT NOT NULL,
    cause_id      TEXT NOT NULL,
    reason        TEXT,
    effective_at  BIGINT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    PRIMARY KEY (member_id, seq)
);

CREATE TABLE holds (
    program_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    points      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    deadline    BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX holds_member ON holds(member_id);

CREATE TABLE orders (
    program_id       TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    member_id        BIGINT REFERENCES members(id),
    guest_ref        TEXT,
    amount           BIGINT NOT NULL,
    refunded         BIGINT NOT NULL DEFAULT 0,
    points_per_yuan  BIGINT NOT NULL,
    occurred_at      BIGINT NOT NULL,
    PRIMARY KEY (program_id, order_id)
);

CREATE TABLE events (
    program_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    member_id    BIGINT REFERENCES members(id),
    type         TEXT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    site         TEXT,
    attributes   TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX events_member ON events(member_id);

CREATE TABLE idempotency (
    program_id    TEXT NOT NULL,
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT,
    response      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (program_id, scope, key)
);
