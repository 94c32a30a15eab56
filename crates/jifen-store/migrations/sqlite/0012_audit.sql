-- The audit log records every change by an API key or a console operator. `actor_name` is the
-- key's or the operator's name when the change was made: a key renamed or an operator removed
-- later does not rewrite who did it.
ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- The filters of the log: by actor, and by time (`at`); the object filter has its index since
-- 0007.
CREATE INDEX audit_log_actor ON audit_log(program_id, actor, id);
CREATE INDEX audit_log_at ON audit_log(program_id, at, id);

-- Immutable: a line once written is never changed nor removed, whoever asks.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its lines cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its lines cannot be removed');
END;
