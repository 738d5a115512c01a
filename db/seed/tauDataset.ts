import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { TAU_DATA_DIR } from "../config.ts";

// Schemas of the τ-bench retail dataset files (users.json, orders.json, products.json).
export const Address = z.object({
  address1: z.string(),
  address2: z.string(),
  city: z.string(),
  country: z.string(),
  state: z.string(),
  zip: z.string(),
});
export const PaymentMethod = z.object({
  source: z.enum(["credit_card", "paypal", "gift_card"]),
  brand: z.string().optional(),
  last_four: z.string().optional(),
  balance: z.number().optional(),
  id: z.string(),
});
export const TauUser = z.object({
  name: z.object({ first_name: z.string(), last_name: z.string() }),
  address: Address,
  email: z.string(),
  payment_methods: z.record(z.string(), PaymentMethod),
  orders: z.array(z.string()),
});
export const OrderItem = z.object({
  name: z.string(),
  product_id: z.string(),
  item_id: z.string(),
  price: z.number(),
  options: z.record(z.string(), z.string()),
});
export const TauOrder = z.object({
  order_id: z.string(),
  user_id: z.string(),
  address: Address,
  items: z.array(OrderItem),
  fulfillments: z.array(z.object({ tracking_id: z.array(z.string()), item_ids: z.array(z.string()) })),
  status: z.string(),
  payment_history: z.array(
    z.object({ transaction_type: z.enum(["payment", "refund"]), amount: z.number(), payment_method_id: z.string() }),
  ),
});
export const TauProduct = z.object({
  name: z.string(),
  product_id: z.string(),
  variants: z.record(
    z.string(),
    z.object({ item_id: z.string(), options: z.record(z.string(), z.string()), available: z.boolean(), price: z.number() }),
  ),
});
export type TauUser = z.infer<typeof TauUser>;
export type TauOrder = z.infer<typeof TauOrder>;
export type TauProduct = z.infer<typeof TauProduct>;

export interface TauDataset {
  users: Record<string, TauUser>;
  orders: Record<string, TauOrder>;
  products: Record<string, TauProduct>;
}

let cached: TauDataset | undefined;

/** Reads and validates the τ-bench retail dataset (cached: it never changes at run time). */
export function loadTauDataset(dir = TAU_DATA_DIR): TauDataset {
  if (cached && dir === TAU_DATA_DIR) return cached;
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), "utf8"));
  const data: TauDataset = {
    users: z.record(z.string(), TauUser).parse(read("users.json")),
    orders: z.record(z.string(), TauOrder).parse(read("orders.json")),
    products: z.record(z.string(), TauProduct).parse(read("products.json")),
  };
  if (dir === TAU_DATA_DIR) cached = data;
  return data;
}

/**
 * Position of each variant id in products.json. JSON.parse puts integer-like keys (variant ids)
 * first in ascending order, so the file's own order is recovered from its text.
 */
export function variantFileOrder(dir = TAU_DATA_DIR): Map<string, number> {
  const text = readFileSync(join(dir, "products.json"), "utf8");
  const order = new Map<string, number>();
  for (const m of text.matchAll(/"item_id"\s*:\s*"([^"]*)"/g)) if (!order.has(m[1])) order.set(m[1], order.size);
  return order;
}
