/**
 * Quoted totals: every total the assistant states goes through here so the tier's shipping perks
 * and the state's sales tax come from the policy pack, never from the model.
 */
import type { PolicyEngine } from "./engine.ts";

export interface QuoteInput {
  subtotal: number;
  /** Two-letter US state the order ships to. */
  state: string;
  tier?: string;
  shipping?: "standard" | "expedited" | "pickup";
  /** A discount already granted by policy (percent). */
  discount_pct?: number;
}

export interface Quote {
  subtotal: number;
  discount: number;
  shipping: number;
  tax_rate: number;
  tax: number;
  total: number;
  /** Effects that shaped the quote (free_expedited_shipping, sales_tax …). */
  effects: string[];
  policy_version: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class QuoteError extends Error {}

/** Tax is charged on the discounted merchandise subtotal; shipping fees are not taxed. */
export function quoteTotal(input: QuoteInput, engine: PolicyEngine): Quote {
  if (!Number.isFinite(input.subtotal) || input.subtotal < 0) throw new QuoteError("subtotal must be a non-negative number");
  const method = input.shipping ?? "standard";
  const state = input.state.trim().toUpperCase();
  const facts = {
    customer: input.tier ? { tier: input.tier.toLowerCase(), state } : { state },
    order: { subtotal: input.subtotal, ship_state: state, shipping_method: method },
  };
  const pricing = engine.evaluate("pricing", facts);
  const blocked = pricing.verdicts.find((v) => v.action === "block" || v.action === "escalate");
  if (blocked) throw new QuoteError(blocked.user_message ?? blocked.reason);
  const shippingEval = engine.evaluate("shipping", facts);
  const effects = [...pricing.effects, ...shippingEval.effects];
  const tax = effects.find((e) => e.effect === "sales_tax");
  if (!tax) throw new QuoteError(`no sales tax rule applies to state "${state}"`);
  const fees = (engine.params.shipping_fees ?? {}) as Record<string, number>;
  let shipping = fees[method];
  if (shipping === undefined) throw new QuoteError(`unknown shipping method "${method}"`);
  if (method === "expedited" && effects.some((e) => e.effect === "free_expedited_shipping")) shipping = 0;
  if (method === "standard" && effects.some((e) => e.effect === "free_standard_shipping")) shipping = 0;
  const discount = round2((input.subtotal * (input.discount_pct ?? 0)) / 100);
  const rate = Number(tax.values.rate);
  const taxAmount = round2((input.subtotal - discount) * rate);
  return {
    subtotal: round2(input.subtotal),
    discount,
    shipping,
    tax_rate: rate,
    tax: taxAmount,
    total: round2(input.subtotal - discount + shipping + taxAmount),
    effects: effects.map((e) => e.effect),
    policy_version: pricing.version,
  };
}
