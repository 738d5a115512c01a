import { z } from "zod";
import type { Db } from "../../db/executor.ts";
import { Promotion, PromotionUsage, Tier } from "./eligibility.ts";

/**
 * Loyalty and promotions data access: accounts, points history, promotions and their use. The
 * only module that reads these tables (the customer's home state comes from the CRM's users).
 */

export const LoyaltyAccount = z.object({
  user_id: z.string(),
  tier: Tier,
  points: z.number().int(),
  lifetime_spend: z.number(),
  member_since: z.string(),
  home_state: z.string().nullable(),
  region: z.string().nullable(),
});
export type LoyaltyAccount = z.infer<typeof LoyaltyAccount>;

export const PointsEntry = z.object({
  occurred_on: z.string(),
  kind: z.enum(["enrolment", "purchase", "bonus", "redemption", "adjustment"]),
  points: z.number().int(),
  order_id: z.string().nullable(),
  description: z.string(),
});
export type PointsEntry = z.infer<typeof PointsEntry>;

/** Lifetime spend (USD) at which each tier starts; kept in step with the generator. */
export const TIER_THRESHOLDS: Record<Tier, number> = { Bronze: 0, Silver: 1000, Gold: 3000, Platinum: 7000 };

export function nextTier(tier: Tier, spend: number): { next_tier: Tier; spend_to_next_tier: number } | null {
  const order = Tier.options;
  const next = order[order.indexOf(tier) + 1];
  return next ? { next_tier: next, spend_to_next_tier: Math.max(0, Math.round((TIER_THRESHOLDS[next] - spend) * 100) / 100) } : null;
}

const PROMO_COLUMNS = `promo_code, description, discount_type, discount_value, min_subtotal, max_discount, eligible_tiers,
  eligible_regions, starts_on::text AS starts_on, ends_on::text AS ends_on, max_uses_per_customer, cooldown_days`;

export function createLoyaltyData(db: Db) {
  async function getAccount(userId: string): Promise<LoyaltyAccount | null> {
    const { rows } = await db.query(
      `SELECT a.user_id, a.tier, a.points, a.lifetime_spend, a.member_since::text AS member_since,
              st.state::text AS home_state, st.region
         FROM loyalty_accounts a JOIN users u ON u.user_id = a.user_id
         LEFT JOIN us_states st ON st.state = upper(u.address->>'state')
        WHERE a.user_id = $1`,
      [userId],
    );
    return rows[0] ? LoyaltyAccount.parse(rows[0]) : null;
  }

  async function pointsHistory(userId: string, limit: number): Promise<PointsEntry[]> {
    const { rows } = await db.query(
      `SELECT occurred_on::text AS occurred_on, kind, points, order_id, description FROM loyalty_points_history
        WHERE user_id = $1 ORDER BY occurred_on DESC, entry_id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => PointsEntry.parse(r));
  }

  async function getPromotion(code: string): Promise<Promotion | null> {
    const { rows } = await db.query(`SELECT ${PROMO_COLUMNS} FROM promotions WHERE promo_code = upper($1)`, [code.trim()]);
    return rows[0] ? Promotion.parse(rows[0]) : null;
  }

  /** Promotions running on `date` (all of them when no date). */
  async function listPromotions(date?: string): Promise<Promotion[]> {
    const { rows } = await db.query(
      `SELECT ${PROMO_COLUMNS} FROM promotions WHERE $1::date IS NULL OR $1::date BETWEEN starts_on AND ends_on ORDER BY promo_code`,
      [date ?? null],
    );
    return rows.map((r) => Promotion.parse(r));
  }

  async function promotionUsages(userId: string): Promise<PromotionUsage[]> {
    const { rows } = await db.query(
      `SELECT promo_code, used_on::text AS used_on, order_id, discount_amount FROM promotion_usages
        WHERE user_id = $1 ORDER BY used_on DESC, usage_id DESC`,
      [userId],
    );
    return rows.map((r) => PromotionUsage.parse(r));
  }

  /** Sales region of a state code or name ("CO", "Colorado"), or null. */
  async function regionOfState(state: string): Promise<{ state: string; region: string } | null> {
    const { rows } = await db.query(
      `SELECT state::text AS state, region FROM us_states WHERE state = upper($1) OR lower(name) = lower($1)`,
      [state.trim()],
    );
    return rows[0] ? { state: rows[0].state as string, region: rows[0].region as string } : null;
  }

  return { getAccount, pointsHistory, getPromotion, listPromotions, promotionUsages, regionOfState };
}
export type LoyaltyData = ReturnType<typeof createLoyaltyData>;
