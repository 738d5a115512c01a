import type { Db } from "../../db/executor.ts";
import { paymentHistories, paymentMethodsByUser, type Payment, type PaymentMethod } from "../payments/paymentsDb.ts";

/**
 * The CRM (users) and order-management system. The only code that touches `users`, `orders`,
 * `order_items` and `order_fulfillments`; payment methods and payment history come from the
 * payments module. A retailer swaps this module for its own CRM/OMS.
 */

export interface Address {
  address1: string;
  address2: string;
  city: string;
  country: string;
  state: string;
  zip: string;
}
export interface UserRecord {
  name: { first_name: string; last_name: string };
  address: Address;
  email: string;
  payment_methods: Map<string, PaymentMethod>;
  orders: string[];
}
export interface OrderItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}
/** Fields τ-bench appends to an order when it is cancelled, returned or exchanged. */
export interface OrderExtras {
  cancel_reason?: string;
  exchange_items?: string[];
  exchange_new_items?: string[];
  exchange_payment_method_id?: string;
  exchange_price_difference?: number;
  return_items?: string[];
  return_payment_method_id?: string;
}
export type ExtraKey = keyof OrderExtras;
export const EXTRA_KEYS: readonly ExtraKey[] = [
  "cancel_reason",
  "exchange_items",
  "exchange_new_items",
  "exchange_payment_method_id",
  "exchange_price_difference",
  "return_items",
  "return_payment_method_id",
];
export interface OrderRecord extends OrderExtras {
  order_id: string;
  user_id: string;
  address: Address;
  items: OrderItem[];
  fulfillments: Array<{ tracking_id: string[]; item_ids: string[] }>;
  status: string;
  payment_history: Payment[];
}

/** The first user (in CRM order) whose email matches ignoring case. */
export async function findUserIdByEmail(db: Db, email: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `SELECT user_id FROM users WHERE lower(email) = lower($1) ORDER BY ordinal LIMIT 1`,
    [email],
  );
  return rows[0]?.user_id;
}

/** The first user whose first and last names match ignoring case and whose zip matches exactly. */
export async function findUserIdByNameZip(db: Db, first: string, last: string, zip: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `SELECT user_id FROM users
     WHERE lower(first_name) = lower($1) AND lower(last_name) = lower($2) AND address->>'zip' = $3
     ORDER BY ordinal LIMIT 1`,
    [first, last, zip],
  );
  return rows[0]?.user_id;
}

/** Users by id in τ-bench's shape (payment methods and order list included). Missing ids are absent. */
export async function getUsers(db: Db, ids: readonly string[]): Promise<Map<string, UserRecord>> {
  if (ids.length === 0) return new Map();
  // Sequential on purpose: inside a transaction all queries share one client.
  const users = await db.query<{ user_id: string; first_name: string; last_name: string; email: string; address: Address }>(
    `SELECT user_id, first_name, last_name, email, address FROM users WHERE user_id = ANY($1::text[]) ORDER BY ordinal`,
    [ids],
  );
  const orders = await db.query<{ user_id: string; order_id: string }>(
    `SELECT user_id, order_id FROM orders WHERE user_id = ANY($1::text[]) ORDER BY user_id, user_position`,
    [ids],
  );
  const methods = await paymentMethodsByUser(db, ids);
  const orderLists = new Map<string, string[]>();
  for (const o of orders.rows) {
    const list = orderLists.get(o.user_id) ?? [];
    list.push(o.order_id);
    orderLists.set(o.user_id, list);
  }
  const out = new Map<string, UserRecord>();
  for (const u of users.rows) {
    out.set(u.user_id, {
      name: { first_name: u.first_name, last_name: u.last_name },
      address: u.address,
      email: u.email,
      payment_methods: methods.get(u.user_id) ?? new Map(),
      orders: orderLists.get(u.user_id) ?? [],
    });
  }
  return out;
}

export async function getUser(db: Db, id: string): Promise<UserRecord | undefined> {
  return (await getUsers(db, [id])).get(id);
}

type OrderRow = {
  order_id: string;
  user_id: string;
  address: Address;
  status: string;
  extra_keys: ExtraKey[];
} & { [K in ExtraKey]: OrderExtras[K] | null };

/** Orders by id in τ-bench's shape, extra keys in the order they were added. Missing ids are absent. */
export async function getOrders(db: Db, ids: readonly string[]): Promise<Map<string, OrderRecord>> {
  if (ids.length === 0) return new Map();
  // One round trip per call (not one per child table): this runs for every tool call and replay step.
  const orders = await db.query<OrderRow & { items: Array<OrderItem & { order_id?: string }>; fulfillments: Array<{ tracking_ids: string[]; item_ids: string[] }> }>(
    `SELECT o.order_id, o.user_id, o.address, o.status, o.extra_keys, ${EXTRA_KEYS.map((k) => `o.${k}`).join(", ")},
       COALESCE((SELECT json_agg(json_build_object('name', i.name, 'product_id', i.product_id, 'item_id', i.item_id,
                                                   'price', i.price, 'options', i.options) ORDER BY i.position)
                 FROM order_items i WHERE i.order_id = o.order_id), '[]') AS items,
       COALESCE((SELECT json_agg(json_build_object('tracking_ids', f.tracking_ids, 'item_ids', f.item_ids) ORDER BY f.position)
                 FROM order_fulfillments f WHERE f.order_id = o.order_id), '[]') AS fulfillments
     FROM orders o WHERE o.order_id = ANY($1::text[]) ORDER BY o.ordinal`,
    [ids],
  );
  const payments = await paymentHistories(db, ids);
  const out = new Map<string, OrderRecord>();
  for (const o of orders.rows) {
    const record: OrderRecord = {
      order_id: o.order_id,
      user_id: o.user_id,
      address: o.address,
      items: o.items.map((it) => ({ name: it.name, product_id: it.product_id, item_id: it.item_id, price: it.price, options: it.options })),
      fulfillments: o.fulfillments.map((f) => ({ tracking_id: f.tracking_ids, item_ids: f.item_ids })),
      status: o.status,
      payment_history: payments.get(o.order_id) ?? [],
    };
    for (const k of o.extra_keys) {
      const v = o[k];
      if (v !== null && v !== undefined) Object.assign(record, { [k]: v });
    }
    out.set(o.order_id, record);
  }
  return out;
}

export async function getOrder(db: Db, id: string): Promise<OrderRecord | undefined> {
  return (await getOrders(db, [id])).get(id);
}

/**
 * Locks an order row (FOR UPDATE) and returns the full record as of the lock: a concurrent writer
 * on the same order waits here and then sees the committed result. Use inside `db.transaction`.
 */
export async function lockOrder(tx: Db, id: string): Promise<OrderRecord | undefined> {
  const { rowCount } = await tx.query(`SELECT 1 FROM orders WHERE order_id = $1 FOR UPDATE`, [id]);
  if (!rowCount) return undefined;
  return getOrder(tx, id);
}

/** Locks a user row (FOR UPDATE). */
export async function lockUser(tx: Db, id: string): Promise<boolean> {
  const { rowCount } = await tx.query(`SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE`, [id]);
  return !!rowCount;
}

/** Sets an order's status and appends τ-bench's extra fields (new keys go to the end, in the given order). */
export async function updateOrder(tx: Db, id: string, status: string, extras: OrderExtras = {}): Promise<void> {
  const keys = (Object.keys(extras) as ExtraKey[]).filter((k) => EXTRA_KEYS.includes(k));
  const sets = keys.map((k, i) => `${k} = $${i + 4}`);
  await tx.query(
    `UPDATE orders SET status = $2,
       extra_keys = extra_keys || ARRAY(SELECT k FROM unnest($3::text[]) WITH ORDINALITY AS t(k, n)
                                        WHERE NOT k = ANY(extra_keys) ORDER BY n)
       ${sets.length ? `, ${sets.join(", ")}` : ""}
     WHERE order_id = $1`,
    [id, status, keys, ...keys.map((k) => extras[k])],
  );
}

export async function setOrderAddress(tx: Db, id: string, address: Record<string, string>): Promise<void> {
  await tx.query(`UPDATE orders SET address = $2::json WHERE order_id = $1`, [id, JSON.stringify(address)]);
}

export async function setUserAddress(tx: Db, id: string, address: Record<string, string>): Promise<void> {
  await tx.query(`UPDATE users SET address = $2::json WHERE user_id = $1`, [id, JSON.stringify(address)]);
}

/** Replaces items at the given positions (the caller holds the order's row lock). */
export async function replaceOrderItems(
  tx: Db,
  id: string,
  changes: ReadonlyArray<{ position: number; item_id: string; price: number; options: Record<string, string> }>,
): Promise<void> {
  if (changes.length === 0) return;
  await tx.query(
    `UPDATE order_items oi SET item_id = c.item_id, price = c.price, options = c.options
     FROM unnest($2::int[], $3::text[], $4::float8[], $5::json[]) AS c(position, item_id, price, options)
     WHERE oi.order_id = $1 AND oi.position = c.position`,
    [id, changes.map((c) => c.position), changes.map((c) => c.item_id), changes.map((c) => c.price), changes.map((c) => JSON.stringify(c.options))],
  );
}
