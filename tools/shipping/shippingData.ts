import { z } from "zod";
import type { Db } from "../../db/executor.ts";
import { Tier } from "../loyalty/eligibility.ts";

/** Shipping options and state sales tax: the only module reading shipping_options and us_states' rates. */

export const ShippingOption = z.object({
  option_id: z.string(),
  name: z.string(),
  price: z.number(),
  free_over_subtotal: z.number().nullable(),
  free_for_tiers: z.array(Tier),
  min_days: z.number().int(),
  max_days: z.number().int(),
  order_cutoff: z.string(),
  max_store_distance_miles: z.number().nullable(),
  noncontiguous_surcharge: z.number(),
});
export type ShippingOption = z.infer<typeof ShippingOption>;

export const SalesTax = z.object({
  state: z.string(),
  state_name: z.string(),
  region: z.string(),
  rate: z.number(),
});
export type SalesTax = z.infer<typeof SalesTax>;

export function createShippingData(db: Db) {
  async function shippingOptions(): Promise<ShippingOption[]> {
    const { rows } = await db.query(
      `SELECT option_id, name, price, free_over_subtotal, free_for_tiers, min_days, max_days, to_char(order_cutoff, 'HH24:MI') AS order_cutoff,
              max_store_distance_miles, noncontiguous_surcharge FROM shipping_options ORDER BY position`,
    );
    return rows.map((r) => ShippingOption.parse(r));
  }

  /** State base sales tax by two-letter code or full name ("CO", "colorado"). */
  async function salesTax(state: string): Promise<SalesTax | null> {
    const { rows } = await db.query(
      `SELECT state::text AS state, name AS state_name, region, sales_tax_rate AS rate FROM us_states
        WHERE state = upper($1) OR lower(name) = lower($1)`,
      [state.trim()],
    );
    return rows[0] ? SalesTax.parse(rows[0]) : null;
  }

  return { shippingOptions, salesTax };
}
export type ShippingData = ReturnType<typeof createShippingData>;
