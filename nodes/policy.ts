import type { AisleStateValue, AisleUpdate, PolicyEffect } from "../graphs/state.ts";

/**
 * Policy: business rules as data. The engine (policies/, YAML packs with CEL, compiled once)
 * evaluates this turn's facts — the customer's loyalty tier and state, the order in focus — and
 * returns effects (free expedited shipping, sales tax rate, discount caps, promo eligibility) that
 * the agents quote and governance enforces on proposals. Evaluation errors fail closed.
 */

export interface PolicyEvaluationLike {
  effects: { rule_id: string; effect: string; values: Record<string, unknown> }[];
  verdicts: { action: string; rule_id: string; reason: string; user_message?: string; fixed?: unknown }[];
  fixes: Record<string, unknown>;
  errors: { rule_id: string; message: string }[];
  version: string;
}

export interface PolicyEvaluator {
  readonly version: string;
  evaluate(stage: string, facts: Record<string, unknown>): PolicyEvaluationLike;
}

/** Stages evaluated for every turn's context (tool_call runs in governance, per proposal). */
const CONTEXT_STAGES = ["pricing", "promotions", "shipping"] as const;

/** What an effect means, in words an agent may repeat to the customer. */
export function describeEffect(effect: string, values: Record<string, unknown>): string {
  const pct = (x: unknown) => `${Math.round(Number(x) * 10000) / 100}%`;
  switch (effect) {
    case "free_expedited_shipping":
      return "As a Gold or Platinum member you get expedited shipping free.";
    case "free_standard_shipping":
      return "Standard shipping is free on this order.";
    case "sales_tax":
      return `State sales tax of ${pct(values.rate)} applies to quoted totals.`;
    case "discount_cap":
      return values.max_pct !== undefined ? `Discounts are capped at ${values.max_pct}% for you.` : "Discounts are capped by policy.";
    case "promo_blocked":
    case "promo_cooldown":
      return "A promo code was already used in the last 30 days, so another one can't be applied yet.";
    case "promo_eligible":
      return "You're eligible for current promotions.";
    default:
      return `${effect.replace(/_/g, " ")}${Object.keys(values).length ? ` (${Object.entries(values).map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""}.`;
  }
}

const lower = (x: unknown) => (typeof x === "string" ? x.toLowerCase() : undefined);

/** Facts for the rules, from the stitched context only (never from the model). */
export function policyFacts(state: AisleStateValue): Record<string, unknown> {
  const customer = state.context.customer as { address?: { state?: string } } | null;
  const loyalty = state.context.loyalty as { tier?: string; last_promo_used_at?: string; days_since_last_promo?: number } | null;
  const orderId = state.slots.order_ids.at(-1);
  const order = orderId ? (state.context.orders[orderId] as { items?: { price: number }[]; address?: { state?: string } } | undefined) : undefined;
  const facts: Record<string, unknown> = {
    caller: { role: state.caller?.role ?? "customer", ...(state.caller?.customer_id ? { customer_id: state.caller.customer_id } : {}), ...(state.caller?.store_id ? { store_id: state.caller.store_id } : {}) },
    customer: {},
    order: {},
  };
  const c = facts.customer as Record<string, unknown>;
  if (loyalty?.tier) c.tier = lower(loyalty.tier);
  if (customer?.address?.state) c.state = customer.address.state;
  if (typeof loyalty?.days_since_last_promo === "number") c.days_since_last_promo = loyalty.days_since_last_promo;
  else if (loyalty?.last_promo_used_at) c.days_since_last_promo = (Date.now() - Date.parse(loyalty.last_promo_used_at)) / 86_400_000;
  const o = facts.order as Record<string, unknown>;
  if (order?.items) o.subtotal = order.items.reduce((s, i) => s + i.price, 0);
  const shipState = order?.address?.state ?? customer?.address?.state;
  if (shipState) o.ship_state = shipState;
  return facts;
}

export function createPolicyNode(engine: PolicyEvaluator | undefined) {
  return async function policy(state: AisleStateValue): Promise<AisleUpdate> {
    const turn = state.turn;
    if (!engine) return { policy_outcome: { turn, version: "none", effects: [], failed_closed: false } };
    const facts = policyFacts(state);
    const effects: PolicyEffect[] = [];
    let failed = false;
    for (const stage of CONTEXT_STAGES) {
      const r = engine.evaluate(stage, facts);
      if (r.errors.length) failed = true;
      for (const e of r.effects) effects.push({ rule: e.rule_id, effect: e.effect, value: e.values, description: describeEffect(e.effect, e.values) });
    }
    return { policy_outcome: { turn, version: engine.version, effects, failed_closed: failed } };
  };
}
