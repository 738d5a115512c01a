import { z } from "zod";
import type { Db } from "../../db/executor.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { createInventoryData, InventoryLookupError, isZip } from "../inventory/inventoryData.ts";
import { createLoyaltyData } from "../loyalty/loyaltyData.ts";
import { isNoncontiguousZip, quoteShipping } from "./quote.ts";
import { createShippingData } from "./shippingData.ts";

const json = (x: unknown) => JSON.stringify(x);

/** Shipping options and sales tax (bound by the info agent). */
export function createShippingTools(db: Db): AisleTool[] {
  const shipping = createShippingData(db);
  const inventory = createInventoryData(db);
  const loyalty = createLoyaltyData(db);
  return [
    defineTool({
      name: "get_shipping_options",
      description:
        "Get the delivery options (standard, expedited, same-day) to a US ZIP code with price and delivery days; with subtotal and user_id, applies free-shipping thresholds and loyalty-tier perks. Same-day needs a nearby store offering it.",
      schema: z.object({
        zip: z.string().describe("Destination 5-digit US ZIP code."),
        subtotal: z.number().min(0).optional().describe("Basket subtotal in USD before tax."),
        user_id: z.string().optional().describe("The customer, for loyalty-tier shipping perks."),
      }),
      run: async ({ zip, subtotal, user_id }) => {
        if (!isZip(zip)) return "Error: zip must be a 5-digit US ZIP code";
        let tier;
        if (user_id != null) {
          const account = await loyalty.getAccount(user_id);
          if (!account) return "Error: user not found";
          tier = account.tier;
        }
        const options = await shipping.shippingOptions();
        let origin;
        try {
          origin = await inventory.resolveOrigin({ zip });
        } catch (err) {
          if (err instanceof InventoryLookupError) origin = null;
          else throw err;
        }
        const radius = Math.max(0, ...options.map((o) => o.max_store_distance_miles ?? 0));
        const near = origin ? await inventory.nearestStores(origin, { limit: 1, service: "same_day_delivery", maxMiles: radius }) : [];
        const sameDayStore = near[0] ? { store_id: near[0].store_id, name: near[0].name, distance_miles: near[0].distance_miles } : null;
        return json({
          zip: zip.trim().slice(0, 5),
          destination: origin?.description ?? null,
          tier: tier ?? null,
          options: quoteShipping(options, { subtotal, tier, noncontiguous: isNoncontiguousZip(zip.trim()), sameDayStore }),
        });
      },
    }),
    defineTool({
      name: "get_sales_tax_rate",
      description: "Get the state base sales tax rate for a US state (two-letter code or name). Local city and county taxes are not included.",
      schema: z.object({ state: z.string().describe("Two-letter state code such as 'CO', or the state name.") }),
      run: async ({ state }) => {
        const tax = await shipping.salesTax(state);
        if (!tax) return "Error: unknown state";
        return json({ ...tax, rate_percent: Math.round(tax.rate * 100000) / 1000, scope: "state base rate; local taxes not included" });
      },
    }),
  ];
}
