import type { AisleStateValue, AisleUpdate, Intent, StitchedContext } from "../graphs/state.ts";
import type { ContextSources } from "../graphs/sources.ts";
import { sanitizeToolResult } from "../governance/index.ts";

/**
 * Context-stitching: fetch, concurrently, only what this turn's route needs — the authenticated
 * customer's profile and loyalty, the order(s) they mentioned, stock at the named or nearest
 * stores and the warehouses, promotions, shipping — and merge it into the compact typed context
 * the agents read. Orders are fetched only when they belong to the authenticated customer, so no
 * other customer's data ever reaches a model's context.
 *
 * Concurrency is `Promise.all` inside this node rather than a `Send` fan-out: the fetches are
 * single indexed queries (sub-millisecond to a few ms), and a fan-out adds a superstep and a
 * checkpoint write per branch. bench/turn.ts measures both (see docs/BENCHMARKS.md, "Turn").
 */

const NEEDS_CUSTOMER: ReadonlySet<Intent> = new Set([
  "order_status",
  "cancel_order",
  "return_request",
  "exchange_request",
  "modify_order",
  "refund_status",
  "account_update",
  "loyalty",
  "promotions",
  "shipping_info",
  "stock_check",
]);

/** At most this many named orders are fetched per turn (a pasted list of ids stays one small turn). */
const MAX_FOCUS_ORDERS = 5;

type Fetch = { name: string; run: () => Promise<Partial<StitchedContext>> };

export function planFetches(state: AisleStateValue, sources: ContextSources, customer: Record<string, unknown> | null): Fetch[] {
  const route = state.route;
  if (!route) return [];
  const intent = route.intent;
  const e = state.entities;
  const slots = state.slots;
  const auth = state.authenticated;
  const fetches: Fetch[] = [];
  const ownOrders = new Set<string>((customer?.orders as string[] | undefined) ?? []);

  if (auth) {
    // Every order of the group the customer last named ("cancel #W1 and #W2"), so follow-ups
    // ("what's in them?") and the next order of a multi-order request are already in context.
    const orderIds = new Set<string>([...e.order_ids, ...slots.order_ids.slice(-MAX_FOCUS_ORDERS)]);
    for (const id of orderIds) {
      if (!ownOrders.has(id)) continue; // governance answers for orders that are not theirs
      fetches.push({
        name: `order:${id}`,
        run: async () => {
          const o = await sources.order(id);
          return o ? { orders: { [id]: o } } : {};
        },
      });
    }
    if (sources.loyalty && ["loyalty", "promotions", "shipping_info"].includes(intent)) {
      const load = sources.loyalty;
      fetches.push({ name: "loyalty", run: async () => ({ loyalty: await load(auth.user_id) }) });
    }
  }

  const products = e.products.length ? e.products : ["product_info", "stock_check"].includes(intent) ? slots.products.slice(-1) : [];
  if (["product_info", "stock_check", "exchange_request", "modify_order"].includes(intent)) {
    for (const p of products) {
      fetches.push({
        name: `product:${p.product_id}`,
        run: async () => {
          const rec = await sources.product(p.product_id);
          return rec ? { products: { [p.product_id]: rec } } : {};
        },
      });
    }
  }

  const address = (customer?.address as { zip?: string; state?: string } | undefined) ?? undefined;
  if (intent === "stock_check" && sources.stock) {
    const product = products.at(-1);
    const load = sources.stock;
    if (product) {
      const storeId = e.store_ids[0] ?? slots.store_ids.at(-1) ?? state.caller?.store_id;
      fetches.push({
        name: "stock",
        run: async () => ({
          stock: await load({
            product_id: product.product_id,
            product_name: product.name,
            options: { ...slots.options, ...e.options },
            store_id: storeId,
            zip: e.zip ?? address?.zip,
          }),
        }),
      });
    }
  }
  if (intent === "store_info" && sources.stores) {
    const load = sources.stores;
    const ids = e.store_ids.length ? e.store_ids : state.caller?.store_id ? [state.caller.store_id] : [];
    fetches.push({ name: "stores", run: async () => ({ stores: await load({ store_ids: ids, zip: e.zip ?? address?.zip }) }) });
  }
  if (intent === "promotions" && sources.promotions) {
    const load = sources.promotions;
    fetches.push({ name: "promotions", run: async () => ({ promotions: await load({ user_id: auth?.user_id, state: address?.state }) }) });
  }
  if (intent === "shipping_info" && sources.shipping) {
    const load = sources.shipping;
    fetches.push({ name: "shipping", run: async () => ({ shipping: await load({ state: address?.state, zip: e.zip ?? address?.zip, user_id: auth?.user_id }) }) });
  }
  return fetches;
}

/**
 * "Change the toothbrush to the high-speed one" is an exchange on a delivered order and an item
 * modification on a pending one: wording cannot tell them apart, the order's status can. Once the
 * order in focus is known, the route follows its status (τ-bench's own distinction).
 */
export function reconcileWithOrderStatus(state: AisleStateValue, orders: Record<string, Record<string, unknown>>): AisleStateValue["route"] | undefined {
  const route = state.route;
  if (!route) return undefined;
  const id = state.entities.order_ids.at(-1) ?? state.slots.order_ids.at(-1);
  const status = id ? orders[id]?.status : undefined;
  const swap = (intent: Intent, agent: "orders" | "payments", why: string) => ({ ...route, intent, agent, reason: `${why} (${route.reason})` });
  if (route.intent === "exchange_request" && status === "pending") return swap("modify_order", "orders", `order ${id} is pending: an item change, not an exchange`);
  if (route.intent === "modify_order" && status === "delivered" && (state.entities.modify_target ?? state.slots.modify_target) === "items")
    return swap("exchange_request", "payments", `order ${id} is delivered: an exchange, not an item change`);
  return undefined;
}

/** Fetched records are tool data too: the tool-data rail removes instruction-like text before any model reads them. */
function sanitised(name: string, update: Partial<StitchedContext>): { update: Partial<StitchedContext>; rules: string[] } {
  const r = sanitizeToolResult(name, JSON.stringify(update));
  return r.verdicts.length ? { update: JSON.parse(r.content), rules: r.verdicts.map((v) => v.rule_id) } : { update, rules: [] };
}

async function timed(f: Fetch): Promise<{ update: Partial<StitchedContext>; ms: number; name: string; rules: string[] }> {
  const t0 = performance.now();
  const { update, rules } = sanitised(f.name, await f.run());
  return { update, ms: Math.round((performance.now() - t0) * 100) / 100, name: f.name, rules };
}

export function createContextStitchNode(sources: ContextSources) {
  return async function contextStitch(state: AisleStateValue): Promise<AisleUpdate> {
    const auth = state.authenticated;
    const intent = state.route?.intent;
    let customer = state.context.customer;
    const fetched: Record<string, number> = {};
    const update: Partial<StitchedContext> = {};
    // The profile is needed to know which orders are the customer's; load it first when missing.
    if (auth && intent && NEEDS_CUSTOMER.has(intent) && (!customer || customer.user_id !== auth.user_id)) {
      const t0 = performance.now();
      customer = await sources.customer(auth.user_id);
      fetched.customer = Math.round((performance.now() - t0) * 100) / 100;
      update.customer = customer;
    }
    const results = await Promise.all(planFetches(state, sources, customer).map(timed));
    const verdicts = results.flatMap((r) =>
      r.rules.map((rule) => ({ turn: state.turn, stage: "tool_data" as const, tool: r.name, verdict: "fix" as const, rule, reason: `instruction-like text removed from ${r.name}` })),
    );
    for (const r of results) {
      fetched[r.name] = r.ms;
      for (const [k, v] of Object.entries(r.update)) {
        if (k === "orders" || k === "products") {
          (update as Record<string, Record<string, unknown>>)[k] = { ...((update as Record<string, Record<string, unknown>>)[k] ?? {}), ...(v as Record<string, unknown>) };
        } else (update as Record<string, unknown>)[k] = v;
      }
    }
    update.fetched = fetched;
    const route = reconcileWithOrderStatus(state, { ...state.context.orders, ...(update.orders ?? {}) });
    return { context: update, ...(route ? { route } : {}), ...(verdicts.length ? { verdicts } : {}) };
  };
}
