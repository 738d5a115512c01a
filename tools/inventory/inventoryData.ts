import { z } from "zod";
import type { Db } from "../../db/executor.ts";

/**
 * Inventory system data access: stores, regional warehouses and on-hand stock. The only module
 * that reads these tables, so a retailer can point it at its own store-ops/WMS system instead.
 * Product and variant names come from the catalogue tables (read-only joins).
 */

export const OpeningHours = z.record(z.string(), z.object({ open: z.string(), close: z.string() }).nullable());
export const Store = z.object({
  store_id: z.string(),
  name: z.string(),
  format: z.enum(["supercenter", "standard", "express"]),
  address1: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
  lat: z.number(),
  lon: z.number(),
  phone: z.string(),
  opening_hours: OpeningHours,
  services: z.array(z.string()),
  region: z.string(),
  opened_on: z.string(),
});
export type Store = z.infer<typeof Store>;

export const Warehouse = z.object({
  warehouse_id: z.string(),
  name: z.string(),
  address1: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
  lat: z.number(),
  lon: z.number(),
  region: z.string(),
  serves_states: z.array(z.string()),
});
export type Warehouse = z.infer<typeof Warehouse>;

/** Where a distance is measured from. */
export const Origin = z.union([
  z.object({ store_id: z.string() }),
  z.object({ zip: z.string() }),
  z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
]);
export type Origin = z.infer<typeof Origin>;
export interface ResolvedOrigin {
  lat: number;
  lon: number;
  /** How the origin was understood, e.g. "store 0042" or "ZIP 80218 (Denver, CO)". */
  description: string;
}

/** Stock level as a shopper reads it. Low stock means 1–3 units. */
export type StockStatus = "in_stock" | "low_stock" | "out_of_stock" | "not_carried" | "discontinued";
export const LOW_STOCK_MAX = 3;
export function stockStatus(onHand: number | null, available: boolean): StockStatus {
  if (!available) return "discontinued";
  if (onHand == null) return "not_carried";
  if (onHand === 0) return "out_of_stock";
  return onHand <= LOW_STOCK_MAX ? "low_stock" : "in_stock";
}

/** "42", "#42", "store 0042", "S0042" → "0042"; null when it cannot be a store number. */
export function normalizeStoreId(input: string): string | null {
  const m = /^\s*(?:store\s*)?(?:#|no\.?\s*|s-?)?\s*(\d{1,4})\s*$/i.exec(input);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? String(n).padStart(4, "0") : null;
}

export function isZip(input: string): boolean {
  return /^\d{5}(-\d{4})?$/.test(input.trim());
}

export class InventoryLookupError extends Error {}

const STORE_COLUMNS = `s.store_id, s.name, s.format, s.address1, s.city, s.state::text AS state, s.zip::text AS zip, s.lat, s.lon,
  s.phone, s.opening_hours, s.services, st.region, s.opened_on::text AS opened_on`;
const STORE_FROM = `stores s JOIN us_states st ON st.state = s.state`;
const WAREHOUSE_COLUMNS = `warehouse_id, name, address1, city, state::text AS state, zip::text AS zip, lat, lon, region, serves_states`;

const round1 = (x: number) => Math.round(x * 10) / 10;

export function createInventoryData(db: Db) {
  async function getStore(storeId: string): Promise<Store | null> {
    const id = normalizeStoreId(storeId);
    if (!id) return null;
    const { rows } = await db.query(`SELECT ${STORE_COLUMNS} FROM ${STORE_FROM} WHERE s.store_id = $1`, [id]);
    return rows[0] ? Store.parse(rows[0]) : null;
  }

  /** Location of a ZIP code: its stores' centroid, else the metro covering its 3-digit prefix. */
  async function locateZip(zip: string): Promise<ResolvedOrigin | null> {
    const z5 = zip.trim().slice(0, 5);
    const exact = await db.query(
      `SELECT avg(s.lat) AS lat, avg(s.lon) AS lon, min(s.city) AS city, min(s.state::text) AS state FROM stores s WHERE s.zip = $1 HAVING count(*) > 0`,
      [z5],
    );
    if (exact.rows[0]) {
      const r = exact.rows[0];
      return { lat: r.lat, lon: r.lon, description: `ZIP ${z5} (${r.city}, ${r.state})` };
    }
    // Nearest 3-digit prefix among metros sharing the first two digits (same sectional area).
    const { rows } = await db.query(
      `SELECT m.city, m.state::text AS state, m.lat, m.lon
         FROM geo_metros m, unnest(m.zip_prefixes) AS p(prefix)
        WHERE left(p.prefix, 2) = left($1, 2)
        ORDER BY abs(p.prefix::int - left($1, 3)::int), m.population_k DESC, m.metro_id
        LIMIT 1`,
      [z5],
    );
    if (!rows[0]) return null;
    return { lat: rows[0].lat, lon: rows[0].lon, description: `ZIP ${z5} (${rows[0].city}, ${rows[0].state} area)` };
  }

  async function resolveOrigin(origin: Origin): Promise<ResolvedOrigin> {
    if ("store_id" in origin) {
      const store = await getStore(origin.store_id);
      if (!store) throw new InventoryLookupError("store not found");
      return { lat: store.lat, lon: store.lon, description: `store ${store.store_id} (${store.name})` };
    }
    if ("zip" in origin) {
      if (!isZip(origin.zip)) throw new InventoryLookupError("zip must be a 5-digit US ZIP code");
      const loc = await locateZip(origin.zip);
      if (!loc) throw new InventoryLookupError(`ZIP ${origin.zip} is outside the store network`);
      return loc;
    }
    return { lat: origin.lat, lon: origin.lon, description: `${origin.lat}, ${origin.lon}` };
  }

  /** Stores by city (optionally state) or ZIP, nearest-first for a ZIP. */
  async function findStores(q: { city?: string; state?: string; zip?: string; limit: number }): Promise<(Store & { distance_miles?: number })[]> {
    if (q.zip) {
      const origin = await resolveOrigin({ zip: q.zip });
      return nearestStores(origin, { limit: q.limit });
    }
    const { rows } = await db.query(
      `SELECT ${STORE_COLUMNS} FROM ${STORE_FROM}
        WHERE ($1::text IS NULL OR lower(s.city) = lower($1)) AND ($2::text IS NULL OR s.state = upper($2))
        ORDER BY s.store_id LIMIT $3`,
      [q.city?.trim() || null, q.state?.trim() || null, q.limit],
    );
    return rows.map((r) => Store.parse(r));
  }

  async function nearestStores(
    origin: ResolvedOrigin,
    opts: { limit: number; service?: string; maxMiles?: number },
  ): Promise<(Store & { distance_miles: number })[]> {
    const { rows } = await db.query(
      `SELECT ${STORE_COLUMNS}, aisle_distance_miles($1, $2, s.lat, s.lon) AS distance_miles
         FROM ${STORE_FROM}
        WHERE ($4::text IS NULL OR $4 = ANY (s.services))
          AND ($5::float8 IS NULL OR (s.lat BETWEEN $1 - $5 / 69.0 AND $1 + $5 / 69.0
                                      AND aisle_distance_miles($1, $2, s.lat, s.lon) <= $5))
        ORDER BY distance_miles, s.store_id LIMIT $3`,
      [origin.lat, origin.lon, opts.limit, opts.service ?? null, opts.maxMiles ?? null],
    );
    return rows.map((r) => ({ ...Store.parse(r), distance_miles: round1(r.distance_miles) }));
  }

  /**
   * The nearest stores holding at least `quantity` units of a variant. Reads only the item's
   * in-stock rows through the partial index store_inventory_in_stock (at most one row per
   * store), then ranks those by great-circle distance.
   */
  async function nearestStoresWithStock(
    itemId: string,
    origin: ResolvedOrigin,
    opts: { quantity: number; limit: number; maxMiles?: number },
  ) {
    const { rows } = await db.query(
      `SELECT s.store_id, s.name, s.address1, s.city, s.state::text AS state, s.zip::text AS zip, s.phone, s.services,
              si.on_hand, aisle_distance_miles($2, $3, s.lat, s.lon) AS distance_miles
         FROM store_inventory si JOIN stores s ON s.store_id = si.store_id
        WHERE si.item_id = $1 AND si.on_hand > 0 AND si.on_hand >= $4
          AND ($6::float8 IS NULL OR (s.lat BETWEEN $2 - $6 / 69.0 AND $2 + $6 / 69.0
                                      AND aisle_distance_miles($2, $3, s.lat, s.lon) <= $6))
        ORDER BY distance_miles, s.store_id LIMIT $5`,
      [itemId, origin.lat, origin.lon, opts.quantity, opts.limit, opts.maxMiles ?? null],
    );
    return rows.map((r) => ({
      store_id: r.store_id as string,
      name: r.name as string,
      address1: r.address1 as string,
      city: r.city as string,
      state: r.state as string,
      zip: r.zip as string,
      phone: r.phone as string,
      distance_miles: round1(r.distance_miles),
      on_hand: r.on_hand as number,
      status: stockStatus(r.on_hand, true),
    }));
  }

  /** The variant (item) with its product, or null. */
  async function getVariant(itemId: string) {
    const { rows } = await db.query(
      `SELECT v.item_id, v.product_id, p.name AS product_name, v.options, v.available, v.price
         FROM variants v JOIN products p ON p.product_id = v.product_id WHERE v.item_id = $1`,
      [itemId],
    );
    return rows[0] as
      | { item_id: string; product_id: string; product_name: string; options: Record<string, string>; available: boolean; price: number }
      | undefined;
  }

  async function productExists(productId: string): Promise<string | null> {
    const { rows } = await db.query(`SELECT name FROM products WHERE product_id = $1`, [productId]);
    return rows[0]?.name ?? null;
  }

  /** On-hand units of one variant, or of every variant of a product, at one store. */
  async function storeStock(storeId: string, what: { item_id: string } | { product_id: string }) {
    const byItem = "item_id" in what;
    const { rows } = await db.query(
      `SELECT v.item_id, v.product_id, p.name AS product_name, v.options, v.available, v.price, si.on_hand
         FROM variants v JOIN products p ON p.product_id = v.product_id
         LEFT JOIN store_inventory si ON si.item_id = v.item_id AND si.store_id = $1
        WHERE ${byItem ? "v.item_id = $2" : "v.product_id = $2"}
        ORDER BY v.position`,
      [storeId, byItem ? what.item_id : what.product_id],
    );
    return rows.map((r) => ({
      item_id: r.item_id as string,
      product_id: r.product_id as string,
      product_name: r.product_name as string,
      options: r.options as Record<string, string>,
      price: r.price as number,
      on_hand: (r.on_hand as number | null) ?? 0,
      status: stockStatus(r.on_hand, r.available),
    }));
  }

  async function getWarehouse(warehouseId: string): Promise<Warehouse | null> {
    const { rows } = await db.query(`SELECT ${WAREHOUSE_COLUMNS} FROM warehouses WHERE warehouse_id = upper($1)`, [warehouseId.trim()]);
    return rows[0] ? Warehouse.parse(rows[0]) : null;
  }

  async function listWarehouses(): Promise<Warehouse[]> {
    const { rows } = await db.query(`SELECT ${WAREHOUSE_COLUMNS} FROM warehouses ORDER BY warehouse_id`);
    return rows.map((r) => Warehouse.parse(r));
  }

  /** The warehouse that replenishes a state. */
  async function warehouseForState(state: string): Promise<Warehouse | null> {
    const { rows } = await db.query(
      `SELECT ${WAREHOUSE_COLUMNS} FROM warehouses WHERE warehouse_id = (SELECT warehouse_id FROM us_states WHERE state = upper($1))`,
      [state.trim()],
    );
    return rows[0] ? Warehouse.parse(rows[0]) : null;
  }

  /** Warehouse units of a variant or of a product's variants, in one warehouse or all twelve. */
  async function warehouseStock(what: { item_id: string } | { product_id: string }, warehouseId?: string) {
    const byItem = "item_id" in what;
    const { rows } = await db.query(
      `SELECT wi.warehouse_id, w.name AS warehouse_name, w.region, v.item_id, v.options, v.available, wi.on_hand
         FROM variants v JOIN warehouse_inventory wi ON wi.item_id = v.item_id JOIN warehouses w ON w.warehouse_id = wi.warehouse_id
        WHERE ${byItem ? "v.item_id = $1" : "v.product_id = $1"} AND ($2::text IS NULL OR wi.warehouse_id = upper($2))
        ORDER BY v.position, wi.warehouse_id`,
      [byItem ? what.item_id : what.product_id, warehouseId?.trim() ?? null],
    );
    return rows.map((r) => ({
      warehouse_id: r.warehouse_id as string,
      warehouse_name: r.warehouse_name as string,
      region: r.region as string,
      item_id: r.item_id as string,
      options: r.options as Record<string, string>,
      on_hand: r.on_hand as number,
      status: stockStatus(r.on_hand, r.available),
    }));
  }

  return {
    getStore,
    findStores,
    resolveOrigin,
    nearestStores,
    nearestStoresWithStock,
    getVariant,
    productExists,
    storeStock,
    getWarehouse,
    listWarehouses,
    warehouseForState,
    warehouseStock,
  };
}
export type InventoryData = ReturnType<typeof createInventoryData>;
