import { z } from "zod";
import type { Db } from "../../db/executor.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { STORE_SERVICES } from "../../db/seed/retailPlane/generate.ts";
import { createInventoryData, InventoryLookupError, type Origin } from "./inventoryData.ts";

// Shared parameter pieces (descriptions are what the model reads).
const storeId = z.string().describe("The store number, such as '0042'.");
const itemId = z.string().describe("The item id of a product variant, such as '6086499569'.");
const productId = z.string().describe("The product id, such as '6086499569'; covers every variant of the product.");
const originFields = {
  store_id: z.string().optional().describe("Measure distance from this store number."),
  zip: z.string().optional().describe("Measure distance from this 5-digit US ZIP code."),
  lat: z.number().optional().describe("Latitude to measure distance from (with lon)."),
  lon: z.number().optional().describe("Longitude to measure distance from (with lat)."),
};
const limit = (dflt: number, max: number) =>
  z.number().int().min(1).max(max).optional().describe(`How many results to return (default ${dflt}, at most ${max}).`);
const maxDistance = z.number().positive().optional().describe("Only stores within this many miles.");

const json = (x: unknown) => JSON.stringify(x);

/** Exactly one origin: a store, a ZIP code, or a lat/lon pair. */
function originOf(a: { store_id?: string; zip?: string; lat?: number; lon?: number }): Origin | string {
  const given = [a.store_id != null, a.zip != null, a.lat != null || a.lon != null].filter(Boolean).length;
  if (given !== 1) return "Error: give exactly one origin: store_id, zip, or lat and lon";
  if (a.store_id != null) return { store_id: a.store_id };
  if (a.zip != null) return { zip: a.zip };
  if (a.lat == null || a.lon == null) return "Error: lat and lon must be given together";
  if (Math.abs(a.lat) > 90 || Math.abs(a.lon) > 180) return "Error: lat must be within ±90 and lon within ±180";
  return { lat: a.lat, lon: a.lon };
}

/** Runs a lookup, turning a lookup failure (unknown store, bad ZIP…) into a τ-bench style error. */
async function answer(fn: () => Promise<string>): Promise<string> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InventoryLookupError) return `Error: ${err.message}`;
    throw err;
  }
}

/** Store and warehouse stock tools plus store look-ups (bound by the inventory agent). */
export function createInventoryTools(db: Db): AisleTool[] {
  const data = createInventoryData(db);

  const getStoreDetails = defineTool({
    name: "get_store_details",
    description: "Get a store's address, phone, opening hours per weekday, services (pickup, returns, pharmacy…) and region by store number.",
    schema: z.object({ store_id: storeId }),
    run: async ({ store_id }) => {
      const store = await data.getStore(store_id);
      return store ? json(store) : "Error: store not found";
    },
  });

  const findStores = defineTool({
    name: "find_stores",
    description:
      "Find stores by city (optionally with state), by state, or by ZIP code (nearest first, with distance in miles).",
    schema: z.object({
      city: z.string().optional().describe("City name, such as 'Denver'."),
      state: z.string().optional().describe("Two-letter state code, such as 'CO'."),
      zip: z.string().optional().describe("5-digit US ZIP code."),
      limit: limit(10, 50),
    }),
    run: ({ city, state, zip, limit: n }) =>
      answer(async () => {
        if (!city?.trim() && !state?.trim() && !zip?.trim()) return "Error: give a city, a state or a zip";
        if (state != null && !/^[A-Za-z]{2}$/.test(state.trim())) return "Error: state must be a two-letter code such as 'CO'";
        const stores = await data.findStores({ city, state, zip, limit: n ?? 10 });
        return json(stores);
      }),
  });

  const findNearestStores = defineTool({
    name: "find_nearest_stores",
    description:
      "List the stores nearest to a store, a ZIP code or a lat/lon point, optionally only those offering a service; distances in miles.",
    schema: z.object({
      ...originFields,
      service: z.enum(STORE_SERVICES).optional().describe("Only stores offering this service."),
      limit: limit(5, 25),
      max_distance_miles: maxDistance,
    }),
    run: (a) =>
      answer(async () => {
        const origin = originOf(a);
        if (typeof origin === "string") return origin;
        const from = await data.resolveOrigin(origin);
        const stores = await data.nearestStores(from, { limit: a.limit ?? 5, service: a.service, maxMiles: a.max_distance_miles });
        return json({ origin: from.description, stores });
      }),
  });

  const getStoreStock = defineTool({
    name: "get_store_stock",
    description:
      "Get on-hand units at one store of a product variant (item_id) or of every variant of a product (product_id). Status is in_stock, low_stock (1-3 units), out_of_stock, not_carried or discontinued.",
    schema: z.object({ store_id: storeId, item_id: itemId.optional(), product_id: productId.optional() }),
    run: ({ store_id, item_id, product_id }) =>
      answer(async () => {
        if ((item_id == null) === (product_id == null)) return "Error: give exactly one of item_id or product_id";
        const store = await data.getStore(store_id);
        if (!store) return "Error: store not found";
        const rows = await data.storeStock(store.store_id, item_id != null ? { item_id } : { product_id: product_id! });
        if (!rows.length) return item_id != null ? "Error: item not found" : "Error: product not found";
        return json({ store_id: store.store_id, store_name: store.name, product_name: rows[0].product_name, stock: rows.map(({ product_name: _, ...r }) => r) });
      }),
  });

  const findNearestStoresWithStock = defineTool({
    name: "find_nearest_stores_with_stock",
    description:
      "Find the nearest stores that have a product variant (item_id) in stock, nearest first, from a store, a ZIP code or a lat/lon point; distances in miles.",
    schema: z.object({
      item_id: itemId,
      ...originFields,
      quantity: z.number().int().min(1).optional().describe("Units needed (default 1)."),
      limit: limit(5, 25),
      max_distance_miles: maxDistance,
    }),
    run: (a) =>
      answer(async () => {
        const origin = originOf(a);
        if (typeof origin === "string") return origin;
        const item = await data.getVariant(a.item_id);
        if (!item) return "Error: item not found";
        const from = await data.resolveOrigin(origin);
        const stores = item.available
          ? await data.nearestStoresWithStock(item.item_id, from, { quantity: a.quantity ?? 1, limit: a.limit ?? 5, maxMiles: a.max_distance_miles })
          : [];
        return json({
          item_id: item.item_id,
          product_name: item.product_name,
          options: item.options,
          available: item.available,
          origin: from.description,
          stores,
        });
      }),
  });

  const getWarehouseStock = defineTool({
    name: "get_warehouse_stock",
    description:
      "Get units held in the regional warehouses (WH-01 … WH-12) of a product variant (item_id) or of every variant of a product (product_id), in one warehouse or all.",
    schema: z.object({
      item_id: itemId.optional(),
      product_id: productId.optional(),
      warehouse_id: z.string().optional().describe("Only this warehouse, such as 'WH-03'."),
    }),
    run: ({ item_id, product_id, warehouse_id }) =>
      answer(async () => {
        if ((item_id == null) === (product_id == null)) return "Error: give exactly one of item_id or product_id";
        let warehouse: Awaited<ReturnType<typeof data.getWarehouse>> = null;
        if (warehouse_id != null) {
          warehouse = await data.getWarehouse(warehouse_id);
          if (!warehouse) return "Error: warehouse not found";
        }
        const rows = await data.warehouseStock(item_id != null ? { item_id } : { product_id: product_id! }, warehouse?.warehouse_id);
        if (!rows.length) return item_id != null ? "Error: item not found" : "Error: product not found";
        const total = rows.reduce((s, r) => s + r.on_hand, 0);
        return json({ total_on_hand: total, stock: rows });
      }),
  });

  return [getStoreDetails, findStores, findNearestStores, getStoreStock, findNearestStoresWithStock, getWarehouseStock];
}
