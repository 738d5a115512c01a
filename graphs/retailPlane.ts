import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Db } from "../db/executor.ts";
import { invokeJson, type ContextSources, type StockQuery } from "./sources.ts";

/**
 * Context sources for the generated retail plane (stores, stock, loyalty, promotions, shipping),
 * read through the tools of tools/inventory, tools/loyalty and tools/shipping, and compacted into
 * the small shapes the agents read. Systems that are not installed contribute nothing.
 */

type Json = Record<string, any>;

/**
 * The variants the customer's named options allow (all of them when no option was named or none
 * match). Catalogue-wide extraction may file a value under another product's option name
 * ("leather" as material, where this product calls it band material): a value this product has
 * under some other option still counts; a value it does not have at all is ignored.
 */
function matchingVariants(product: Json | null, options: Record<string, string>): Json[] {
  const variants = Object.values((product?.variants ?? {}) as Record<string, Json>);
  const lc = (x: unknown) => String(x).toLowerCase();
  const keys = new Set(variants.flatMap((v) => Object.keys(v.options ?? {})));
  const values = new Set(variants.flatMap((v) => Object.values(v.options ?? {}).map(lc)));
  const wanted = Object.entries(options).filter(([k, val]) => keys.has(k) || values.has(lc(val)));
  const matching = variants.filter((v) =>
    wanted.every(([k, val]) => (keys.has(k) && v.options?.[k] !== undefined ? lc(v.options[k]) === lc(val) : Object.values(v.options ?? {}).some((x) => lc(x) === lc(val)))),
  );
  return matching.length ? matching : variants;
}

/** The variant the customer means: all named options match; available ones first. */
function pickVariant(pool: Json[]): { item_id: string; options: Record<string, string> } | undefined {
  const best = pool.find((v) => v.available) ?? pool[0];
  return best ? { item_id: best.item_id, options: best.options } : undefined;
}

/**
 * Stock of every variant the request leaves open ("the water bottle" without a colour or size):
 * per option at the named store, and the warehouses' units when the store has none (or no store
 * was named). Picking one variant would answer a question the customer did not ask.
 */
async function variantStock(tools: Record<string, StructuredToolInterface>, q: StockQuery, pool: Json[]): Promise<Json> {
  const ids = new Set(pool.filter((v) => v.available).map((v) => String(v.item_id)));
  const result: Json = { product: { product_id: q.product_id, name: q.product_name }, options: q.options };
  const atStore = q.store_id ? ((await invokeJson(tools.get_store_stock, { store_id: q.store_id, product_id: q.product_id })) as Json | null) : null;
  if (q.store_id && !atStore) result.note = `I couldn't find store ${q.store_id}.`;
  const perVariant = new Map<string, { item_id: string; options: Record<string, string>; store_quantity?: number; warehouse_quantity?: number }>();
  for (const v of pool) if (ids.has(String(v.item_id))) perVariant.set(String(v.item_id), { item_id: String(v.item_id), options: v.options });
  if (atStore) {
    let total = 0;
    for (const row of (atStore.stock as Json[] | undefined) ?? []) {
      const line = perVariant.get(String(row.item_id));
      if (!line) continue;
      line.store_quantity = Number(row.on_hand ?? 0);
      total += line.store_quantity;
    }
    result.store = { ...storeLine({ store_id: atStore.store_id, name: atStore.store_name }), quantity: total };
  }
  if ((!atStore || result.store.quantity <= 0) && tools.get_warehouse_stock) {
    const wh = (await invokeJson(tools.get_warehouse_stock, { product_id: q.product_id })) as Json | null;
    const byWarehouse = new Map<string, { warehouse_id: string; name?: string; quantity: number }>();
    for (const row of (wh?.stock as Json[] | undefined) ?? []) {
      const line = perVariant.get(String(row.item_id));
      const n = Number(row.on_hand ?? 0);
      if (!line || n <= 0) continue;
      line.warehouse_quantity = (line.warehouse_quantity ?? 0) + n;
      const w = byWarehouse.get(row.warehouse_id) ?? { warehouse_id: row.warehouse_id, name: row.warehouse_name ?? row.name, quantity: 0 };
      w.quantity += n;
      byWarehouse.set(row.warehouse_id, w);
    }
    result.warehouses = [...byWarehouse.values()].sort((a, b) => b.quantity - a.quantity).slice(0, 3);
  }
  const count = (v: { store_quantity?: number; warehouse_quantity?: number }) => (atStore ? (v.store_quantity ?? 0) : (v.warehouse_quantity ?? 0));
  result.variants = [...perVariant.values()].sort((a, b) => count(b) - count(a));
  return result;
}

const storeLine = (s: Json, quantity?: number) => ({
  store_id: String(s.store_id),
  name: s.name ?? s.store_name,
  city: s.city,
  state: s.state,
  ...(s.distance_miles !== undefined ? { distance_miles: s.distance_miles } : {}),
  ...(quantity !== undefined ? { quantity } : {}),
});

export function retailPlaneSources(_db: Db, tools: Record<string, StructuredToolInterface>): Partial<ContextSources> {
  const out: Partial<ContextSources> = {};
  if (tools.get_store_stock && tools.find_nearest_stores_with_stock) {
    out.stock = async (q: StockQuery) => {
      const product = (await invokeJson(tools.get_product_details, { product_id: q.product_id })) as Json | null;
      const pool = matchingVariants(product, q.options);
      if (pool.filter((v) => v.available).length > 1) return variantStock(tools, q, pool);
      const variant = pickVariant(pool);
      if (!variant) return null;
      const result: Json = { product: { product_id: q.product_id, name: q.product_name }, item_id: variant.item_id, options: variant.options };
      const origin = q.store_id ? { store_id: q.store_id } : q.zip ? { zip: q.zip } : undefined;
      const atStore = q.store_id ? ((await invokeJson(tools.get_store_stock, { store_id: q.store_id, item_id: variant.item_id })) as Json | null) : null;
      if (q.store_id && !atStore) result.note = `I couldn't find store ${q.store_id}.`;
      if (atStore) {
        const row = (atStore.stock as Json[] | undefined)?.[0];
        result.store = { ...storeLine({ store_id: atStore.store_id, name: atStore.store_name }), quantity: Number(row?.on_hand ?? 0), status: row?.status };
      }
      if (!atStore || result.store.quantity <= 0) {
        const [near, warehouses] = await Promise.all([
          origin && !(q.store_id && !atStore) ? (invokeJson(tools.find_nearest_stores_with_stock, { item_id: variant.item_id, ...origin, limit: 3 }) as Promise<Json | null>) : Promise.resolve(null),
          tools.get_warehouse_stock ? (invokeJson(tools.get_warehouse_stock, { item_id: variant.item_id }) as Promise<Json | null>) : Promise.resolve(null),
        ]);
        result.nearest = ((near?.stores as Json[] | undefined) ?? []).map((s) => storeLine(s, Number(s.on_hand ?? s.quantity ?? 0)));
        result.warehouses = ((warehouses?.stock as Json[] | undefined) ?? [])
          .filter((w) => Number(w.on_hand) > 0)
          .slice(0, 3)
          .map((w) => ({ warehouse_id: w.warehouse_id, name: w.warehouse_name ?? w.name, quantity: Number(w.on_hand) }));
        if (!origin) result.note = "Tell me a store number or your zip code and I'll check the nearest stores too.";
      }
      return result;
    };
  }
  if (tools.get_store_details) {
    out.stores = async ({ store_ids, zip }) => {
      if (store_ids.length) {
        const stores = await Promise.all(store_ids.slice(0, 3).map((store_id) => invokeJson(tools.get_store_details, { store_id })));
        return stores.filter(Boolean).map((s) => compactStore(s as Json));
      }
      if (zip && tools.find_nearest_stores) {
        const near = (await invokeJson(tools.find_nearest_stores, { zip, limit: 3 })) as Json | null;
        return ((near?.stores as Json[] | undefined) ?? []).map(compactStore);
      }
      return null;
    };
  }
  if (tools.get_loyalty_account) {
    out.loyalty = async (user_id) => {
      const a = (await invokeJson(tools.get_loyalty_account, { user_id, history_limit: 0 })) as Json | null;
      if (!a) return null;
      const { recent_points_history: _h, ...rest } = a;
      return rest;
    };
  }
  if (tools.list_active_promotions) {
    out.promotions = async ({ user_id, state }) => {
      const r = (await invokeJson(tools.list_active_promotions, user_id ? { user_id } : state ? { state } : {})) as Json | null;
      return ((r?.promotions as Json[] | undefined) ?? []).slice(0, 8);
    };
  }
  if (tools.get_shipping_options) {
    out.shipping = async ({ zip, user_id }: { state?: string; zip?: string; user_id?: string }) => {
      if (!zip) return null;
      const r = (await invokeJson(tools.get_shipping_options, { zip, ...(user_id ? { user_id } : {}) })) as Json | null;
      return (r?.options as Json[] | undefined) ?? null;
    };
  }
  return out;
}

function compactStore(s: Json) {
  const hours = s.opening_hours as Record<string, { open: string; close: string } | null> | undefined;
  const today = hours ? Object.entries(hours).map(([d, h]) => `${d} ${h ? `${h.open}–${h.close}` : "closed"}`).join(", ") : undefined;
  return { ...storeLine(s), address1: s.address1, zip: s.zip, phone: s.phone, hours: today, services: s.services };
}
