-- Webhooks: a program's endpoints, the outbox of messages written in the same transaction as
-- their cause, one delivery row per (message, endpoint) the message was fanned out to, and a
-- record of every attempt.
--
-- A message is written only when at least one enabled endpoint of its program subscribes to its
-- kind; its deliveries name those endpoints. A delivery is `pending` until an attempt gets a 2xx
-- (`delivered`) or its retries run out (`failed`, kept for replay). A worker claims due pending
-- deliveries by pushing `next_attempt_at` past a lease and stamping `claim`; a worker that dies
-- leaves them due again when the lease ends, so nothing is lost (at least once).
CREATE TABLE webhook_endpoints (
    program_id      TEXT NOT NULL REFERENCES programs(id),
    id              TEXT NOT NULL,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- The kinds it subscribes to, as `,kind,kind,`; empty for every kind.
    kinds           TEXT NOT NULL,
    enabled         BIGINT NOT NULL,
    -- `whsec_` + base64 of the key bytes.
    secret          TEXT NOT NULL,
    -- The secret before the last rotation, still signed with until `previous_until`.
    previous_secret TEXT,
    previous_until  BIGINT,
    -- Since when every attempt to it failed (NULL after a success).
    failing_since   BIGINT,
    -- Why it was disabled when the server disabled it (`failing`).
    disabled_reason TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

CREATE TABLE webhook_messages (
    id          TEXT NOT NULL PRIMARY KEY,
    program_id  TEXT NOT NULL REFERENCES programs(id),
    kind        TEXT NOT NULL,
    -- The message's `data`, as JSON.
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_messages_program ON webhook_messages(program_id, created_at);

CREATE TABLE webhook_deliveries (
    message_id      TEXT NOT NULL REFERENCES webhook_messages(id),
    endpoint_id     TEXT NOT NULL,
    program_id      TEXT NOT NULL,
    -- `pending`, `delivered` or `failed`.
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    -- The token of the worker's claim in force (a new one each claim).
    claim           TEXT,
    last_status     BIGINT,
    last_error      TEXT,
    last_latency_ms BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (message_id, endpoint_id),
    FOREIGN KEY (program_id, endpoint_id) REFERENCES webhook_endpoints(program_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(program_id, endpoint_id, created_at);
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries(program_id, updated_at) WHERE status = 'failed';

CREATE TABLE webhook_attempts (
    message_id  TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    attempt     BIGINT NOT NULL,
    program_id  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    -- The HTTP status, when a response came.
    status_code BIGINT,
    latency_ms  BIGINT NOT NULL,
    error       TEXT,
    PRIMARY KEY (message_id, endpoint_id, attempt),
    FOREIGN KEY (message_id, endpoint_id) REFERENCES webhook_deliveries(message_id, endpoint_id)
);
