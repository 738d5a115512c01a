-- Up Migration
-- The retailer's core systems as τ-bench models them: CRM (users, payment methods), order
-- management (orders, items, fulfilments, payments) and the catalogue (products, variants).
-- Money is double precision on purpose: τ-bench's tools do float arithmetic (e.g. an unrounded
-- price difference of 12.340000000000003), and Aisle's tools must reproduce its results exactly.
-- Records keep `json` (not jsonb) where key order must survive, so tool outputs match τ-bench's.

CREATE TABLE users (
  user_id     text PRIMARY KEY,
  first_name  text NOT NULL,
  last_name   text NOT NULL,
  email       text NOT NULL,
  address     json NOT NULL,
  ordinal     integer NOT NULL
);
CREATE INDEX users_email_ci ON users (lower(email));
CREATE INDEX users_name_zip_ci ON users (lower(first_name), lower(last_name), (address->>'zip'));

CREATE TABLE payment_methods (
  payment_method_id text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (user_id),
  position    integer NOT NULL,
  source      text NOT NULL CHECK (source IN ('credit_card', 'paypal', 'gift_card')),
  brand       text,
  last_four   text,
  balance     double precision,
  CHECK ((source = 'gift_card') = (balance IS NOT NULL))
);
CREATE INDEX payment_methods_user ON payment_methods (user_id, position);

CREATE TABLE products (
  product_id  text PRIMARY KEY,
  name        text NOT NULL,
  ordinal     integer NOT NULL
);

CREATE TABLE variants (
  item_id     text PRIMARY KEY,
  product_id  text NOT NULL REFERENCES products (product_id),
  position    integer NOT NULL,
  options     json NOT NULL,
  available   boolean NOT NULL,
  price       double precision NOT NULL
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE orders (
  order_id    text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (user_id),
  user_position integer NOT NULL, -- place of the order in the user's `orders` list
  address     json NOT NULL,
  status      text NOT NULL,
  ordinal     integer NOT NULL,
  -- Fields τ-bench adds when an order is cancelled, returned or exchanged. `extra_keys` records
  -- the order in which they were added so a record renders with τ-bench's key order.
  cancel_reason text,
  exchange_items text[],
  exchange_new_items text[],
  exchange_payment_method_id text,
  exchange_price_difference double precision,
  return_items text[],
  return_payment_method_id text,
  extra_keys  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX orders_user ON orders (user_id, user_position);
CREATE INDEX orders_status ON orders (status);

CREATE TABLE order_items (
  order_id    text NOT NULL REFERENCES orders (order_id),
  position    integer NOT NULL,
  name        text NOT NULL,
  product_id  text NOT NULL,
  item_id     text NOT NULL,
  price       double precision NOT NULL,
  options     json NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE TABLE order_fulfillments (
  order_id    text NOT NULL REFERENCES orders (order_id),
  position    integer NOT NULL,
  tracking_ids text[] NOT NULL,
  item_ids    text[] NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE TABLE order_payments (
  order_id    text NOT NULL REFERENCES orders (order_id),
  position    integer NOT NULL,
  transaction_type text NOT NULL CHECK (transaction_type IN ('payment', 'refund')),
  amount      double precision NOT NULL,
  payment_method_id text NOT NULL,
  PRIMARY KEY (order_id, position)
);

-- Down Migration
DROP TABLE order_payments, order_fulfillments, order_items, orders, variants, products, payment_methods, users;
