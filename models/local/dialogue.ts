import type { ModelContext } from "./context.ts";
import { BLOCKED_PREFIX } from "./context.ts";
import {
  asOrder,
  asProduct,
  asUser,
  describeItem,
  describeOptions,
  describePaymentMethod,
  formatAddress,
  money,
  originalPaymentMethod,
  type OrderItem,
  type OrderRecord,
  type PaymentMethod,
  type ProductRecord,
  type UserRecord,
} from "./records.ts";
import * as say from "./replies.ts";
import { EMPTY_THREAD, type ThreadFacts } from "./thread.ts";

/**
 * Aisle's deterministic dialogue policy: given what the conversation knows (context block) and
 * the tool results of this turn, decide the next move — ask for exactly what is missing, propose
 * one tool call, or answer from tool results. It proposes; the graph's governance node decides
 * whether a proposal runs (authentication, ownership, confirmation, caps are enforced there).
 */

export type Decision =
  /**
   * `say`: what the customer should still hear when this proposal ends the turn (e.g. the outcome
   * of the previous order of a multi-order request when the next one is listed for confirmation).
   */
  | { kind: "tool"; name: string; args: Record<string, unknown>; say?: string }
  | { kind: "reply"; text: string };

/** One tool call made earlier in this turn and what it returned. */
export interface ToolResult {
  name: string;
  args: Record<string, unknown>;
  content: string;
  /** False for τ-bench "Error: …" answers and for calls governance did not run. */
  ok: boolean;
}

const tool = (name: string, args: Record<string, unknown>): Decision => ({ kind: "tool", name, args });
const reply = (text: string): Decision => ({ kind: "reply", text });

const sameArgs = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === "object") {
    return Object.fromEntries(
      Object.keys(x as object)
        .sort()
        .map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
    );
  }
  return x;
}

class Turn {
  constructor(
    readonly ctx: ModelContext,
    readonly results: ToolResult[],
    readonly thread: ThreadFacts = EMPTY_THREAD,
  ) {}

  get slots() {
    return this.ctx.slots as Record<string, any>;
  }
  get entities() {
    return this.ctx.entities as Record<string, any>;
  }
  can(name: string) {
    return this.ctx.tools.includes(name);
  }
  called(name: string, args?: Record<string, unknown>) {
    return this.results.find((r) => r.name === name && (!args || sameArgs(r.args, args)));
  }
  lastResult(name: string) {
    return [...this.results].reverse().find((r) => r.name === name);
  }
  /** Propose `name(args)` unless it already ran this turn (never loop on the same call). */
  propose(name: string, args: Record<string, unknown>): Decision | undefined {
    if (!this.can(name)) return undefined;
    return this.called(name, args) ? undefined : tool(name, args);
  }
  get user(): UserRecord | undefined {
    return asUser(this.ctx.customer);
  }
  text(): string {
    return this.ctx.recent_user_text.join("\n");
  }
  latestText(): string {
    return this.ctx.recent_user_text.at(-1) ?? "";
  }
}

// ---------- authentication ----------

function authenticate(t: Turn): Decision | undefined {
  if (t.ctx.authenticated) {
    if (!t.user) {
      const d = t.propose("get_user_details", { user_id: t.ctx.authenticated.user_id });
      if (d) return d;
    }
    return undefined;
  }
  const lookup = [...t.results].reverse().find((r) => r.name.startsWith("find_user_id"));
  if (lookup && !lookup.ok) {
    if (lookup.content.startsWith(BLOCKED_PREFIX)) return reply(lookup.content.slice(BLOCKED_PREFIX.length));
    return reply(say.authFailed());
  }
  const email = (t.slots.emails as string[]).at(-1);
  if (email) {
    const d = t.propose("find_user_id_by_email", { email });
    if (d) return d;
  }
  const { first_name, last_name, zip } = t.slots;
  if (first_name && last_name && zip) {
    const d = t.propose("find_user_id_by_name_zip", { first_name, last_name, zip });
    if (d) return d;
  }
  return reply(say.askAuthentication((t.slots.user_ids as string[]).length > 0));
}

// ---------- orders ----------

// "the other one", "the other order"; "the first/second/last one".
const OTHER_ORDER = /\b(?:the\s+)?other\s+(?:one|order)\b/i;
const ORDINAL_ORDER = /\b(?:the\s+)?(first|second|third|last)\s+(?:one|order)\b/i;
// A back-reference to something already discussed ("it", "them", "that order", "both").
const ANAPHOR = /\b(?:it|its|that|this|them|they|those|these|both|same)\b/i;

/**
 * The orders this message is about, oldest first. Order ids in the message win; otherwise the
 * group the customer last named ("cancel #W1 and #W2" stays the group until other ids are named);
 * "the other one" / "the second one" pick from that group (or from every order named so far when
 * the group is a single order); "it"/"them" after a reply about orders outside the group (the
 * answer to "and the other one?") mean the orders of that reply.
 */
function focusOrders(t: Turn): string[] {
  const named = t.entities.order_ids as string[];
  if (named.length) return named;
  const group = t.slots.order_ids as string[];
  const text = t.latestText();
  const pool = group.length > 1 ? group : t.thread.mentioned;
  const discussed = t.thread.lastDiscussed;
  if (OTHER_ORDER.test(text)) {
    const others = pool.filter((id) => !discussed.includes(id));
    if (others.length) return [others.at(-1)!];
  }
  const ord = text.match(ORDINAL_ORDER);
  // After a reply about exactly one order (e.g. the numbered list of its items), "the first one"
  // picks within that order; "the first order", or after a reply about several orders (or none),
  // it picks an order — from the group, the orders named so far, or the account's orders we listed.
  if (ord && !/\border\b/i.test(ord[0]) && discussed.length === 1 && group.length <= 1) return discussed;
  const ordPool = pool.length > 1 ? pool : !group.length ? (t.user?.orders ?? []) : [];
  if (ord && ordPool.length > 1) {
    const at = { first: 0, second: 1, third: 2, last: ordPool.length - 1 }[ord[1].toLowerCase() as "first"]!;
    if (ordPool[at]) return [ordPool[at]];
  }
  const known = new Set([...t.thread.mentioned, ...(t.user?.orders ?? [])]);
  const fromReply = discussed.filter((id) => known.has(id));
  if (ANAPHOR.test(text) && fromReply.length && fromReply.some((id) => !group.includes(id))) return fromReply;
  return group;
}

type Resolved = { order: OrderRecord } | { decision: Decision } | { note: string };

/** One order of the request, fetched if needed; a refusal or "not found" becomes a note. */
function resolveOrderId(t: Turn, id: string): Resolved {
  const known = asOrder(t.ctx.orders[id]);
  const fetched = t.called("get_order_details", { order_id: id });
  if (fetched && !fetched.ok) {
    if (fetched.content.startsWith(BLOCKED_PREFIX)) return { note: fetched.content.slice(BLOCKED_PREFIX.length) };
    return { note: say.orderNotFound(id) };
  }
  if (!known) {
    const d = t.propose("get_order_details", { order_id: id });
    return d ? { decision: d } : { note: say.orderNotFound(id) };
  }
  return { order: known };
}

/** The order the request is about (the first of the focus), fetched if needed; or what must come first. */
function resolveOrder(t: Turn, purpose: string): { order: OrderRecord } | { decision: Decision } {
  const id = focusOrders(t)[0];
  if (!id) return { decision: reply(say.askOrderId(purpose, t.user?.orders ?? [])) };
  const r = resolveOrderId(t, id);
  return "note" in r ? { decision: reply(r.note) } : r;
}

const joinText = (parts: string[]) => parts.filter(Boolean).join("\n\n");

/** Notes about orders that were skipped, said before `d` (or attached to a proposal). */
function withNotes(notes: string[], d: Decision): Decision {
  if (!notes.length) return d;
  return d.kind === "reply" ? reply(joinText([...notes, d.text])) : { ...d, say: joinText([...notes, d.say ?? ""]) };
}

type Step = Decision | { skip: string };

/**
 * Runs a consequential request over every order in focus, one at a time: orders whose action
 * already succeeded since the customer named them are skipped, an order that cannot take the
 * action (wrong status, not theirs) becomes a note and the next order is tried. Each order's
 * action is proposed on its own, so governance lists it and waits for its own "yes".
 */
function eachOrder(t: Turn, purpose: string, tool: string, act: (order: OrderRecord, pending: string[]) => Step): Decision {
  const ids = focusOrders(t);
  if (!ids.length) return reply(say.askOrderId(purpose, t.user?.orders ?? []));
  const open = ids.filter((id) => !t.thread.done.some((d) => d.name === tool && d.order_id === id && d.at > t.thread.requestStart));
  const notes: string[] = [];
  for (const [n, id] of open.entries()) {
    const r = resolveOrderId(t, id);
    if ("note" in r) {
      notes.push(r.note);
      continue;
    }
    if ("decision" in r) return withNotes(notes, r.decision);
    const step = act(r.order, open.slice(n));
    if ("skip" in step) {
      notes.push(step.skip);
      continue;
    }
    return withNotes(notes, step);
  }
  return reply(notes.length ? notes.join("\n") : say.nothingMore());
}

/** Items of `order` the customer named (by product name or item id), or all when they said so. */
function namedItems(t: Turn, order: OrderRecord): OrderItem[] {
  if (t.slots.all_items) return order.items;
  const itemIds = new Set<string>(t.slots.item_ids ?? []);
  const productIds = new Set((t.slots.products as { product_id: string }[]).map((p) => p.product_id));
  const byId = order.items.filter((i) => itemIds.has(i.item_id));
  if (byId.length) return byId;
  const byProduct = order.items.filter((i) => productIds.has(i.product_id));
  return byProduct;
}



// ---------- payment methods ----------

function paymentMethods(t: Turn): PaymentMethod[] {
  return Object.values(t.user?.payment_methods ?? {});
}

/**
 * The payment method the customer chose for `purpose`. `refund`: original method or a gift card
 * (τ-bench return rule); `difference`: any of theirs; `change`: any but the order's original.
 */
function choosePayment(t: Turn, order: OrderRecord, purpose: "refund" | "difference" | "change"): string | undefined {
  const mentions = t.slots.payment as string[];
  const original = originalPaymentMethod(order);
  const methods = paymentMethods(t);
  const last4 = t.slots.card_last_four as string | undefined;
  for (const m of [...mentions].reverse()) {
    if (m === "original" && purpose !== "change") return original;
    const candidates = methods.filter((p) => p.source === m && (purpose !== "change" || p.id !== original));
    if (m === "credit_card" && last4) {
      const byDigits = candidates.find((p) => p.last_four === last4);
      if (byDigits) return byDigits.id;
    }
    if (candidates.length === 1) return candidates[0].id;
    if (candidates.length > 1) return undefined; // ambiguous: ask
    // A named method that is the original (e.g. "to my paypal" when paypal paid) is also fine for refunds.
    const orig = methods.find((p) => p.id === original && p.source === m);
    if (orig && purpose !== "change") return orig.id;
  }
  // "yes" to a question that offered a single method ("Options: PayPal.") takes that method.
  if (!mentions.length && t.entities.confirmation === "yes") {
    const eligible =
      purpose === "refund"
        ? [original, ...methods.filter((p) => p.source === "gift_card" && p.id !== original).map((p) => p.id)].filter((id): id is string => !!id)
        : methods.filter((p) => purpose !== "change" || p.id !== original).map((p) => p.id);
    if (eligible.length === 1) return eligible[0];
  }
  return undefined;
}

function paymentChoices(t: Turn, order: OrderRecord, purpose: "refund" | "difference" | "change"): string[] {
  const original = originalPaymentMethod(order);
  const methods = paymentMethods(t);
  const byId = Object.fromEntries(methods.map((m) => [m.id, m]));
  if (purpose === "refund") {
    const out = [`the original payment method (${describePaymentMethod(byId[original ?? ""], original)})`];
    for (const g of methods.filter((m) => m.source === "gift_card" && m.id !== original)) out.push(describePaymentMethod(g));
    return out;
  }
  return methods.filter((m) => purpose !== "change" || m.id !== original).map((m) => describePaymentMethod(m));
}

// ---------- product options ----------

const VAGUE_VALUES = new Set(["yes", "no", "none"]);

/** Option values of `product` the customer's recent words name, keyed by option (last mention wins). */
function requestedOptions(t: Turn, product: ProductRecord, current: Record<string, string>): Record<string, string> {
  const text = t.text();
  const lower = text.toLowerCase();
  const values = new Map<string, Set<string>>();
  for (const v of Object.values(product.variants)) {
    for (const [k, val] of Object.entries(v.options)) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(val);
    }
  }
  const out: Record<string, string> = {};
  for (const [key, vals] of values) {
    let best: { value: string; at: number } | undefined;
    for (const val of vals) {
      const v = val.toLowerCase();
      const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      let at = -1;
      if (v.length <= 2 || VAGUE_VALUES.has(v)) {
        // Short values ("M", "L", "8") and yes/no only count next to their option name ("size M").
        const m = [...lower.matchAll(new RegExp(`\\b${key}\\s*(?:of\\s+|:\\s*|to\\s+)?${escaped}(?![\\w-])`, "g"))].at(-1);
        if (m) at = m.index!;
        // A short value with a letter written as the catalogue writes it ("XL", "A5"), or a message
        // that is nothing but the value ("a5 please") answering the options we listed.
        if (at < 0 && /^(?:the\s+)?([\w.-]{1,3})(?:\s+(?:please|pls|thanks|thank you))?[.!]?$/i.exec(t.latestText().trim())?.[1]?.toLowerCase() === v) {
          at = lower.lastIndexOf(v);
        }
        if (at < 0 && v.length <= 3 && /^[a-z0-9]+$/i.test(val) && /[a-z]/i.test(val)) {
          const up = [...text.matchAll(new RegExp(`(?<![\\w-])${val.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`, "g"))].at(-1);
          if (up && val === val.toUpperCase()) at = up.index!;
        }
      } else {
        const m = [...lower.matchAll(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, "g"))].at(-1);
        if (m) at = m.index!;
      }
      if (at < 0) continue;
      // Prefer a value that differs from what the customer has (they name the old one too).
      const differs = val !== current[key];
      if (!best || (differs && (best.value === current[key] || at > best.at)) || (!differs && best.value === current[key] && at > best.at)) {
        if (!best || differs || best.value === current[key]) best = { value: val, at };
      }
    }
    if (best && best.value !== current[key]) out[key] = best.value;
  }
  return out;
}

function optionSummary(product: ProductRecord): string {
  const values = new Map<string, Set<string>>();
  for (const v of Object.values(product.variants)) {
    if (!v.available) continue;
    for (const [k, val] of Object.entries(v.options)) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(val);
    }
  }
  return [...values].map(([k, vs]) => `${k}: ${[...vs].join(", ")}`).join("; ");
}

type Swap = { item: OrderItem; newItemId: string; newOptions: Record<string, string> };

/** New items for an exchange/modification: same product, the requested options, available. */
function resolveSwaps(t: Turn, items: OrderItem[]): { swaps: Swap[] } | { decision: Decision } {
  const swaps: Swap[] = [];
  for (const item of items) {
    const product = asProduct(t.ctx.products[item.product_id]);
    if (!product) {
      const d = t.propose("get_product_details", { product_id: item.product_id });
      return { decision: d ?? reply(say.productUnavailable(item.name)) };
    }
    const wanted = requestedOptions(t, product, item.options);
    if (Object.keys(wanted).length === 0) {
      return { decision: reply(say.askNewOptions(item, optionSummary(product))) };
    }
    const target = { ...item.options, ...wanted };
    const match = Object.values(product.variants).find(
      (v) => v.item_id !== item.item_id && Object.entries(target).every(([k, val]) => v.options[k] === val),
    );
    if (!match || !match.available) {
      return { decision: reply(say.variantUnavailable(item.name, target, !!match, optionSummary(product))) };
    }
    swaps.push({ item, newItemId: match.item_id, newOptions: match.options });
  }
  return { swaps };
}

// ---------- outcomes of consequential tools ----------

const ACTION_TOOLS = new Set([
  "cancel_pending_order",
  "return_delivered_order_items",
  "exchange_delivered_order_items",
  "modify_pending_order_items",
  "modify_pending_order_address",
  "modify_pending_order_payment",
  "modify_user_address",
  "transfer_to_human_agents",
]);

/** The consequential tools (written once, each after its own "yes"); threadFacts tracks them. */
export const CONSEQUENTIAL_TOOLS: ReadonlySet<string> = new Set([...ACTION_TOOLS].filter((n) => n !== "transfer_to_human_agents"));

/** What the customer is told about the actions of this turn: every success, then a failure if the last one failed. */
function actionOutcome(t: Turn): { text: string; ok: boolean } | undefined {
  const actions = t.results.filter((r) => ACTION_TOOLS.has(r.name) || r.name === "offer_discount");
  const last = actions.at(-1);
  if (!last) return undefined;
  const done = actions.filter((r) => r.ok).map((r) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.content);
    } catch {
      parsed = r.content;
    }
    return say.actionDone(r.name, r.args, parsed, t.user);
  });
  if (!last.ok) {
    const why = last.content.startsWith(BLOCKED_PREFIX) ? last.content.slice(BLOCKED_PREFIX.length) : say.actionFailed(last.content);
    return { text: [...done, why].join("\n"), ok: false };
  }
  return { text: done.join("\n"), ok: true };
}

// ---------- per intent ----------

function declinedConfirmation(t: Turn): Decision | undefined {
  if (t.entities.confirmation === "no" && t.ctx.pending_action) return reply(say.declined(t.ctx.pending_action.summary));
  return undefined;
}

/** On "yes" to a listed action, propose exactly the listed call again. */
function confirmedAction(t: Turn): Decision | undefined {
  const p = t.ctx.pending_action;
  if (t.entities.confirmation === "yes" && p) return t.propose(p.tool, p.args);
  return undefined;
}

/** Every order in focus, fetched if needed, rendered by `render`; refusals and unknown ids are said too. */
// "all my orders", "every order", "each of my orders": questions (not actions) about all of them.
const ALL_ORDERS = /\b(?:all (?:of )?(?:my |the )?orders|every (?:one of my )?orders?|each of my orders|all of them)\b/i;

function describeOrders(t: Turn, purpose: string, render: (o: OrderRecord) => string): Decision {
  const named = focusOrders(t);
  const ids = !(t.entities.order_ids as string[]).length && ALL_ORDERS.test(t.latestText()) && t.user?.orders?.length ? t.user.orders : named;
  if (!ids.length) return reply(say.askOrderId(purpose, t.user?.orders ?? []));
  const parts: string[] = [];
  for (const id of ids) {
    const r = resolveOrderId(t, id);
    if ("decision" in r) return r.decision;
    parts.push("note" in r ? r.note : render(r.order));
  }
  return reply(joinText(parts));
}

function orderStatus(t: Turn): Decision {
  const aspect = say.orderAspect(t.latestText());
  return describeOrders(t, "check", (o) => say.orderStatus(o, t.user, aspect));
}

function refundStatus(t: Turn): Decision {
  return describeOrders(t, "check refunds for", (o) => say.refundStatus(o, t.user));
}

/**
 * A question about the order in the middle of a request ("what did I pay for it?" while returning
 * it): answered from the order record, then the request goes on where it was.
 */
function asksAboutOrder(t: Turn): boolean {
  const e = t.entities;
  const slotAnswer = e.cancel_reason || e.address || e.confirmation || e.all_items || (e.payment as string[]).length || (e.item_ids as string[]).length;
  if (slotAnswer || Object.keys(e.options as object).length) return false;
  return say.isQuestion(t.latestText()) && say.orderAspect(t.latestText()) !== undefined;
}

function cancelOrder(t: Turn): Decision {
  return eachOrder(t, "cancel", "cancel_pending_order", (order, open) => {
    if (order.status !== "pending") return { skip: say.wrongStatus(order, "cancelled", "pending") };
    const reason = t.slots.cancel_reason as string | undefined;
    if (!reason) {
      const pending = open.filter((id) => asOrder(t.ctx.orders[id])?.status !== "delivered" && asOrder(t.ctx.orders[id])?.status !== "cancelled");
      return reply(say.askCancelReason(pending.length > 1 ? pending : [order.order_id]));
    }
    return t.propose("cancel_pending_order", { order_id: order.order_id, reason }) ?? reply(say.nothingMore());
  });
}

function returnItems(t: Turn): Decision {
  return eachOrder(t, "return items from", "return_delivered_order_items", (order) => {
    if (order.status !== "delivered") return { skip: say.wrongStatus(order, "returned", "delivered") };
    const items = namedItems(t, order);
    if (items.length === 0) return reply(say.askItems(order, "return"));
    const pm = choosePayment(t, order, "refund");
    if (!pm) return reply(say.askPayment("receive the refund", paymentChoices(t, order, "refund")));
    return (
      t.propose("return_delivered_order_items", {
        order_id: order.order_id,
        item_ids: items.map((i) => i.item_id),
        payment_method_id: pm,
      }) ?? reply(say.nothingMore())
    );
  });
}

function swapItems(t: Turn, kind: "exchange" | "modify"): Decision {
  const name = kind === "exchange" ? "exchange_delivered_order_items" : "modify_pending_order_items";
  return eachOrder(t, kind === "exchange" ? "exchange items from" : "change", name, (order) => {
    const status = kind === "exchange" ? "delivered" : "pending";
    if (order.status !== status) return { skip: say.wrongStatus(order, kind === "exchange" ? "exchanged" : "modified", status) };
    const items = namedItems(t, order);
    if (items.length === 0) return reply(say.askItems(order, kind === "exchange" ? "exchange" : "change"));
    const s = resolveSwaps(t, items);
    if ("decision" in s) return s.decision;
    const pm = choosePayment(t, order, "difference");
    if (!pm) return reply(say.askPayment("pay or receive the price difference", paymentChoices(t, order, "difference")));
    return (
      t.propose(name, {
        order_id: order.order_id,
        item_ids: s.swaps.map((x) => x.item.item_id),
        new_item_ids: s.swaps.map((x) => x.newItemId),
        payment_method_id: pm,
      }) ?? reply(say.nothingMore())
    );
  });
}

function modifyOrder(t: Turn): Decision {
  const target = t.slots.modify_target as "address" | "payment" | "items" | undefined;
  if (!target) {
    if (focusOrders(t).length === 0) {
      const r = resolveOrder(t, "change");
      if ("decision" in r) return r.decision;
    }
    return reply(say.askModifyTarget());
  }
  if (target === "items") return swapItems(t, "modify");
  const tool = target === "address" ? "modify_pending_order_address" : "modify_pending_order_payment";
  return eachOrder(t, "change", tool, (order) => {
    if (order.status !== "pending") return { skip: say.wrongStatus(order, "modified", "pending") };
    if (target === "address") {
      const a = t.slots.address as Record<string, string> | undefined;
      if (!a) return reply(say.askAddress(`order ${order.order_id}`));
      return t.propose(tool, { order_id: order.order_id, ...a }) ?? reply(say.nothingMore());
    }
    const pm = choosePayment(t, order, "change");
    if (!pm) return reply(say.askPayment("pay for the order instead", paymentChoices(t, order, "change")));
    return t.propose(tool, { order_id: order.order_id, payment_method_id: pm }) ?? reply(say.nothingMore());
  });
}

function accountUpdate(t: Turn): Decision {
  const a = t.slots.address as Record<string, string> | undefined;
  if (!a) return reply(say.askAddress("your account"));
  return t.propose("modify_user_address", { user_id: t.ctx.authenticated!.user_id, ...a }) ?? reply(say.nothingMore());
}

function productInfo(t: Turn): Decision {
  const products = (t.entities.products as { product_id: string; name: string }[]).length
    ? (t.entities.products as { product_id: string; name: string }[])
    : (t.slots.products as { product_id: string; name: string }[]);
  const p = products.at(-1);
  if (!p) return reply(say.askProduct());
  const known = asProduct(t.ctx.products[p.product_id]);
  if (!known) return t.propose("get_product_details", { product_id: p.product_id }) ?? reply(say.productUnavailable(p.name));
  return reply(say.productInfo(known, (t.slots.options ?? {}) as Record<string, string>));
}

function handoff(t: Turn): Decision {
  const done = t.lastResult("transfer_to_human_agents");
  if (done) return done.ok ? reply(say.transferred()) : reply(say.actionFailed(done.content));
  return t.propose("transfer_to_human_agents", { summary: say.handoffSummary(t.ctx) }) ?? reply(say.transferred());
}

/** Intents that need the customer authenticated before anything personal is said or done. */
const PERSONAL = new Set([
  "order_status",
  "cancel_order",
  "return_request",
  "exchange_request",
  "modify_order",
  "refund_status",
  "account_update",
  "loyalty",
]);

/** A question about refunds in general ("how long do refunds take?"), not about the asker's own. */
function isGeneralRefundQuestion(text: string, orderIds: string[]): boolean {
  if (orderIds.length) return false;
  if (/\b(?:my|mine|me|i|i'?ve|i'?m|i'?d|we|our|us)\b/i.test(text)) return false;
  return /\b(?:how long|how many (?:days|weeks)|how soon|when (?:do|does|will|are|is)|timeline|time ?frame|take)\b/i.test(text);
}

/** Requests that act on orders, one order (and one "yes") at a time. */
const ORDER_ACTIONS: Record<string, (t: Turn) => Decision> = {
  cancel_order: cancelOrder,
  return_request: returnItems,
  exchange_request: (t) => swapItems(t, "exchange"),
  modify_order: modifyOrder,
};

export function decide(ctx: ModelContext, results: ToolResult[], thread: ThreadFacts = EMPTY_THREAD): Decision {
  const t = new Turn(ctx, results, thread);
  const intent = ctx.intent;

  if (intent === "human_agent") return handoff(t);

  // A proposal governance stopped this turn: tell the customer why, do not retry blindly.
  const lastResult = results.at(-1);
  if (lastResult && lastResult.content.startsWith(BLOCKED_PREFIX)) {
    const why = lastResult.content.slice(BLOCKED_PREFIX.length);
    const earlier = actionOutcome(t);
    if (!earlier) return reply(why);
    // Keep what was already done this turn (an earlier order of the request) in the answer.
    return reply(ACTION_TOOLS.has(lastResult.name) || lastResult.name === "offer_discount" ? earlier.text : joinText([earlier.text, why]));
  }

  const outcome = actionOutcome(t);
  const act = ORDER_ACTIONS[intent];
  if (outcome) {
    // Done with one order of a multi-order request: say so, and go on with the next one.
    if (!outcome.ok || !act) return reply(outcome.text);
    const next = act(t);
    if (next.kind === "tool") return { ...next, say: joinText([outcome.text, next.say ?? ""]) };
    return reply(next.text === say.nothingMore() ? outcome.text : joinText([outcome.text, next.text]));
  }

  const declined = declinedConfirmation(t);
  if (declined) return declined;

  // "How long do refunds take?" asks about the policy, not about someone's refund: answer it
  // without asking who they are (and offer to look up theirs).
  if (intent === "refund_status" && !t.ctx.authenticated && isGeneralRefundQuestion(t.latestText(), t.entities.order_ids as string[])) {
    return reply(say.refundTiming());
  }

  if (PERSONAL.has(intent)) {
    const auth = authenticate(t);
    if (auth) return auth;
    const confirmed = confirmedAction(t);
    if (confirmed) return confirmed;
  }

  if (act && asksAboutOrder(t)) {
    const info = orderStatus(t);
    if (info.kind === "tool") return info;
    const next = act(t);
    if (next.kind === "reply") return next.text === say.nothingMore() ? info : reply(joinText([info.text, next.text]));
    // A question is never a "yes": a ready action is listed again (governance asks for its confirmation).
    return { ...next, say: joinText([info.text, next.say ?? ""]) };
  }
  if (act) return act(t);

  switch (intent) {
    case "order_status":
      return orderStatus(t);
    case "refund_status":
      return refundStatus(t);
    case "account_update":
      return accountUpdate(t);
    case "product_info":
      return productInfo(t);
    case "stock_check":
      return reply(say.stock(ctx));
    case "store_info":
      return reply(say.storeInfo(ctx));
    case "loyalty":
      return loyalty(t);
    case "promotions":
      return promotions(t);
    case "shipping_info":
      return reply(say.shipping(ctx));
    case "policy_question":
      return reply(say.policyAnswer(t.latestText()));
    case "greeting": {
      // Identity details on their own: verify them, then ask how to help.
      const gaveIdentity = (t.entities.emails as string[]).length > 0 || (!!t.entities.first_name && !!t.entities.zip);
      if (gaveIdentity && t.can("find_user_id_by_email")) {
        const auth = authenticate(t);
        if (auth) return auth;
        return reply(say.verified(t.user));
      }
      return reply(say.greeting(ctx.caller.role));
    }
    default:
      return reply(say.outOfScope());
  }
}

function wantsDiscount(t: Turn): number | undefined {
  return t.entities.discount_pct as number | undefined;
}

// A discount request is proposed as asked: the policy rules in governance cap it (associates,
// managers) or refuse it (customers cannot grant themselves discounts). The model never decides.
function loyalty(t: Turn): Decision {
  const pct = wantsDiscount(t);
  if (pct !== undefined) return reply(say.discountProposal(pct));
  if (!t.ctx.loyalty) {
    const d = t.propose("get_loyalty_account", { user_id: t.ctx.authenticated!.user_id, history_limit: 0 });
    if (d) return d;
  }
  return reply(say.loyalty(t.ctx, t.user));
}

function promotions(t: Turn): Decision {
  const pct = wantsDiscount(t);
  if (pct !== undefined) return reply(say.discountProposal(pct));
  return reply(say.promotions(t.ctx));
}

export const _internal = { requestedOptions, choosePayment, namedItems, formatAddress, describeItem, describeOptions, money };
