-- The audit log records every change by an API key or a console operator. `actor_name` is the
-- key's or the operator's name when the change was made: a key renamed or an operator removed
-- later does not rewrite who did it.
ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- The filters of the log: by actor, and by time (`at`); the object filter has its index since
-- 0007.
CREATE INDEX audit_log_actor ON audit_log(program_id, actor, id);
CREATE INDEX audit_log_at ON audit_log(program_id, at, id);

-- Immutable: a line once written is never changed nor removed, whoever asks (TRUNCATE too).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: its lines cannot be changed or removed';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
