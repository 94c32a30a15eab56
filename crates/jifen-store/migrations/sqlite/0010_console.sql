-- Console operators: one account per email (lower-cased), with a role in each program it may run.
CREATE TABLE operators (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT
);

CREATE TABLE operator_roles (
    operator_id  TEXT NOT NULL REFERENCES operators(id),
    program_id   TEXT NOT NULL REFERENCES programs(id),
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, operator_id)
);
CREATE INDEX operator_roles_operator ON operator_roles(operator_id);

-- Server-side console sessions. The cookie holds a secret; only its SHA-256 is kept. `id` is the
-- public handle a user's page lists and revokes.
CREATE TABLE console_sessions (
    secret_hash   TEXT PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    operator_id   TEXT NOT NULL REFERENCES operators(id),
    program_id    TEXT NOT NULL REFERENCES programs(id),
    csrf          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    address       TEXT,
    user_agent    TEXT
);
CREATE INDEX console_sessions_operator ON console_sessions(operator_id, created_at);

-- Sign-in attempts, for the per-account and per-address lockout.
CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    email     TEXT NOT NULL,
    address   TEXT NOT NULL,
    at        BIGINT NOT NULL,
    ok        INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);
CREATE INDEX login_attempts_address ON login_attempts(address, at);

-- What the owner sets for the console: the most points one support adjustment may move.
CREATE TABLE console_settings (
    program_id               TEXT PRIMARY KEY REFERENCES programs(id),
    support_adjustment_limit BIGINT NOT NULL
);
