import { z } from "zod";
import type { Db } from "../../db/executor.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { evaluatePromotion, isActiveOn, Tier, type Promotion } from "./eligibility.ts";
import { createLoyaltyData, nextTier } from "./loyaltyData.ts";

const userId = z.string().describe("The user id, such as 'sara_doe_496'.");
const dateArg = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD")
  .optional()
  .describe("The date to check, YYYY-MM-DD (default today).");

const json = (x: unknown) => JSON.stringify(x);
const today = () => new Date().toISOString().slice(0, 10);
/** The given date if it is a real calendar date, else null. */
function calendarDate(d: string | undefined): string | null {
  if (d == null) return today();
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d ? null : d;
}

/** Who a promotion targets, as shown to the model. */
const promoView = (p: Promotion) => ({
  promo_code: p.promo_code,
  description: p.description,
  discount_type: p.discount_type,
  discount_value: p.discount_value,
  min_subtotal: p.min_subtotal,
  max_discount: p.max_discount,
  eligible_tiers: p.eligible_tiers ?? "all",
  eligible_regions: p.eligible_regions ?? "all",
  starts_on: p.starts_on,
  ends_on: p.ends_on,
  max_uses_per_customer: p.max_uses_per_customer,
  cooldown_days: p.cooldown_days,
});

/** Loyalty account look-up (bound by the orders agent). */
export function createLoyaltyTools(db: Db): AisleTool[] {
  const data = createLoyaltyData(db);
  return [
    defineTool({
      name: "get_loyalty_account",
      description:
        "Get a customer's loyalty account: tier (Bronze, Silver, Gold, Platinum), points balance, lifetime spend, progress to the next tier, recent points history and recent promotion use.",
      schema: z.object({
        user_id: userId,
        history_limit: z.number().int().min(0).max(100).optional().describe("How many recent points entries to include (default 10)."),
      }),
      run: async ({ user_id, history_limit }) => {
        const account = await data.getAccount(user_id);
        if (!account) return "Error: user not found";
        const [history, usages] = await Promise.all([data.pointsHistory(user_id, history_limit ?? 10), data.promotionUsages(user_id)]);
        return json({
          ...account,
          ...(nextTier(account.tier, account.lifetime_spend) ?? { next_tier: null, spend_to_next_tier: null }),
          recent_points_history: history,
          recent_promotion_usage: usages.slice(0, 5),
          last_promotion_used_on: usages[0]?.used_on ?? null,
        });
      },
    }),
  ];
}

/** Promotion look-ups (bound by the info agent). */
export function createPromotionTools(db: Db): AisleTool[] {
  const data = createLoyaltyData(db);
  return [
    defineTool({
      name: "list_active_promotions",
      description:
        "List promotions running on a date. With user_id, only those targeting the customer's tier and home region, each marked eligible or not with reasons (usage limits, recent promotion use). Without user_id, optionally filter by tier and state.",
      schema: z.object({
        user_id: userId.optional(),
        tier: Tier.optional().describe("Only promotions open to this tier (ignored with user_id)."),
        state: z.string().optional().describe("Only promotions valid in this state's region, such as 'CO' (overrides the customer's home state)."),
        date: dateArg,
      }),
      run: async ({ user_id, tier, state, date }) => {
        const on = calendarDate(date);
        if (!on) return "Error: date is not a valid calendar date";
        let region: string | null = null;
        if (state != null) {
          const r = await data.regionOfState(state);
          if (!r) return "Error: unknown state";
          region = r.region;
        }
        const active = await data.listPromotions(on);
        if (user_id == null) {
          const matching = active.filter(
            (p) =>
              (tier == null || p.eligible_tiers == null || p.eligible_tiers.includes(tier)) &&
              (region == null || p.eligible_regions == null || p.eligible_regions.includes(region)),
          );
          return json({ date: on, tier: tier ?? null, region, promotions: matching.map(promoView) });
        }
        const account = await data.getAccount(user_id);
        if (!account) return "Error: user not found";
        const customer = { tier: account.tier, region: region ?? account.region };
        const usages = await data.promotionUsages(user_id);
        const targeted = active.filter(
          (p) =>
            (p.eligible_tiers == null || p.eligible_tiers.includes(customer.tier)) &&
            (p.eligible_regions == null || (customer.region != null && p.eligible_regions.includes(customer.region))),
        );
        return json({
          date: on,
          user_id,
          tier: customer.tier,
          region: customer.region,
          promotions: targeted.map((p) => {
            const e = evaluatePromotion(p, customer, usages, on);
            return { ...promoView(p), eligible: e.eligible, reasons: e.reasons };
          }),
        });
      },
    }),
    defineTool({
      name: "check_promotion_eligibility",
      description:
        "Check whether a customer may use a promotion code on a date: date window, tier, region, per-customer use limit and the cooldown after any recent promotion use. With subtotal, also the minimum spend and the discount amount.",
      schema: z.object({
        user_id: userId,
        promo_code: z.string().describe("The promotion code, such as 'SAVE20'."),
        date: dateArg,
        subtotal: z.number().min(0).optional().describe("Basket subtotal in USD before tax and shipping."),
        state: z.string().optional().describe("State where the purchase is made, if not the customer's home state."),
      }),
      run: async ({ user_id, promo_code, date, subtotal, state }) => {
        const on = calendarDate(date);
        if (!on) return "Error: date is not a valid calendar date";
        const account = await data.getAccount(user_id);
        if (!account) return "Error: user not found";
        const promo = await data.getPromotion(promo_code);
        if (!promo) return "Error: promotion not found";
        let region = account.region;
        if (state != null) {
          const r = await data.regionOfState(state);
          if (!r) return "Error: unknown state";
          region = r.region;
        }
        const usages = await data.promotionUsages(user_id);
        const result = evaluatePromotion(promo, { tier: account.tier, region }, usages, on, subtotal);
        return json({
          ...result,
          user_id,
          tier: account.tier,
          region,
          date: on,
          active: isActiveOn(promo, on),
          times_used: usages.filter((u) => u.promo_code === promo.promo_code && u.used_on <= on).length,
          last_promotion_used_on: usages.find((u) => u.used_on <= on)?.used_on ?? null,
          promotion: promoView(promo),
        });
      },
    }),
  ];
}
