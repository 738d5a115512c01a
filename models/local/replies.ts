import type { ModelContext } from "./context.ts";
import {
  asOrder,
  describeItem,
  describeOptions,
  describePaymentMethod,
  formatAddress,
  money,
  type OrderItem,
  type OrderRecord,
  type ProductRecord,
  type UserRecord,
} from "./records.ts";

/**
 * The embedded model's replies. Every sentence is a template filled only from tool results and
 * the stitched context — nothing is invented; when a fact is missing the reply says so.
 */

export const askAuthentication = (gaveUserId: boolean) =>
  `${gaveUserId ? "Thanks. I still need to verify your identity before I can look at your account: " : "I can help with that. First I need to verify your identity: "}please tell me the email address on your account, or your first name, last name and zip code.`;

export const authFailed = () =>
  "I couldn't find an account matching those details. Please check the email address, or give me your first name, last name and zip code.";

export const askOrderId = (purpose: string, orders: string[]) =>
  orders.length
    ? `Which order would you like to ${purpose}? The orders on your account are ${orders.join(", ")}.`
    : `Which order would you like to ${purpose}? Please give me the order id (it starts with #W).`;

export const orderNotFound = (id: string) => `I couldn't find order ${id}. Please check the order id (it looks like #W1234567).`;

/** What a question about an order asks for, when it asks for one part of it. */
export type OrderAspect = "items" | "payment" | "delivery" | "status";

const ASPECTS: [OrderAspect, RegExp][] = [
  ["payment", /\b(?:pay|paid|payment|cost|costs|charged?|total|how much|price|amount|spent|spend)\b/i],
  ["items", /\b(?:items?|in it|in them|inside|contain\w*|contents?|products?|what(?:'s| is| was)? in|bought|ordered|purchased|get in)\b/i],
  ["delivery", /\b(?:arriv\w*|deliver\w*|ship(?:ped|ping|s)?|track\w*|when (?:will|does|do|is|should)|eta|get here|be here|address|sent to|sending)\b/i],
  ["status", /\b(?:status|where(?:'s| is| are)?|pending|processed|cancell?ed|still)\b/i],
];

export function orderAspect(text: string): OrderAspect | undefined {
  return ASPECTS.find(([, re]) => re.test(text))?.[0];
}

export const isQuestion = (text: string) =>
  /\?\s*$/.test(text) || /^(?:and\s+)?(?:what|where|when|how|why|which|who|is|are|can|could|do|does|did|has|have|will|would|was|were)\b/i.test(text.trim());

function paidLine(order: OrderRecord, user: UserRecord | undefined): string {
  const pay = order.payment_history.filter((p) => p.transaction_type === "payment");
  if (!pay.length) return "";
  const total = pay.reduce((s, p) => s + p.amount, 0);
  const methods = [...new Set(pay.map((p) => describePaymentMethod(user?.payment_methods[p.payment_method_id], p.payment_method_id)))];
  const refunds = order.payment_history.filter((p) => p.transaction_type === "refund").reduce((s, p) => s + p.amount, 0);
  return `Paid: ${money(total)} with your ${methods.join(" and ")}${refunds ? ` (${money(refunds)} refunded)` : ""}.`;
}

function deliveryLines(order: OrderRecord): string[] {
  const tracking = (order.fulfillments ?? []).flatMap((f) => f.tracking_id);
  const lines = [tracking.length ? `Tracking: ${tracking.join(", ")}.` : ""];
  if (!tracking.length && (order.status === "pending" || order.status.startsWith("pending"))) lines.push("It hasn't shipped yet, so there is no tracking number.");
  if (order.status !== "delivered" && order.status !== "cancelled")
    lines.push(`I don't have an estimated delivery date on record${tracking.length ? "; the tracking number gives the latest" : ""}.`);
  if (order.address) lines.push(`Shipping to: ${formatAddress(order.address)}.`);
  return lines.filter(Boolean);
}

/**
 * An order's status from its record. A question about one part of it (items, payment, delivery)
 * gets that part; otherwise the whole summary.
 */
export function orderStatus(order: OrderRecord, user?: UserRecord, aspect?: OrderAspect): string {
  const items = `Items:\n${order.items.map((i) => `- ${describeItem(i)}`).join("\n")}`;
  const head = `Order ${order.order_id} is ${order.status}.`;
  switch (aspect) {
    case "items":
      return [head, items].join("\n");
    case "payment":
      return [head, paidLine(order, user) || "I have no payment recorded for it.", items].filter(Boolean).join("\n");
    case "delivery":
      return [head, ...deliveryLines(order)].join("\n");
    default: {
      const tracking = (order.fulfillments ?? []).flatMap((f) => f.tracking_id);
      return [head, items, paidLine(order, user), tracking.length ? `Tracking: ${tracking.join(", ")}.` : "", order.address ? `Shipping to: ${formatAddress(order.address)}.` : ""]
        .filter(Boolean)
        .join("\n");
    }
  }
}

export function refundStatus(order: OrderRecord, user: UserRecord | undefined): string {
  const refunds = order.payment_history.filter((p) => p.transaction_type === "refund");
  if (!refunds.length) return `Order ${order.order_id} is ${order.status} and has no refunds recorded.`;
  const lines = refunds.map((r) => `- ${money(r.amount)} to ${describePaymentMethod(user?.payment_methods[r.payment_method_id], r.payment_method_id)}`);
  return `Refunds on order ${order.order_id} (${order.status}):\n${lines.join("\n")}\nGift card refunds arrive immediately; other methods take 5 to 7 business days.`;
}

export const wrongStatus = (order: OrderRecord, verb: string, needed: string) =>
  `Order ${order.order_id} is ${order.status}, so it can't be ${verb}: only ${needed} orders can be ${verb}.`;

export const askCancelReason = (ids: string[]) =>
  `What is the reason for cancelling ${ids.length > 1 ? `orders ${ids.join(" and ")}` : `order ${ids[0]}`}: "no longer needed" or "ordered by mistake"?`;

export function askItems(order: OrderRecord, verb: string): string {
  const items = order.items.map((i, n) => `${n + 1}. ${describeItem(i)}`).join("\n");
  return `Which items from order ${order.order_id} would you like to ${verb}? Please list all of them at once:\n${items}`;
}

export const askPayment = (purpose: string, choices: string[]) =>
  choices.length
    ? `Which payment method should be used to ${purpose}? Options: ${choices.join("; ")}.`
    : `Which payment method should be used to ${purpose}?`;

export const askNewOptions = (item: OrderItem, available: string) =>
  `What would you like instead of your ${item.name} (${describeOptions(item.options)})? Available options: ${available}.`;

export const variantUnavailable = (name: string, target: Record<string, string>, exists: boolean, available: string) =>
  `Sorry, the ${name} with ${describeOptions(target)} ${exists ? "is out of stock" : "doesn't exist"}. Available options: ${available}.`;

export const productUnavailable = (name: string) => `I couldn't load the details of ${name} right now.`;

export const askModifyTarget = () =>
  "What would you like to change on the order: the shipping address, the payment method, or item options (such as size or colour)?";

export const askAddress = (what: string) =>
  `Please give me the full new address for ${what}: street, apartment or suite (if any), city, state, zip code and country — for example "12 Oak St, Apt 3, Austin, TX 78701, USA".`;

export const declined = (summary: string) => `Okay, I haven't made any changes (${summary}). Is there anything else I can help with?`;

export const nothingMore = () => "That has already been handled. Is there anything else I can help with?";

export const actionFailed = (content: string) => `I couldn't complete that: ${content.replace(/^Error:\s*/, "")}.`;

export function actionDone(name: string, args: Record<string, unknown>, result: unknown, user: UserRecord | undefined): string {
  const order = asOrder(result);
  const pm = (id: unknown) => describePaymentMethod(user?.payment_methods[String(id)], String(id));
  switch (name) {
    case "cancel_pending_order": {
      const refund = order?.payment_history.filter((p) => p.transaction_type === "refund") ?? [];
      const total = refund.reduce((s, r) => s + r.amount, 0);
      const gift = refund.some((r) => user?.payment_methods[r.payment_method_id]?.source === "gift_card");
      return `Done: order ${args.order_id} is now cancelled. ${money(total)} will be refunded to the original payment method ${gift ? "immediately" : "within 5 to 7 business days"}.`;
    }
    case "return_delivered_order_items":
      return `Done: the return for order ${args.order_id} is requested (status: ${order?.status ?? "return requested"}). The refund goes to your ${pm(args.payment_method_id)}, and you'll receive an email with instructions for sending the items back.`;
    case "exchange_delivered_order_items":
      return `Done: the exchange for order ${args.order_id} is requested (status: ${order?.status ?? "exchange requested"}). You'll receive an email with instructions for sending the items back; there's no need to place a new order. Any price difference is settled with your ${pm(args.payment_method_id)}.`;
    case "modify_pending_order_items":
      return `Done: the items on order ${args.order_id} are updated (status: ${order?.status ?? "pending (item modified)"}). Any price difference is settled with your ${pm(args.payment_method_id)}.`;
    case "modify_pending_order_address":
      return `Done: order ${args.order_id} will now ship to ${formatAddress(order?.address ?? (args as Record<string, string>))}.`;
    case "modify_pending_order_payment":
      return `Done: order ${args.order_id} is now paid with your ${pm(args.payment_method_id)}. The original payment method is refunded (immediately for a gift card, otherwise within 5 to 7 business days).`;
    case "modify_user_address": {
      const u = result as UserRecord | undefined;
      return `Done: your default address is now ${formatAddress(u?.address ?? (args as Record<string, string>))}.`;
    }
    case "offer_discount": {
      const r = result as { percent?: number; code?: string; requested_percent?: number; note?: string } | undefined;
      const pct = r?.percent ?? args.percent;
      return `I can offer you ${pct}% off${r?.code ? ` with code ${r.code}` : ""}.${r?.note ? ` ${r.note}` : ""}`;
    }
    case "transfer_to_human_agents":
      return transferred();
    default:
      return "Done.";
  }
}

export function describeAction(name: string, args: Record<string, unknown>, ctx: { orders: Record<string, unknown>; customer: UserRecord | undefined }): string {
  const order = asOrder(ctx.orders[String(args.order_id)]);
  const itemName = (id: string) => {
    const it = order?.items.find((i) => i.item_id === id);
    return it ? `${it.name} (${describeOptions(it.options)})` : `item ${id}`;
  };
  const pm = (id: unknown) => describePaymentMethod(ctx.customer?.payment_methods[String(id)], String(id));
  const list = (ids: unknown) => (Array.isArray(ids) ? ids.map((i) => itemName(String(i))).join(", ") : "");
  switch (name) {
    case "cancel_pending_order":
      return `cancel order ${args.order_id} (reason: ${args.reason})`;
    case "return_delivered_order_items": {
      const amount = order?.items.filter((i) => (args.item_ids as string[]).includes(i.item_id)).reduce((s, i) => s + i.price, 0);
      return `return ${list(args.item_ids)} from order ${args.order_id}, refunding ${amount !== undefined ? money(amount) : "the item price"} to your ${pm(args.payment_method_id)}`;
    }
    case "exchange_delivered_order_items":
    case "modify_pending_order_items": {
      const news = (args.new_item_ids as string[]).map((id, n) => `${itemName((args.item_ids as string[])[n])} → item ${id}`);
      return `${name.startsWith("exchange") ? "exchange" : "change"} on order ${args.order_id}: ${news.join("; ")}, settling any price difference with your ${pm(args.payment_method_id)}`;
    }
    case "modify_pending_order_address":
      return `change the shipping address of order ${args.order_id} to ${formatAddress(args as Record<string, string>)}`;
    case "modify_pending_order_payment":
      return `pay for order ${args.order_id} with your ${pm(args.payment_method_id)} instead`;
    case "modify_user_address":
      return `change your default address to ${formatAddress(args as Record<string, string>)}`;
    default:
      return `${name} ${JSON.stringify(args)}`;
  }
}

/** A discount the customer (or an associate for them) asked for, proposed as asked; policy decides. */
export const discountProposal = (pct: number) => `I can apply a ${pct}% discount.`;

export const askProduct = () => "Which product would you like to know about?";

export function productInfo(p: ProductRecord, wanted: Record<string, string>): string {
  const variants = Object.values(p.variants).filter((v) => Object.entries(wanted).every(([k, val]) => v.options[k] === undefined || v.options[k] === val));
  const shown = (variants.length ? variants : Object.values(p.variants)).slice(0, 8);
  const lines = shown.map((v) => `- ${describeOptions(v.options)}: ${money(v.price)}${v.available ? "" : " (unavailable)"}`);
  const more = Object.keys(p.variants).length - shown.length;
  return `${p.name} comes in these options:\n${lines.join("\n")}${more > 0 ? `\n…and ${more} more.` : ""}`;
}

interface StoreLine {
  store_id: string;
  name?: string;
  city?: string;
  state?: string;
  distance_miles?: number;
  quantity?: number;
}

const storeLabel = (s: StoreLine) => `${s.name ?? `store ${s.store_id}`} (#${s.store_id}${s.city ? `, ${s.city}` : ""}${s.state ? `, ${s.state}` : ""})`;

export function stock(ctx: ModelContext): string {
  const s = ctx.stock as
    | {
        product?: { name: string };
        options?: Record<string, string>;
        store?: StoreLine & { quantity: number };
        nearest?: (StoreLine & { quantity: number })[];
        warehouses?: { warehouse_id: string; name?: string; quantity: number }[];
        note?: string;
        variants?: unknown[];
      }
    | null;
  if (!s || !s.product) return "Which product would you like me to check, and at which store (store number or city)?";
  if (s.variants) return variantStock(s as VariantStock);
  const what = `${s.product.name}${s.options && Object.keys(s.options).length ? ` (${describeOptions(s.options)})` : ""}`;
  const parts: string[] = [];
  if (s.store) {
    parts.push(s.store.quantity > 0 ? `${storeLabel(s.store)} has ${s.store.quantity} ${what} in stock.` : `${storeLabel(s.store)} is out of ${what}.`);
  }
  if (!s.store || s.store.quantity <= 0) {
    const near = (s.nearest ?? []).filter((n) => n.quantity > 0);
    if (near.length) parts.push(`Nearest stores with stock: ${near.map((n) => `${storeLabel(n)}: ${n.quantity}${n.distance_miles !== undefined ? `, ${Math.round(n.distance_miles)} miles away` : ""}`).join("; ")}.`);
    const wh = (s.warehouses ?? []).filter((w) => w.quantity > 0);
    if (wh.length) parts.push(`Warehouses that can ship it: ${wh.map((w) => `${w.name ?? w.warehouse_id}: ${w.quantity}`).join("; ")}.`);
    if (!near.length && !wh.length) parts.push(`I found no ${what} in stock nearby or in the warehouses.`);
  }
  if (s.note) parts.push(s.note);
  return parts.join(" ");
}

interface VariantStock {
  product: { name: string };
  store?: StoreLine & { quantity: number };
  warehouses?: { warehouse_id: string; name?: string; quantity: number }[];
  variants: { options: Record<string, string>; store_quantity?: number; warehouse_quantity?: number }[];
  note?: string;
}

/** Stock per option when the customer named the product but not which variant; ends by asking which one. */
function variantStock(s: VariantStock): string {
  const name = s.product.name;
  const parts: string[] = [];
  const line = (opts: Record<string, string>, n: number) => `- ${describeOptions(opts)}: ${n}`;
  if (s.store) {
    const here = s.variants.filter((v) => (v.store_quantity ?? 0) > 0);
    const out = s.variants.filter((v) => !((v.store_quantity ?? 0) > 0));
    if (here.length) {
      parts.push(`${storeLabel(s.store)} has the ${name} in ${here.length === 1 ? "this option" : `these ${here.length} options`}:\n${here.map((v) => line(v.options, v.store_quantity!)).join("\n")}`);
      if (out.length) parts.push(`Out of stock there: ${out.slice(0, 6).map((v) => describeOptions(v.options)).join("; ")}${out.length > 6 ? ` and ${out.length - 6} more` : ""}.`);
    } else {
      parts.push(`${storeLabel(s.store)} is out of every option of the ${name}.`);
    }
  }
  if (!s.store || s.store.quantity <= 0) {
    const shipped = s.variants.filter((v) => (v.warehouse_quantity ?? 0) > 0);
    if (shipped.length) {
      parts.push(`Our warehouses can ship the ${name} in these options:\n${shipped.slice(0, 8).map((v) => line(v.options, v.warehouse_quantity!)).join("\n")}${shipped.length > 8 ? `\n…and ${shipped.length - 8} more.` : ""}`);
      const wh = (s.warehouses ?? []).filter((w) => w.quantity > 0);
      if (wh.length) parts.push(`Warehouses that can ship it: ${wh.map((w) => `${w.name ?? w.warehouse_id}: ${w.quantity}`).join("; ")}.`);
    } else {
      parts.push(`I found no ${name} in stock in the warehouses.`);
    }
  }
  const next = !s.store
    ? "Tell me, with a store number or your zip code, and I'll check the stores too."
    : s.store.quantity > 0
      ? "I can also check nearby stores for one that's out here."
      : "Tell me and I'll check the nearest stores that have it.";
  parts.push(`Which option would you like? ${next}`);
  if (s.note) parts.push(s.note);
  return parts.join("\n");
}

export function storeInfo(ctx: ModelContext): string {
  const stores = (ctx.stores as (StoreLine & { address1?: string; zip?: string; hours?: string; phone?: string; format?: string })[] | null) ?? [];
  if (!stores.length) return "Which store would you like to know about? Give me a store number or a city.";
  return stores
    .slice(0, 3)
    .map((s) => `${storeLabel(s)}: ${[s.address1, s.city, s.state, s.zip].filter(Boolean).join(", ")}${s.hours ? `. Hours: ${s.hours}` : ""}${s.phone ? `. Phone: ${s.phone}` : ""}.`)
    .join("\n");
}

const effectsText = (ctx: ModelContext, effects: string[]) =>
  ctx.policy_effects.filter((e) => effects.includes(e.effect)).map((e) => e.description);

export function loyalty(ctx: ModelContext, user: UserRecord | undefined): string {
  const l = ctx.loyalty as { tier?: string; points?: number; points_balance?: number } | null;
  const name = user?.name?.first_name ? `${user.name.first_name}, y` : "Y";
  if (!l || !l.tier) return `${name}ou don't have a loyalty account on file yet.`;
  const points = l.points ?? l.points_balance;
  const perks = effectsText(ctx, ["free_expedited_shipping", "discount_cap", "tier_benefit", "promo_eligibility"]);
  return `${name}ou're a ${l.tier} member${points !== undefined ? ` with ${points} points` : ""}.${perks.length ? ` ${perks.join(" ")}` : ""}`;
}

export function promotions(ctx: ModelContext): string {
  type Promo = { promo_code?: string; description?: string; discount_type?: string; discount_value?: number; min_subtotal?: number | null; ends_on?: string; eligible?: boolean; reasons?: string[] };
  const promos = (ctx.promotions as Promo[] | null) ?? [];
  const rules = effectsText(ctx, ["promo_eligibility", "promo_blocked", "promo_cooldown", "discount_cap"]);
  if (!promos.length) return `There are no promotions running for you right now.${rules.length ? ` ${rules.join(" ")}` : ""}`;
  const value = (p: Promo) => (p.discount_type === "percent" ? `${p.discount_value}% off` : p.discount_value !== undefined ? `${money(p.discount_value)} off` : "");
  const lines = promos.slice(0, 5).map((p) => {
    const status = p.eligible === false ? ` — not available to you${p.reasons?.length ? ` (${p.reasons.join("; ")})` : ""}` : "";
    return `- ${p.promo_code ?? ""}: ${p.description ?? value(p)}${p.min_subtotal ? `, min. spend ${money(p.min_subtotal)}` : ""}${p.ends_on ? `, until ${p.ends_on}` : ""}${status}`;
  });
  return `Current promotions:\n${lines.join("\n")}${rules.length ? `\n${rules.join(" ")}` : ""}`;
}

export function shipping(ctx: ModelContext): string {
  const options = (ctx.shipping as { method?: string; name?: string; price?: number; days?: string | number; min_days?: number; max_days?: number }[] | null) ?? [];
  const perks = effectsText(ctx, ["free_expedited_shipping", "sales_tax"]);
  if (!options.length) return `Standard shipping takes 5 to 7 business days.${perks.length ? ` ${perks.join(" ")}` : ""}`;
  const lines = options.map((o) => `- ${o.name ?? o.method}: ${o.price !== undefined ? (o.price === 0 ? "free" : money(o.price)) : ""}${o.min_days !== undefined ? `, ${o.min_days}–${o.max_days} business days` : o.days !== undefined ? `, ${o.days} business days` : ""}`);
  return `Shipping options:\n${lines.join("\n")}${perks.length ? `\n${perks.join(" ")}` : ""}`;
}

/** Answers from the retailer's written policy (τ-bench policy.md), by topic. */
export const refundTiming = () =>
  "Refunds go back to the original payment method or to an existing gift card: a gift card refund arrives immediately, other methods take 5 to 7 business days once the cancellation or return is processed. If you'd like me to check a refund of yours, tell me the email address on your account (or your name and zip code).";

export function policyAnswer(text: string): string {
  const t = text.toLowerCase();
  if (/cancel/.test(t))
    return "Only pending orders can be cancelled, for the reason \"no longer needed\" or \"ordered by mistake\". The total is refunded to the original payment method: immediately for a gift card, otherwise within 5 to 7 business days.";
  if (/exchange|swap/.test(t))
    return "Delivered orders can be exchanged for an available item of the same product with different options (not a different product). You pay or receive the price difference with a payment method of yours, and you'll get an email on how to return the items.";
  if (/return|refund/.test(t))
    return "Delivered orders can be returned. The refund goes to the original payment method or an existing gift card, and you'll receive an email explaining how to send the items back.";
  if (/change|modify|address|payment/.test(t))
    return "Pending orders can have their shipping address, payment method or item options changed. Item options can be changed only once per order, to an available item of the same product.";
  return "I can help you cancel or change pending orders, return or exchange delivered orders, update your address, and answer questions about your orders, products, stock, stores, shipping, loyalty and promotions.";
}

export const greeting = (role: string) =>
  role === "associate"
    ? "Hi! I can check stock at your store and nearby stores, look up products, and help with customer orders."
    : "Hi! I'm Aisle's assistant. I can help with your orders (status, cancellations, changes), returns and exchanges, product stock, stores, shipping, loyalty and promotions. What can I do for you?";

export const verified = (user: UserRecord | undefined) =>
  `Thanks${user?.name?.first_name ? `, ${user.name.first_name}` : ""} — I've verified your account. How can I help you today?`;

export const outOfScope = () =>
  "Sorry, I can't help with that. I can help with orders, returns and exchanges, product stock and details, stores, shipping, loyalty and promotions.";

export const transferred = () => "I've transferred you to a human agent, with a summary of our conversation. They'll be with you shortly.";

export function handoffSummary(ctx: ModelContext): string {
  const s = ctx.slots as Record<string, any>;
  const parts = [
    ctx.authenticated ? `Customer ${ctx.authenticated.user_id} (authenticated).` : "Customer not authenticated.",
    s.order_ids?.length ? `Orders mentioned: ${s.order_ids.join(", ")}.` : "",
    ctx.recent_user_text.length ? `Customer said: "${ctx.recent_user_text.slice(-3).join(" / ").slice(0, 400)}".` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
