import type { Db } from "../../db/executor.ts";

/**
 * The payments system: customers' payment methods (credit card, PayPal, gift cards with balances)
 * and each order's payment history. The only code that touches `payment_methods` and
 * `order_payments`; a retailer swaps this module for its payment service.
 */

/** A payment method in τ-bench's shape and key order (per source). */
export type PaymentMethod =
  | { source: "credit_card"; brand: string; last_four: string; id: string }
  | { source: "paypal"; id: string }
  | { source: "gift_card"; balance: number; id: string };

export interface Payment {
  transaction_type: "payment" | "refund";
  amount: number;
  payment_method_id: string;
}

type MethodRow = {
  payment_method_id: string;
  user_id: string;
  source: PaymentMethod["source"];
  brand: string | null;
  last_four: string | null;
  balance: number | null;
};

function toRecord(r: MethodRow): PaymentMethod {
  if (r.source === "gift_card") return { source: "gift_card", balance: r.balance ?? 0, id: r.payment_method_id };
  if (r.source === "credit_card") {
    return { source: "credit_card", brand: r.brand ?? "", last_four: r.last_four ?? "", id: r.payment_method_id };
  }
  return { source: "paypal", id: r.payment_method_id };
}

/** Each user's payment methods keyed by id, in the order the customer added them. */
export async function paymentMethodsByUser(db: Db, userIds: readonly string[]): Promise<Map<string, Map<string, PaymentMethod>>> {
  const out = new Map<string, Map<string, PaymentMethod>>(userIds.map((u) => [u, new Map()]));
  if (userIds.length === 0) return out;
  const { rows } = await db.query<MethodRow>(
    `SELECT payment_method_id, user_id, source, brand, last_four, balance
     FROM payment_methods WHERE user_id = ANY($1::text[]) ORDER BY user_id, position`,
    [userIds],
  );
  for (const r of rows) out.get(r.user_id)?.set(r.payment_method_id, toRecord(r));
  return out;
}

/**
 * One of a user's payment methods, locked (FOR UPDATE) so a gift-card balance cannot change under
 * the caller until its transaction ends. Use inside `db.transaction`.
 */
export async function lockPaymentMethod(tx: Db, userId: string, paymentMethodId: string): Promise<PaymentMethod | undefined> {
  const { rows } = await tx.query<MethodRow>(
    `SELECT payment_method_id, user_id, source, brand, last_four, balance
     FROM payment_methods WHERE user_id = $1 AND payment_method_id = $2 FOR UPDATE`,
    [userId, paymentMethodId],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Locks several of a user's payment methods in a fixed order (by id), so concurrent writers cannot deadlock. */
export async function lockPaymentMethods(tx: Db, userId: string, ids: readonly string[]): Promise<Map<string, PaymentMethod>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<MethodRow>(
    `SELECT payment_method_id, user_id, source, brand, last_four, balance
     FROM payment_methods WHERE user_id = $1 AND payment_method_id = ANY($2::text[])
     ORDER BY payment_method_id FOR UPDATE`,
    [userId, [...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.payment_method_id, toRecord(r)]));
}

/** Sets a gift card's balance (the caller computed it under a lock). */
export async function setGiftCardBalance(tx: Db, paymentMethodId: string, balance: number): Promise<void> {
  await tx.query(`UPDATE payment_methods SET balance = $2 WHERE payment_method_id = $1 AND source = 'gift_card'`, [
    paymentMethodId,
    balance,
  ]);
}

/** Each order's payment history, oldest first. */
export async function paymentHistories(db: Db, orderIds: readonly string[]): Promise<Map<string, Payment[]>> {
  const out = new Map<string, Payment[]>(orderIds.map((o) => [o, []]));
  if (orderIds.length === 0) return out;
  const { rows } = await db.query<Payment & { order_id: string }>(
    `SELECT order_id, transaction_type, amount, payment_method_id
     FROM order_payments WHERE order_id = ANY($1::text[]) ORDER BY order_id, position`,
    [orderIds],
  );
  for (const r of rows) {
    out.get(r.order_id)?.push({ transaction_type: r.transaction_type, amount: r.amount, payment_method_id: r.payment_method_id });
  }
  return out;
}

/** Appends entries to an order's payment history (the caller holds the order's row lock). */
export async function appendPayments(tx: Db, orderId: string, entries: readonly Payment[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO order_payments (order_id, position, transaction_type, amount, payment_method_id)
     SELECT $1, base.n + e.ord - 1, e.transaction_type, e.amount, e.payment_method_id
     FROM (SELECT COALESCE(MAX(position) + 1, 0) AS n FROM order_payments WHERE order_id = $1) base,
          unnest($2::text[], $3::float8[], $4::text[]) WITH ORDINALITY AS e(transaction_type, amount, payment_method_id, ord)`,
    [orderId, entries.map((e) => e.transaction_type), entries.map((e) => e.amount), entries.map((e) => e.payment_method_id)],
  );
}
