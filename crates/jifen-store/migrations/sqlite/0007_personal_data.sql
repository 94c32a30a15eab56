-- Consent records: append-only; each says a member granted or withdrew consent to one purpose,
-- when, from which source and through which channel. `id` is the client's id (the idempotency
-- key of the write), unique in the program.
CREATE TABLE consents (
    seq          INTEGER PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id),
    id           TEXT NOT NULL,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    purpose      TEXT NOT NULL,
    granted      INTEGER NOT NULL,
    at           BIGINT NOT NULL,
    source       TEXT NOT NULL,
    channel      TEXT,
    recorded_at  BIGINT NOT NULL,
    UNIQUE (program_id, id)
);
CREATE INDEX consents_member ON consents(member_id, seq);

-- The audit log: who (an API key, later a console user) did what to which object, when, with
-- the object's state before and after as JSON (never the personal data an erasure removed).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs(id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_kind  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    at           BIGINT NOT NULL,
    before       TEXT,
    after        TEXT
);
CREATE INDEX audit_log_program ON audit_log(program_id, id);
CREATE INDEX audit_log_object ON audit_log(program_id, object_kind, object_id, id);
