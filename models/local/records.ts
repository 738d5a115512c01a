/**
 * The τ-bench record shapes the embedded model reads (as tools return them), and small readers.
 * Records arrive as parsed JSON, so every reader tolerates missing fields.
 */

export interface OrderItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}
export interface PaymentTx {
  transaction_type: "payment" | "refund";
  amount: number;
  payment_method_id: string;
}
export interface OrderRecord {
  order_id: string;
  user_id: string;
  address?: Record<string, string>;
  items: OrderItem[];
  fulfillments?: { tracking_id: string[]; item_ids: string[] }[];
  status: string;
  payment_history: PaymentTx[];
  cancel_reason?: string;
}
export interface PaymentMethod {
  source: "credit_card" | "paypal" | "gift_card" | string;
  id: string;
  brand?: string;
  last_four?: string;
  balance?: number;
}
export interface UserRecord {
  user_id?: string;
  name?: { first_name: string; last_name: string };
  address?: Record<string, string>;
  email?: string;
  payment_methods: Record<string, PaymentMethod>;
  orders: string[];
}
export interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}
export interface ProductRecord {
  name: string;
  product_id: string;
  variants: Record<string, Variant>;
}

export const asOrder = (x: unknown): OrderRecord | undefined => {
  const o = x as OrderRecord | undefined;
  return o && typeof o === "object" && typeof o.status === "string" && Array.isArray(o.items)
    ? { ...o, payment_history: o.payment_history ?? [] }
    : undefined;
};

export const asUser = (x: unknown): UserRecord | undefined => {
  const u = x as UserRecord | undefined;
  return u && typeof u === "object" && u.payment_methods ? { ...u, orders: u.orders ?? [] } : undefined;
};

export const asProduct = (x: unknown): ProductRecord | undefined => {
  const p = x as ProductRecord | undefined;
  return p && typeof p === "object" && p.variants ? p : undefined;
};

export const money = (n: number) => `$${(Math.round(n * 100) / 100).toFixed(2)}`;

export function describePaymentMethod(pm: PaymentMethod | undefined, id?: string): string {
  if (!pm) return id ?? "unknown payment method";
  if (pm.source === "credit_card") return `${pm.brand ? `${pm.brand} ` : ""}credit card ending ${pm.last_four ?? "????"}`;
  if (pm.source === "gift_card") return `gift card${pm.balance !== undefined ? ` (balance ${money(pm.balance)})` : ""}`;
  if (pm.source === "paypal") return "PayPal";
  return pm.id;
}

export function describeOptions(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

export function describeItem(item: OrderItem): string {
  return `${item.name} (${describeOptions(item.options)}) — ${money(item.price)}`;
}

export function orderTotal(order: OrderRecord): number {
  return order.items.reduce((s, i) => s + i.price, 0);
}

/** The payment method that paid for an order (τ-bench: the first payment transaction). */
export function originalPaymentMethod(order: OrderRecord): string | undefined {
  return order.payment_history.find((p) => p.transaction_type === "payment")?.payment_method_id;
}

export function formatAddress(a: Record<string, string> | undefined): string {
  if (!a) return "";
  return [a.address1, a.address2, a.city, `${a.state ?? ""} ${a.zip ?? ""}`.trim(), a.country].filter(Boolean).join(", ");
}
