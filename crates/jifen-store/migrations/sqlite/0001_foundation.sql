-- Instants are microseconds since the Unix epoch (UTC); money is in fen; points are integers.
CREATE TABLE programs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    policy      TEXT NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id),
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX api_keys_program ON api_keys(program_id);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id),
    external_id  TEXT NOT NULL,
    name         TEXT,
    phone        TEXT,
    birthday     TEXT,
    gender       TEXT,
    city         TEXT,
    attributes   TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'active',
    enrolled_at  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (program_id, external_id)
);
CREATE INDEX members_program_id ON members(program_id, id);

CREATE TABLE identities (
    program_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (program_id, kind, value)
);
CREATE INDEX identities_member ON identities(member_id);

CREATE TABLE lots (
    member_id     INTEGER NOT NULL REFERENCES members(id),
    lot_no        INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    available_at  INTEGER NOT NULL,
    expires_at    INTEGER,
    order_id      TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (member_id, lot_no)
);

CREATE TABLE entries (
    member_id     INTEGER NOT NULL REFERENCES members(id),
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    points        INTEGER NOT NULL,
    lot_no        INTEGER,
    hold_id       TEXT,
    order_id      TEXT,
    cause_kind    TEXT NOT NULL,
    cause_id      TEXT NOT NULL,
    reason        TEXT,
    effective_at  INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    PRIMARY KEY (member_id, seq)
);

CREATE TABLE holds (
    program_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    points      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX holds_member ON holds(member_id);

CREATE TABLE orders (
    program_id       TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    member_id        INTEGER REFERENCES members(id),
    guest_ref        TEXT,
    amount           INTEGER NOT NULL,
    refunded         INTEGER NOT NULL DEFAULT 0,
    points_per_yuan  INTEGER NOT NULL,
    occurred_at      INTEGER NOT NULL,
    PRIMARY KEY (program_id, order_id)
);

CREATE TABLE events (
    program_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    member_id    INTEGER REFERENCES members(id),
    type         TEXT NOT NULL,
    occurred_at  INTEGER NOT NULL,
    site         TEXT,
    attributes   TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX events_member ON events(member_id);

CREATE TABLE idempotency (
    program_id    TEXT NOT NULL,
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (program_id, scope, key)
);
