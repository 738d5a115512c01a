import type pg from "pg";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { loadTauDataset } from "./tauDataset.ts";
import { DEFAULT_SEED, GENERATOR_VERSION, generateRetailPlane, type RetailPlane, type StockRow } from "./retailPlane/generate.ts";
import { STATES, WAREHOUSES } from "./retailPlane/geography.ts";

export interface RetailPlaneOptions {
  /** PRNG seed (env AISLE_SEED, default 1600). */
  seed?: number;
  /** Reference "today" for loyalty and promotion dates, YYYY-MM-DD (env AISLE_SEED_DATE, default today UTC). */
  asOf?: string;
  /** Regenerate even when the plane already matches seed and generator version. */
  force?: boolean;
}

/** Tables of the plane, children first (the order rows are deleted in). */
const PLANE_TABLES = [
  "promotion_usages",
  "promotions",
  "loyalty_points_history",
  "loyalty_accounts",
  "warehouse_inventory",
  "store_inventory",
  "stores",
  "geo_metros",
  "us_states",
  "warehouses",
  "shipping_options",
  "retail_plane_meta",
] as const;

export function resolvePlaneOptions(opts: RetailPlaneOptions = {}): { seed: number; asOf: string } {
  const seed = opts.seed ?? Number(process.env.AISLE_SEED ?? DEFAULT_SEED);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`AISLE_SEED must be a non-negative integer, got ${process.env.AISLE_SEED}`);
  const asOf = opts.asOf ?? process.env.AISLE_SEED_DATE ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) throw new Error(`AISLE_SEED_DATE must be YYYY-MM-DD, got ${asOf}`);
  return { seed, asOf };
}

async function copyStock(client: pg.ClientBase, table: string, column: string, rows: StockRow[]): Promise<void> {
  // COPY in text format: ids are digits/letters only, so no escaping is needed.
  const chunks = function* () {
    const batch = 20_000;
    for (let i = 0; i < rows.length; i += batch) {
      let s = "";
      for (const r of rows.slice(i, i + batch)) s += `${r.location_id}\t${r.item_id}\t${r.on_hand}\n`;
      yield s;
    }
  };
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${column}, item_id, on_hand) FROM STDIN`)));
}

async function insertPlane(client: pg.ClientBase, plane: RetailPlane): Promise<void> {
  const q = (text: string, params: unknown[]) => client.query(text, params);
  await q(`INSERT INTO retail_plane_meta (seed, as_of, generator_version) VALUES ($1, $2, $3)`, [plane.seed, plane.asOf, GENERATOR_VERSION]);
  const byWarehouse = new Map<string, string[]>();
  for (const s of STATES) byWarehouse.set(s.warehouseId, [...(byWarehouse.get(s.warehouseId) ?? []), s.state]);
  const regionOf = new Map(STATES.map((s) => [s.state, s.region]));
  await q(
    `INSERT INTO warehouses (warehouse_id, name, address1, city, state, zip, lat, lon, region, serves_states)
     SELECT w.id, w.name, w.address1, w.city, w.state, w.zip, w.lat, w.lon, w.region, string_to_array(w.serves, ',')
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[])
       AS w(id, name, address1, city, state, zip, lat, lon, region, serves)`,
    [
      WAREHOUSES.map((w) => w.warehouseId),
      WAREHOUSES.map((w) => w.name),
      WAREHOUSES.map((w) => w.address1),
      WAREHOUSES.map((w) => w.city),
      WAREHOUSES.map((w) => w.state),
      WAREHOUSES.map((w) => w.zip),
      WAREHOUSES.map((w) => w.lat),
      WAREHOUSES.map((w) => w.lon),
      WAREHOUSES.map((w) => regionOf.get(w.state)),
      WAREHOUSES.map((w) => (byWarehouse.get(w.warehouseId) ?? []).join(",")),
    ],
  );
  await q(
    `INSERT INTO us_states (state, name, region, warehouse_id, sales_tax_rate)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[])`,
    [STATES.map((s) => s.state), STATES.map((s) => s.name), STATES.map((s) => s.region), STATES.map((s) => s.warehouseId), STATES.map((s) => s.salesTaxRate)],
  );
  const m = plane.metros;
  await q(
    `INSERT INTO geo_metros (metro_id, city, state, lat, lon, population_k, zip_prefixes)
     SELECT id, city, state, lat, lon, pop, string_to_array(zips, ',')::char(3)[]
     FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::int[], $7::text[]) AS m(id, city, state, lat, lon, pop, zips)`,
    [m.map((x) => x.metro_id), m.map((x) => x.city), m.map((x) => x.state), m.map((x) => x.lat), m.map((x) => x.lon), m.map((x) => x.populationK), m.map((x) => x.zipPrefixes.join(","))],
  );
  const s = plane.stores;
  await q(
    `INSERT INTO stores (store_id, name, format, address1, city, state, zip, lat, lon, phone, opening_hours, services, metro_id, opened_on)
     SELECT id, name, format, address1, city, state, zip, lat, lon, phone, hours, string_to_array(services, ','), metro, opened
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[],
                 $10::text[], $11::json[], $12::text[], $13::int[], $14::date[])
       AS s(id, name, format, address1, city, state, zip, lat, lon, phone, hours, services, metro, opened)`,
    [
      s.map((x) => x.store_id), s.map((x) => x.name), s.map((x) => x.format), s.map((x) => x.address1), s.map((x) => x.city),
      s.map((x) => x.state), s.map((x) => x.zip), s.map((x) => x.lat), s.map((x) => x.lon), s.map((x) => x.phone),
      s.map((x) => JSON.stringify(x.opening_hours)), s.map((x) => x.services.join(",")), s.map((x) => x.metro_id), s.map((x) => x.opened_on),
    ],
  );
  // Half a million stock rows: validate the foreign keys in one join after the COPY rather than
  // with a trigger per row (the constraints are re-added inside this same transaction).
  await client.query("ALTER TABLE store_inventory DROP CONSTRAINT store_inventory_store_fk, DROP CONSTRAINT store_inventory_variant_fk");
  await copyStock(client, "store_inventory", "store_id", plane.storeInventory);
  await client.query(
    `ALTER TABLE store_inventory
       ADD CONSTRAINT store_inventory_store_fk FOREIGN KEY (store_id) REFERENCES stores (store_id),
       ADD CONSTRAINT store_inventory_variant_fk FOREIGN KEY (item_id) REFERENCES variants (item_id)`,
  );
  await copyStock(client, "warehouse_inventory", "warehouse_id", plane.warehouseInventory);

  const a = plane.loyaltyAccounts;
  await q(
    `INSERT INTO loyalty_accounts (user_id, tier, points, lifetime_spend, member_since)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::date[])`,
    [a.map((x) => x.user_id), a.map((x) => x.tier), a.map((x) => x.points), a.map((x) => x.lifetime_spend), a.map((x) => x.member_since)],
  );
  const h = plane.pointsHistory;
  await q(
    `INSERT INTO loyalty_points_history (user_id, occurred_on, kind, points, order_id, description)
     SELECT u, d, k, p, o, t FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::text[], $6::text[])
       WITH ORDINALITY AS h(u, d, k, p, o, t, n)
     ORDER BY n`,
    [h.map((x) => x.user_id), h.map((x) => x.occurred_on), h.map((x) => x.kind), h.map((x) => x.points), h.map((x) => x.order_id), h.map((x) => x.description)],
  );
  const p = plane.promotions;
  await q(
    `INSERT INTO promotions (promo_code, description, discount_type, discount_value, min_subtotal, max_discount, eligible_tiers,
                             eligible_regions, starts_on, ends_on, max_uses_per_customer, cooldown_days)
     SELECT code, descr, dtype, dvalue, mins, maxd, CASE WHEN tiers = '' THEN NULL ELSE string_to_array(tiers, ',') END,
            CASE WHEN regions = '' THEN NULL ELSE string_to_array(regions, ',') END, starts, ends, maxu, cool
     FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::date[],
                 $10::date[], $11::int[], $12::int[]) AS p(code, descr, dtype, dvalue, mins, maxd, tiers, regions, starts, ends, maxu, cool)`,
    [
      p.map((x) => x.promo_code), p.map((x) => x.description), p.map((x) => x.discount_type), p.map((x) => x.discount_value),
      p.map((x) => x.min_subtotal), p.map((x) => x.max_discount), p.map((x) => x.eligible_tiers?.join(",") ?? ""),
      p.map((x) => x.eligible_regions?.join(",") ?? ""), p.map((x) => x.starts_on), p.map((x) => x.ends_on),
      p.map((x) => x.max_uses_per_customer), p.map((x) => x.cooldown_days),
    ],
  );
  const u = plane.promotionUsages;
  await q(
    `INSERT INTO promotion_usages (user_id, promo_code, used_on, order_id, discount_amount)
     SELECT u, c, d, o, a FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::float8[]) WITH ORDINALITY AS x(u, c, d, o, a, n)
     ORDER BY n`,
    [u.map((x) => x.user_id), u.map((x) => x.promo_code), u.map((x) => x.used_on), u.map((x) => x.order_id), u.map((x) => x.discount_amount)],
  );
  const o = plane.shippingOptions;
  await q(
    `INSERT INTO shipping_options (option_id, name, price, free_over_subtotal, free_for_tiers, min_days, max_days, order_cutoff,
                                   max_store_distance_miles, noncontiguous_surcharge, position)
     SELECT id, name, price, freeover, CASE WHEN tiers = '' THEN '{}' ELSE string_to_array(tiers, ',') END, mind, maxd, cutoff, dist, sur, pos
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::int[], $7::int[], $8::time[], $9::float8[], $10::float8[], $11::int[])
       AS o(id, name, price, freeover, tiers, mind, maxd, cutoff, dist, sur, pos)`,
    [
      o.map((x) => x.option_id), o.map((x) => x.name), o.map((x) => x.price), o.map((x) => x.free_over_subtotal),
      o.map((x) => x.free_for_tiers.join(",")), o.map((x) => x.min_days), o.map((x) => x.max_days), o.map((x) => x.order_cutoff),
      o.map((x) => x.max_store_distance_miles), o.map((x) => x.noncontiguous_surcharge), o.map((x) => x.position),
    ],
  );
}

/** Row counts of the plane's tables (what the seed step and the benchmark report). */
export async function retailPlaneCounts(client: pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM stores) AS stores, (SELECT count(*) FROM warehouses) AS warehouses,
            (SELECT count(*) FROM store_inventory) AS store_stock_rows, (SELECT count(*) FROM warehouse_inventory) AS warehouse_stock_rows,
            (SELECT count(*) FROM loyalty_accounts) AS loyalty_accounts, (SELECT count(*) FROM loyalty_points_history) AS points_entries,
            (SELECT count(*) FROM promotions) AS promotions, (SELECT count(*) FROM promotion_usages) AS promotion_usages`,
  );
  return rows[0];
}

/**
 * Seed step: generates the retail plane from the τ-bench dataset. Idempotent: when the plane
 * already comes from the same seed and generator version it is left as is (dates stay anchored
 * to the day it was generated); otherwise (or with `force`) its rows are replaced.
 */
export async function seedRetailPlane(client: pg.ClientBase, opts: RetailPlaneOptions = {}): Promise<Record<string, number>> {
  const { seed, asOf } = resolvePlaneOptions(opts);
  // Concurrent first starts (replicas, CLI + server) generate the plane once.
  await client.query("SELECT pg_advisory_xact_lock(hashtext('aisle-retail-plane'))");
  const { rows } = await client.query("SELECT seed, generator_version FROM retail_plane_meta");
  const current = rows[0] && Number(rows[0].seed) === seed && rows[0].generator_version === GENERATOR_VERSION;
  if (current && !opts.force) return retailPlaneCounts(client);
  for (const t of PLANE_TABLES) await client.query(`DELETE FROM ${t}`);
  await insertPlane(client, generateRetailPlane(loadTauDataset(), { seed, asOf }));
  await client.query("ANALYZE stores, store_inventory, warehouse_inventory, loyalty_accounts, promotion_usages");
  return retailPlaneCounts(client);
}

/**
 * A digest of the plane's content (every generated column, in key order; surrogate ids and
 * timestamps excluded): equal digests mean identical data.
 */
export async function retailPlaneContentHash(client: pg.ClientBase | pg.Pool): Promise<string> {
  const tables: [string, string, string][] = [
    ["warehouses", "warehouses::text", "warehouse_id"],
    ["us_states", "us_states::text", "state"],
    ["geo_metros", "geo_metros::text", "metro_id"],
    ["stores", "stores::text", "store_id"],
    ["store_inventory", "store_inventory::text", "store_id, item_id"],
    ["warehouse_inventory", "warehouse_inventory::text", "warehouse_id, item_id"],
    ["loyalty_accounts", "loyalty_accounts::text", "user_id"],
    ["loyalty_points_history", "(user_id, occurred_on, kind, points, order_id, description)::text", "entry_id"],
    ["promotions", "promotions::text", "promo_code"],
    ["promotion_usages", "(user_id, promo_code, used_on, order_id, discount_amount)::text", "usage_id"],
    ["shipping_options", "shipping_options::text", "option_id"],
    ["retail_plane_meta", "(seed, as_of, generator_version)::text", "seed"],
  ];
  const parts = tables.map(
    ([t, expr, order]) => `md5(coalesce((SELECT string_agg(${expr}, E'\\n' ORDER BY ${order}) FROM ${t}), ''))`,
  );
  const { rows } = await client.query(`SELECT md5(${parts.join(" || ")}) AS hash`);
  return rows[0].hash;
}
