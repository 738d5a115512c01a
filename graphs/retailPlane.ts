import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Db } from "../db/executor.ts";
import { invokeJson, type ContextSources, type StockQuery } from "./sources.ts";

/**
 * Context sources for the generated retail plane (stores, stock, loyalty, promotions, shipping),
 * read through the tools of tools/inventory, tools/loyalty and tools/shipping, and compacted into
 * the small shapes the agents read. Systems that are not installed contribute nothing.
 */

type Json = Record<string, any>;

/** The variant the customer means: all named options match; available ones first. */
function pickVariant(product: Json | null, options: Record<string, string>): { item_id: string; options: Record<string, string> } | undefined {
  const variants = Object.values((product?.variants ?? {}) as Record<string, Json>);
  const matching = variants.filter((v) => Object.entries(options).every(([k, val]) => v.options?.[k] === undefined || String(v.options[k]).toLowerCase() === val.toLowerCase()));
  const pool = matching.length ? matching : variants;
  const best = pool.find((v) => v.available) ?? pool[0];
  return best ? { item_id: best.item_id, options: best.options } : undefined;
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
      const variant = pickVariant(product, q.options);
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
