import type { Tier } from "../loyalty/eligibility.ts";
import type { ShippingOption } from "./shippingData.ts";

/** ZIP3 prefixes of Hawaii and Alaska, where parcel carriers charge more and take longer. */
export function isNoncontiguousZip(zip: string): boolean {
  const p = Number(zip.slice(0, 3));
  return (p >= 967 && p <= 968) || (p >= 995 && p <= 999);
}

export interface ShippingQuote {
  option_id: string;
  name: string;
  available: boolean;
  /** Why the option is unavailable (null when available). */
  reason: string | null;
  price: number;
  min_days: number;
  max_days: number;
  order_cutoff: string;
  fulfilled_by_store?: { store_id: string; name: string; distance_miles: number };
}

/**
 * Prices each option for one destination: free over the option's order size or for the member's
 * tier, a surcharge (and +3 days) to Alaska and Hawaii, and same-day only near a store offering it.
 */
export function quoteShipping(
  options: ShippingOption[],
  ctx: {
    subtotal?: number;
    tier?: Tier;
    noncontiguous: boolean;
    sameDayStore: { store_id: string; name: string; distance_miles: number } | null;
  },
): ShippingQuote[] {
  return options.map((o) => {
    const free =
      (ctx.subtotal != null && o.free_over_subtotal != null && ctx.subtotal >= o.free_over_subtotal) ||
      (ctx.tier != null && o.free_for_tiers.includes(ctx.tier));
    const sameDay = o.max_store_distance_miles != null;
    let reason: string | null = null;
    if (sameDay && !ctx.sameDayStore) reason = `no store offering same-day delivery within ${o.max_store_distance_miles} miles`;
    const extraDays = ctx.noncontiguous && !sameDay ? 3 : 0;
    const price = Math.round(((free ? 0 : o.price) + (ctx.noncontiguous ? o.noncontiguous_surcharge : 0)) * 100) / 100;
    return {
      option_id: o.option_id,
      name: o.name,
      available: reason == null,
      reason,
      price,
      min_days: o.min_days + extraDays,
      max_days: o.max_days + extraDays,
      order_cutoff: o.order_cutoff,
      ...(sameDay && ctx.sameDayStore ? { fulfilled_by_store: ctx.sameDayStore } : {}),
    };
  });
}
