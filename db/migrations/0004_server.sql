-- Up Migration
-- The server's own records: who may call it (API keys, stored as SHA-256 digests only), the
-- conversation threads it serves (owner, metadata, status, a snapshot of the latest values), the
-- runs executed on them (status, multitask strategy, timings) and every streamed run event, so a
-- client can re-attach to a run on any replica and resume after the last event it saw.
-- Conversation state itself lives in LangGraph's checkpoint tables (PostgresSaver).

CREATE TABLE api_keys (
  key_id       text PRIMARY KEY,                -- public identifier, also the key's prefix
  key_hash     text NOT NULL UNIQUE,            -- sha256 hex of the whole secret key
  role         text NOT NULL CHECK (role IN ('customer', 'associate', 'manager', 'admin', 'ml')),
  customer_id  text,
  store_id     text,
  label        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  -- A customer key acts for exactly one customer; an associate key for exactly one store.
  CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
  CHECK (role <> 'associate' OR store_id IS NOT NULL)
);

CREATE TABLE threads (
  thread_id         uuid PRIMARY KEY,
  -- The principal that owns the thread: customer:<user_id>, store:<store_id> or key:<key_id>.
  owner             text NOT NULL,
  metadata          jsonb NOT NULL DEFAULT '{}'::jsonb,
  status            text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'busy', 'interrupted', 'error')),
  "values"          jsonb,
  interrupts        jsonb NOT NULL DEFAULT '{}'::jsonb,
  error             jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  state_updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_owner_created ON threads (owner, created_at DESC);
CREATE INDEX threads_status ON threads (status) WHERE status <> 'idle';
CREATE INDEX threads_metadata ON threads USING gin (metadata jsonb_path_ops);

CREATE TABLE runs (
  run_id              uuid PRIMARY KEY,
  thread_id           uuid NOT NULL REFERENCES threads (thread_id) ON DELETE CASCADE,
  assistant_id        text NOT NULL,
  created_by          text NOT NULL,            -- principal that created the run
  caller              jsonb NOT NULL,           -- identity passed to the graph (from the API key)
  status              text NOT NULL CHECK (status IN ('pending', 'running', 'success', 'error', 'timeout', 'interrupted')),
  multitask_strategy  text NOT NULL CHECK (multitask_strategy IN ('reject', 'enqueue', 'interrupt', 'rollback')),
  kwargs              jsonb NOT NULL,           -- input, command, stream_mode, config, checkpoint_id…
  metadata            jsonb NOT NULL DEFAULT '{}'::jsonb,
  cancel_action       text CHECK (cancel_action IN ('interrupt', 'rollback')),
  cancel_reason       text,
  attempt             integer NOT NULL DEFAULT 0,
  worker              text,
  -- Latest checkpoint of the thread when the run started: rollback and crash recovery use it.
  checkpoint_before   text,
  error               jsonb,
  created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at          timestamptz,
  ended_at            timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_thread_created ON runs (thread_id, created_at);
CREATE INDEX runs_active ON runs (status, updated_at) WHERE status IN ('pending', 'running');

CREATE TABLE run_events (
  run_id  uuid NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  seq     integer NOT NULL,
  event   text NOT NULL,
  data    text NOT NULL,                        -- the SSE data line, JSON as sent
  PRIMARY KEY (run_id, seq)
);
