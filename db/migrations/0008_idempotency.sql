-- Up Migration
-- Idempotency keys of consequential tool calls (cancel, modify, return, exchange, address change).
-- A key is derived from the conversation thread and the tool call's id, and its row is inserted in
-- the same transaction as the write it guards: after a crash the graph replays the interrupted step
-- from its last checkpoint, and the replayed call finds the key and returns the original result
-- instead of writing again. Rows are tiny and append-only.

CREATE TABLE tool_write_keys (
  idempotency_key  text PRIMARY KEY,             -- sha256 hex of (thread_id, tool_call_id)
  thread_id        text NOT NULL,
  tool_call_id     text NOT NULL,
  tool             text NOT NULL,
  args_digest      text NOT NULL,                -- sha256 of the canonical arguments actually run
  result           text NOT NULL,                -- the tool's output string, returned on replay
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tool_write_keys_thread ON tool_write_keys (thread_id);

-- Down Migration
DROP TABLE tool_write_keys;
