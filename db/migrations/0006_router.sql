-- Up Migration
-- Aisle's own router: every trained version (the full model JSON, so any replica can load it
-- offline), which one is active, and the confirmed route labels it learns from. The trace store and
-- the feedback API insert into route_labels; `aisle train router --from-traces` reads them.

CREATE TABLE router_models (
  version     text PRIMARY KEY,
  model       jsonb NOT NULL,
  metrics     jsonb NOT NULL DEFAULT '{}'::jsonb,
  data_hash   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  active      boolean NOT NULL DEFAULT false
);
-- At most one active version; activation flips it in one transaction.
CREATE UNIQUE INDEX router_models_one_active ON router_models (active) WHERE active;

CREATE TABLE route_labels (
  id          bigserial PRIMARY KEY,
  text        text NOT NULL CHECK (length(text) > 0),
  intent      text NOT NULL CHECK (intent IN (
    'order_status', 'cancel_order', 'return_request', 'exchange_request', 'modify_order',
    'refund_status', 'stock_check', 'product_info', 'store_info', 'loyalty', 'promotions',
    'shipping_info', 'policy_question', 'account_update', 'human_agent', 'greeting', 'out_of_scope')),
  -- feedback: a user/associate corrected or confirmed the route through the API;
  -- confirmed: the conversation completed without correction; studio: labelled by a reviewer.
  source      text NOT NULL CHECK (source IN ('feedback', 'confirmed', 'studio')),
  thread_id   text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX route_labels_created ON route_labels (created_at);

-- Down Migration
DROP TABLE route_labels;
DROP TABLE router_models;
