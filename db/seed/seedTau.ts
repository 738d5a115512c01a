import type pg from "pg";
import { loadTauDataset, variantFileOrder, type TauProduct } from "./tauDataset.ts";

/**
 * Loads users, payment methods, products, variants and orders from the τ-bench dataset.
 * One INSERT … SELECT FROM unnest(...) per table keeps this to a handful of round trips.
 * Idempotent: rows that already exist are left untouched.
 */
export async function seedTauDataset(client: pg.ClientBase): Promise<{ users: number; orders: number; products: number }> {
  const { users, orders, products } = loadTauDataset();

  const u = Object.entries(users);
  await client.query(
    `INSERT INTO users (user_id, first_name, last_name, email, address, ordinal)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::json[], $6::int[])
     ON CONFLICT DO NOTHING`,
    [
      u.map(([id]) => id),
      u.map(([, x]) => x.name.first_name),
      u.map(([, x]) => x.name.last_name),
      u.map(([, x]) => x.email),
      u.map(([, x]) => JSON.stringify(x.address)),
      u.map((_, i) => i),
    ],
  );

  const pm = u.flatMap(([uid, x]) => Object.values(x.payment_methods).map((m, i) => ({ uid, i, m })));
  await client.query(
    `INSERT INTO payment_methods (payment_method_id, user_id, position, source, brand, last_four, balance)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::float8[])
     ON CONFLICT DO NOTHING`,
    [
      pm.map((p) => p.m.id),
      pm.map((p) => p.uid),
      pm.map((p) => p.i),
      pm.map((p) => p.m.source),
      pm.map((p) => p.m.brand ?? null),
      pm.map((p) => p.m.last_four ?? null),
      pm.map((p) => p.m.balance ?? null),
    ],
  );

  const p = Object.values(products);
  await client.query(
    `INSERT INTO products (product_id, name, ordinal)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT DO NOTHING`,
    [p.map((x) => x.product_id), p.map((x) => x.name), p.map((_, i) => i)],
  );
  const fileOrder = variantFileOrder();
  const inFileOrder = (vs: TauProduct["variants"][string][]) =>
    vs.sort((a, b) => (fileOrder.get(a.item_id) ?? 0) - (fileOrder.get(b.item_id) ?? 0));
  const v = p.flatMap((x) => inFileOrder(Object.values(x.variants)).map((vr, i) => ({ pid: x.product_id, i, vr })));
  await client.query(
    `INSERT INTO variants (item_id, product_id, position, options, available, price)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::json[], $5::bool[], $6::float8[])
     ON CONFLICT DO NOTHING`,
    [
      v.map((x) => x.vr.item_id),
      v.map((x) => x.pid),
      v.map((x) => x.i),
      v.map((x) => JSON.stringify(x.vr.options)),
      v.map((x) => x.vr.available),
      v.map((x) => x.vr.price),
    ],
  );

  const userPosition = new Map<string, number>();
  for (const [, x] of u) x.orders.forEach((oid, i) => userPosition.set(oid, i));
  const o = Object.values(orders);
  await client.query(
    `INSERT INTO orders (order_id, user_id, user_position, address, status, ordinal)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::json[], $5::text[], $6::int[])
     ON CONFLICT DO NOTHING`,
    [
      o.map((x) => x.order_id),
      o.map((x) => x.user_id),
      o.map((x) => userPosition.get(x.order_id) ?? 0),
      o.map((x) => JSON.stringify(x.address)),
      o.map((x) => x.status),
      o.map((_, i) => i),
    ],
  );
  const items = o.flatMap((x) => x.items.map((it, i) => ({ oid: x.order_id, i, it })));
  await client.query(
    `INSERT INTO order_items (order_id, position, name, product_id, item_id, price, options)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::json[])
     ON CONFLICT DO NOTHING`,
    [
      items.map((x) => x.oid),
      items.map((x) => x.i),
      items.map((x) => x.it.name),
      items.map((x) => x.it.product_id),
      items.map((x) => x.it.item_id),
      items.map((x) => x.it.price),
      items.map((x) => JSON.stringify(x.it.options)),
    ],
  );
  // Arrays of arrays cannot go through unnest() directly; send them as JSON and expand in SQL.
  const ful = o.flatMap((x) => x.fulfillments.map((f, i) => ({ order_id: x.order_id, position: i, ...f })));
  await client.query(
    `INSERT INTO order_fulfillments (order_id, position, tracking_ids, item_ids)
     SELECT f.order_id, f.position,
            ARRAY(SELECT json_array_elements_text(f.tracking_id)),
            ARRAY(SELECT json_array_elements_text(f.item_ids))
     FROM json_to_recordset($1::json) AS f(order_id text, position int, tracking_id json, item_ids json)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(ful)],
  );
  const pay = o.flatMap((x) => x.payment_history.map((ph, i) => ({ oid: x.order_id, i, ph })));
  await client.query(
    `INSERT INTO order_payments (order_id, position, transaction_type, amount, payment_method_id)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::text[]) ON CONFLICT DO NOTHING`,
    [
      pay.map((x) => x.oid),
      pay.map((x) => x.i),
      pay.map((x) => x.ph.transaction_type),
      pay.map((x) => x.ph.amount),
      pay.map((x) => x.ph.payment_method_id),
    ],
  );
  return { users: u.length, orders: o.length, products: p.length };
}
