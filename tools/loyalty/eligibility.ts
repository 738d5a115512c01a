import { z } from "zod";

/**
 * Promotion eligibility as a pure rule over facts the loyalty module fetches: the promotion, the
 * customer's tier and region, their past uses of promotions, the date and (optionally) the basket.
 */

export const Tier = z.enum(["Bronze", "Silver", "Gold", "Platinum"]);
export type Tier = z.infer<typeof Tier>;

export const Promotion = z.object({
  promo_code: z.string(),
  description: z.string(),
  discount_type: z.enum(["percent", "amount"]),
  discount_value: z.number(),
  min_subtotal: z.number(),
  max_discount: z.number().nullable(),
  eligible_tiers: z.array(Tier).nullable(),
  eligible_regions: z.array(z.string()).nullable(),
  starts_on: z.string(),
  ends_on: z.string(),
  max_uses_per_customer: z.number().int().nullable(),
  cooldown_days: z.number().int(),
});
export type Promotion = z.infer<typeof Promotion>;

export const PromotionUsage = z.object({
  promo_code: z.string(),
  used_on: z.string(),
  order_id: z.string().nullable(),
  discount_amount: z.number(),
});
export type PromotionUsage = z.infer<typeof PromotionUsage>;

export interface EligibilityResult {
  promo_code: string;
  eligible: boolean;
  /** Why not (empty when eligible). */
  reasons: string[];
  /** Discount on `subtotal` when given and eligible. */
  discount?: number;
}

const DAY_MS = 86_400_000;
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export function discountFor(p: Pick<Promotion, "discount_type" | "discount_value" | "max_discount">, subtotal: number): number {
  const raw = p.discount_type === "percent" ? (subtotal * p.discount_value) / 100 : Math.min(p.discount_value, subtotal);
  return Math.round((p.max_discount == null ? raw : Math.min(raw, p.max_discount)) * 100) / 100;
}

export function isActiveOn(p: Pick<Promotion, "starts_on" | "ends_on">, date: string): boolean {
  return p.starts_on <= date && date <= p.ends_on;
}

export function evaluatePromotion(
  p: Promotion,
  customer: { tier: Tier; region: string | null },
  usages: PromotionUsage[],
  date: string,
  subtotal?: number,
): EligibilityResult {
  const reasons: string[] = [];
  if (date < p.starts_on) reasons.push(`promotion starts on ${p.starts_on}`);
  if (date > p.ends_on) reasons.push(`promotion ended on ${p.ends_on}`);
  if (p.eligible_tiers && !p.eligible_tiers.includes(customer.tier)) {
    reasons.push(`only for ${p.eligible_tiers.join("/")} members (customer is ${customer.tier})`);
  }
  if (p.eligible_regions && !(customer.region && p.eligible_regions.includes(customer.region))) {
    reasons.push(`only in the ${p.eligible_regions.join("/")} region${p.eligible_regions.length > 1 ? "s" : ""} (customer is in ${customer.region ?? "an unknown region"})`);
  }
  const past = usages.filter((u) => u.used_on <= date);
  const own = past.filter((u) => u.promo_code === p.promo_code).length;
  if (p.max_uses_per_customer != null && own >= p.max_uses_per_customer) {
    reasons.push(`already used ${own} time${own === 1 ? "" : "s"} (limit ${p.max_uses_per_customer} per customer)`);
  }
  if (p.cooldown_days > 0) {
    const last = past.reduce<string | null>((m, u) => (m == null || u.used_on > m ? u.used_on : m), null);
    if (last && daysBetween(last, date) < p.cooldown_days) {
      reasons.push(`customer used a promotion on ${last}, within the last ${p.cooldown_days} days`);
    }
  }
  if (subtotal != null && subtotal < p.min_subtotal) reasons.push(`requires a subtotal of at least ${p.min_subtotal}`);
  const result: EligibilityResult = { promo_code: p.promo_code, eligible: reasons.length === 0, reasons };
  if (subtotal != null && result.eligible) result.discount = discountFor(p, subtotal);
  return result;
}
