-- Up Migration
-- The trace store: one row per conversation turn with its whole trajectory (the training-data
-- flywheel), the feedback apps and reviewers give on turns, and the tool schemas / system prompts
-- the model saw, stored once by content hash (a million turns share a handful of them).
-- Filterable facts are columns; the full trajectory is the `trace` document (schema in
-- traces/schema.ts, versioned by `schema_version`). PII is masked before a row is written.

CREATE TABLE trace_assets (
  hash        text PRIMARY KEY,                 -- sha256 of the canonical JSON of `content`
  kind        text NOT NULL CHECK (kind IN ('tools', 'system')),
  -- json, not jsonb: key order is kept exactly as the model saw it (schemas, arguments).
  content     json NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE turn_traces (
  trace_id              uuid PRIMARY KEY,
  thread_id             text NOT NULL,
  turn                  integer NOT NULL CHECK (turn >= 0),
  run_id                text,
  checkpoint_id         text,
  schema_version        integer NOT NULL,
  started_at            timestamptz NOT NULL,
  ended_at              timestamptz NOT NULL,
  intent                text,
  confidence            real,
  tier                  text,
  router_version        text,
  model                 text,
  policy_version        text,
  outcome               text NOT NULL CHECK (outcome IN ('completed', 'handoff', 'interrupted', 'error')),
  -- Completed cleanly: no error, not waiting on an interrupt, not failed by an eval. Feedback is
  -- applied at export time (it arrives later).
  passed                boolean NOT NULL,
  -- Governance fixed or blocked a proposal: the row yields preference pairs.
  has_preference        boolean NOT NULL DEFAULT false,
  tokens_in             integer NOT NULL DEFAULT 0,
  tokens_out            integer NOT NULL DEFAULT 0,
  cost_usd              double precision NOT NULL DEFAULT 0,
  latency_ms            double precision NOT NULL DEFAULT 0,
  tools_hash            text REFERENCES trace_assets (hash),
  system_hash           text REFERENCES trace_assets (hash),
  trace                 json NOT NULL,
  -- Already offered to the router as a confirmed route label (see traces/labels.ts).
  route_promoted        boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (thread_id, turn)
);
-- A run is recorded once even when the hook fires again (retries, resumed replicas).
CREATE UNIQUE INDEX turn_traces_run ON turn_traces (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX turn_traces_started ON turn_traces (started_at);
CREATE INDEX turn_traces_intent_started ON turn_traces (intent, started_at);

CREATE TABLE feedback (
  id                bigserial PRIMARY KEY,
  thread_id         text NOT NULL,
  -- The turn the feedback is about (the run's trace, or the thread's latest turn when no run is named).
  trace_id          uuid REFERENCES turn_traces (trace_id) ON DELETE SET NULL,
  run_id            text,
  rating            text CHECK (rating IN ('up', 'down')),
  corrected_intent  text,
  label             text,
  -- A better answer written by a reviewer: with the turn's reply it forms a preference pair.
  corrected_reply   text,
  -- The principal that gave the feedback (customer:<id>, store:<id>, key:<id>, cli…).
  author            text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (rating IS NOT NULL OR corrected_intent IS NOT NULL OR label IS NOT NULL OR corrected_reply IS NOT NULL)
);
CREATE INDEX feedback_trace ON feedback (trace_id);
CREATE INDEX feedback_thread ON feedback (thread_id, created_at);

-- Down Migration
DROP TABLE feedback;
DROP TABLE turn_traces;
DROP TABLE trace_assets;
