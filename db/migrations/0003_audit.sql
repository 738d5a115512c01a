-- Up Migration
-- Aisle's audit log: every step of every turn (node, input digest, decision, tool call and result
-- digests, verdict, timing), append-only and hash-chained per conversation thread: each row
-- carries the previous row's hash, so editing or deleting any row breaks the chain and
-- `aisle audit verify` finds it. Rows hold digests and ids, not message text (no PII at rest here).

CREATE TABLE audit_log (
  thread_id     text NOT NULL,
  seq           bigint NOT NULL CHECK (seq >= 1),
  turn          integer NOT NULL,
  at            timestamptz NOT NULL,
  node          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('turn', 'node', 'tool', 'verdict')),
  input_digest  text,
  decision      jsonb NOT NULL DEFAULT '{}',
  tool          text,
  result_digest text,
  verdict       text,
  rule          text,
  duration_ms   double precision,
  prev_hash     text NOT NULL,
  hash          text NOT NULL,
  PRIMARY KEY (thread_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_verdict ON audit_log (verdict) WHERE verdict IS NOT NULL;

-- Append-only: the database itself refuses UPDATE, DELETE and TRUNCATE on the log.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
