import type { Db } from "../../db/executor.ts";

/**
 * The catalogue system (products and their variants). The only code that reads the `products`
 * and `variants` tables; a retailer with its own PIM swaps this module.
 */

export interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}
/** A product in τ-bench's shape. `variants` is a Map: item ids look like integers and objects would reorder them. */
export interface ProductRecord {
  name: string;
  product_id: string;
  variants: Map<string, Variant>;
}
export interface VariantOfProduct extends Variant {
  product_id: string;
}

type VariantRow = { product_id: string; item_id: string; options: Record<string, string>; available: boolean; price: number };

/** Products by id (all when `ids` is omitted), in catalogue order. Missing ids are absent. */
export async function getProducts(db: Db, ids?: readonly string[]): Promise<Map<string, ProductRecord>> {
  if (ids && ids.length === 0) return new Map();
  const filter = ids ? "WHERE product_id = ANY($1::text[])" : "";
  const params = ids ? [ids] : [];
  const products = await db.query<{ product_id: string; name: string }>(
    `SELECT product_id, name FROM products ${filter} ORDER BY ordinal`,
    params,
  );
  const variants = await db.query<VariantRow>(
    `SELECT product_id, item_id, options, available, price FROM variants ${filter} ORDER BY product_id, position`,
    params,
  );
  const out = new Map<string, ProductRecord>();
  for (const p of products.rows) out.set(p.product_id, { name: p.name, product_id: p.product_id, variants: new Map() });
  for (const v of variants.rows) {
    out.get(v.product_id)?.variants.set(v.item_id, {
      item_id: v.item_id,
      options: v.options,
      available: v.available,
      price: v.price,
    });
  }
  return out;
}

export async function getProduct(db: Db, productId: string): Promise<ProductRecord | undefined> {
  return (await getProducts(db, [productId])).get(productId);
}

/** Product name → product id for every product, sorted by name (code point order, as Python sorts). */
export async function listProductTypes(db: Db): Promise<Array<[string, string]>> {
  const { rows } = await db.query<{ name: string; product_id: string }>(`SELECT name, product_id FROM products ORDER BY ordinal`);
  // Python's dict comprehension keeps the last product id for a repeated name.
  const byName = new Map<string, string>();
  for (const r of rows) byName.set(r.name, r.product_id);
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Variants by item id, with the product each belongs to. */
export async function getVariants(db: Db, itemIds: readonly string[]): Promise<Map<string, VariantOfProduct>> {
  if (itemIds.length === 0) return new Map();
  const { rows } = await db.query<VariantRow>(
    `SELECT product_id, item_id, options, available, price FROM variants WHERE item_id = ANY($1::text[])`,
    [[...new Set(itemIds)]],
  );
  return new Map(rows.map((v) => [v.item_id, v]));
}
