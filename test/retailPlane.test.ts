import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { seedAll } from "../db/seed/index.ts";
import { loadTauDataset } from "../db/seed/tauDataset.ts";
import { retailPlaneContentHash, seedRetailPlane } from "../db/seed/seedRetailPlane.ts";
import { generateRetailPlane, tierForSpend } from "../db/seed/retailPlane/generate.ts";
import { poolDb, type Db } from "../db/executor.ts";
import { createRetailTools, runTool, TOOL_GROUPS, type AisleTool } from "../tools/index.ts";
import { evaluatePromotion, type Promotion } from "../tools/loyalty/index.ts";
import { quoteShipping, type ShippingOption } from "../tools/shipping/index.ts";

let tdb: TestDatabase;
let db: Db;
let tools: Record<string, AisleTool>;
const call = async (name: string, args: Record<string, unknown>) => String(await tools[name].invoke(args));
const callJson = async (name: string, args: Record<string, unknown>) => {
  const out = await call(name, args);
  expect(out, `${name} ${JSON.stringify(args)}`).not.toMatch(/^Error/);
  return JSON.parse(out);
};
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function haversineMiles(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (x: number) => (x * Math.PI) / 180;
  const a = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = poolDb(tdb.pool);
  tools = createRetailTools(db);
});
afterAll(async () => {
  await tdb?.drop();
});

describe("retail plane generation", () => {
  it("is a pure function of seed and date", () => {
    const data = loadTauDataset();
    const digest = (seed: number, asOf: string) =>
      createHash("sha256").update(JSON.stringify(generateRetailPlane(data, { seed, asOf }))).digest("hex");
    expect(digest(1600, "2025-06-01")).toBe(digest(1600, "2025-06-01"));
    expect(digest(1601, "2025-06-01")).not.toBe(digest(1600, "2025-06-01"));
  });

  it("has 1,600 stores, 12 warehouses, every state and a loyalty account for every user", async () => {
    const { rows } = await tdb.pool.query(
      `SELECT (SELECT count(*) FROM stores) AS stores, (SELECT count(DISTINCT state) FROM stores) AS store_states,
              (SELECT array_agg(warehouse_id ORDER BY warehouse_id) FROM warehouses) AS warehouses,
              (SELECT count(*) FROM us_states) AS states,
              (SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.user_id = u.user_id)) AS users_without_account,
              (SELECT count(*) FROM loyalty_accounts) AS accounts, (SELECT count(*) FROM users) AS users,
              (SELECT min(store_id) FROM stores) AS first_store, (SELECT max(store_id) FROM stores) AS last_store`,
    );
    const r = rows[0];
    expect(r.stores).toBe(1600);
    expect([r.first_store, r.last_store]).toEqual(["0001", "1600"]);
    expect(r.warehouses).toEqual(Array.from({ length: 12 }, (_, i) => `WH-${String(i + 1).padStart(2, "0")}`));
    expect(r.states).toBe(51);
    expect(r.store_states).toBe(51); // every state and DC has at least one store
    expect(r.users_without_account).toBe(0);
    expect(r.accounts).toBe(r.users);
  });

  it("stock is realistic and discontinued variants have none anywhere", async () => {
    const { rows } = await tdb.pool.query(
      `SELECT (SELECT count(*) FROM store_inventory si JOIN variants v USING (item_id) WHERE NOT v.available AND si.on_hand > 0) AS store_discontinued,
              (SELECT count(*) FROM warehouse_inventory wi JOIN variants v USING (item_id) WHERE NOT v.available AND wi.on_hand > 0) AS wh_discontinued,
              (SELECT count(*) FROM warehouse_inventory) AS wh_rows, (SELECT count(*) FROM variants) * 12 AS wh_expected,
              (SELECT avg((si.on_hand = 0)::int) FROM store_inventory si JOIN variants v USING (item_id) WHERE v.available) AS zero_share,
              (SELECT avg((si.on_hand BETWEEN 1 AND 3)::int) FROM store_inventory si) AS low_share,
              (SELECT avg((si.on_hand > 15)::int) FROM store_inventory si) AS large_share,
              (SELECT count(*) FROM store_inventory) AS store_rows, (SELECT count(*) FROM variants) * 1600 AS full_grid`,
    );
    const r = rows[0];
    expect(r.store_discontinued).toBe(0);
    expect(r.wh_discontinued).toBe(0);
    expect(r.wh_rows).toBe(r.wh_expected);
    expect(Number(r.zero_share)).toBeGreaterThan(0.15); // many carried-but-out-of-stock
    expect(Number(r.low_share)).toBeGreaterThan(0.15);
    expect(Number(r.large_share)).toBeGreaterThan(0.01);
    expect(Number(r.large_share)).toBeLessThan(0.15);
    expect(r.store_rows).toBeLessThan(r.full_grid); // only what a store carries
  });

  it("loyalty balances equal their points history, and tiers follow lifetime spend from orders", async () => {
    const { rows } = await tdb.pool.query(
      `SELECT a.user_id, a.tier, a.points, a.lifetime_spend,
              (SELECT coalesce(sum(h.points), 0) FROM loyalty_points_history h WHERE h.user_id = a.user_id) AS history_sum,
              (SELECT coalesce(sum(CASE WHEN p.transaction_type = 'payment' THEN p.amount ELSE -p.amount END), 0)
                 FROM orders o JOIN order_payments p USING (order_id) WHERE o.user_id = a.user_id) AS net_paid
         FROM loyalty_accounts a`,
    );
    for (const r of rows) {
      expect(r.points).toBe(Number(r.history_sum));
      expect(r.lifetime_spend).toBeCloseTo(r.net_paid, 2);
      expect(r.tier).toBe(tierForSpend(r.lifetime_spend));
    }
    expect(new Set(rows.map((r) => r.tier))).toEqual(new Set(["Bronze", "Silver", "Gold", "Platinum"]));
  });

  it("re-seeding is idempotent and regenerating from the same seed and date gives identical content", async () => {
    const before = await retailPlaneContentHash(tdb.pool);
    await seedAll(tdb.pool);
    expect(await retailPlaneContentHash(tdb.pool)).toBe(before);

    const meta = (await tdb.pool.query("SELECT seed, as_of::text AS as_of FROM retail_plane_meta")).rows[0];
    const client = await tdb.pool.connect();
    try {
      await client.query("BEGIN");
      await seedRetailPlane(client, { seed: Number(meta.seed), asOf: meta.as_of, force: true });
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    expect(await retailPlaneContentHash(tdb.pool)).toBe(before);
  });
});

describe("inventory tools", () => {
  it("find_nearest_stores_with_stock returns the nearest stores holding the item, nearest first", async () => {
    // A store that carries an available item but is out of it: nearest-with-stock must skip it.
    const { rows } = await tdb.pool.query(
      `SELECT si.store_id, si.item_id, s.lat, s.lon FROM store_inventory si JOIN variants v USING (item_id) JOIN stores s USING (store_id)
        WHERE v.available AND si.on_hand = 0 ORDER BY si.store_id, si.item_id LIMIT 1`,
    );
    const { store_id, item_id, lat, lon } = rows[0];
    const out = await callJson("find_nearest_stores_with_stock", { item_id, store_id, limit: 8 });
    expect(out.stores).toHaveLength(8);
    expect(out.stores.map((s: { store_id: string }) => s.store_id)).not.toContain(store_id);

    // Brute force over every store holding the item agrees on the order.
    const holders = (
      await tdb.pool.query(`SELECT s.store_id, s.lat, s.lon, si.on_hand FROM store_inventory si JOIN stores s USING (store_id) WHERE si.item_id = $1 AND si.on_hand > 0`, [item_id])
    ).rows
      .map((s) => ({ id: s.store_id, d: haversineMiles(lat, lon, s.lat, s.lon), on_hand: s.on_hand }))
      .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id));
    expect(out.stores.map((s: { store_id: string }) => s.store_id)).toEqual(holders.slice(0, 8).map((h) => h.id));
    const distances = out.stores.map((s: { distance_miles: number }) => s.distance_miles);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const s of out.stores) {
      expect(s.on_hand).toBeGreaterThan(0);
      expect(s.on_hand).toBe(holders.find((h) => h.id === s.store_id)?.on_hand);
    }

    // A larger quantity only returns stores with at least that many units.
    const big = await callJson("find_nearest_stores_with_stock", { item_id, lat, lon, quantity: 10, limit: 5 });
    expect(big.stores.length).toBeGreaterThan(0);
    for (const s of big.stores) expect(s.on_hand).toBeGreaterThanOrEqual(10);
    // A radius limits the search.
    const near = await callJson("find_nearest_stores_with_stock", { item_id, lat, lon, max_distance_miles: 25, limit: 25 });
    for (const s of near.stores) expect(s.distance_miles).toBeLessThanOrEqual(25);
    expect(near.stores.map((s: { store_id: string }) => s.store_id)).toEqual(holders.filter((h) => h.d <= 25).slice(0, 25).map((h) => h.id));
  });

  it("a discontinued variant is in stock nowhere", async () => {
    const { rows } = await tdb.pool.query(`SELECT item_id FROM variants WHERE NOT available ORDER BY item_id LIMIT 1`);
    const out = await callJson("find_nearest_stores_with_stock", { item_id: rows[0].item_id, zip: "80218" });
    expect(out.available).toBe(false);
    expect(out.stores).toEqual([]);
    const wh = await callJson("get_warehouse_stock", { item_id: rows[0].item_id });
    expect(wh.total_on_hand).toBe(0);
    expect(wh.stock).toHaveLength(12);
  });

  it("get_store_stock reports a product's variants at a store, and store look-ups accept a store number", async () => {
    const { rows } = await tdb.pool.query(
      `SELECT si.store_id, v.product_id, count(*) OVER (PARTITION BY v.product_id) AS n FROM store_inventory si JOIN variants v USING (item_id)
        WHERE si.on_hand > 3 ORDER BY si.store_id, v.product_id LIMIT 1`,
    );
    const out = await callJson("get_store_stock", { store_id: String(Number(rows[0].store_id)), product_id: rows[0].product_id });
    expect(out.store_id).toBe(rows[0].store_id);
    const variants = (await tdb.pool.query(`SELECT count(*) AS n FROM variants WHERE product_id = $1`, [rows[0].product_id])).rows[0].n;
    expect(out.stock).toHaveLength(variants);
    expect(out.stock.some((s: { status: string }) => s.status === "in_stock")).toBe(true);

    const store = await callJson("get_store_details", { store_id: `#${Number(rows[0].store_id)}` });
    expect(store.store_id).toBe(rows[0].store_id);
    expect(Object.keys(store.opening_hours)).toEqual(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
    const byCity = await callJson("find_stores", { city: store.city.toUpperCase(), state: store.state, limit: 50 });
    expect(byCity.map((s: { store_id: string }) => s.store_id)).toContain(store.store_id);
    const byZip = await callJson("find_stores", { zip: store.zip, limit: 1 });
    expect(byZip[0].distance_miles).toBeLessThan(15);
  });

  it("find_nearest_stores filters by service and sorts by distance", async () => {
    const out = await callJson("find_nearest_stores", { zip: "10126", service: "pharmacy", limit: 10 });
    expect(out.stores).toHaveLength(10);
    for (const s of out.stores) expect(s.services).toContain("pharmacy");
    const d = out.stores.map((s: { distance_miles: number }) => s.distance_miles);
    expect(d).toEqual([...d].sort((a, b) => a - b));
    expect(out.stores[0].state).toMatch(/^(NY|NJ)$/);
  });
});

describe("promotions", () => {
  const promo = (over: Partial<Promotion>): Promotion => ({
    promo_code: "TEST",
    description: "test",
    discount_type: "percent",
    discount_value: 20,
    min_subtotal: 50,
    max_discount: 30,
    eligible_tiers: ["Gold", "Platinum"],
    eligible_regions: ["Pacific"],
    starts_on: "2025-01-01",
    ends_on: "2025-01-31",
    max_uses_per_customer: 1,
    cooldown_days: 30,
    ...over,
  });
  const gold = { tier: "Gold" as const, region: "Pacific" };

  it("eligibility follows tier, region, date window, use limit, cooldown and minimum spend", () => {
    expect(evaluatePromotion(promo({}), gold, [], "2025-01-15", 100)).toEqual({ promo_code: "TEST", eligible: true, reasons: [], discount: 20 });
    expect(evaluatePromotion(promo({}), gold, [], "2025-01-15", 500).discount).toBe(30); // capped
    expect(evaluatePromotion(promo({}), { tier: "Silver", region: "Pacific" }, [], "2025-01-15").eligible).toBe(false);
    expect(evaluatePromotion(promo({}), { tier: "Gold", region: "Midwest" }, [], "2025-01-15").eligible).toBe(false);
    expect(evaluatePromotion(promo({}), gold, [], "2024-12-31").reasons[0]).toMatch(/starts on 2025-01-01/);
    expect(evaluatePromotion(promo({}), gold, [], "2025-02-01").reasons[0]).toMatch(/ended on 2025-01-31/);
    const used = [{ promo_code: "OTHER", used_on: "2025-01-05", order_id: null, discount_amount: 5 }];
    expect(evaluatePromotion(promo({}), gold, used, "2025-01-20").reasons[0]).toMatch(/within the last 30 days/);
    expect(evaluatePromotion(promo({ ends_on: "2025-03-01" }), gold, used, "2025-02-04").eligible).toBe(true); // 30 days later
    expect(evaluatePromotion(promo({ cooldown_days: 0 }), gold, used, "2025-01-20").eligible).toBe(true);
    const mine = [{ promo_code: "TEST", used_on: "2024-12-01", order_id: null, discount_amount: 5 }];
    expect(evaluatePromotion(promo({ starts_on: "2024-11-01" }), gold, mine, "2025-01-20").reasons[0]).toMatch(/limit 1 per customer/);
    expect(evaluatePromotion(promo({}), gold, [], "2025-01-15", 20).reasons[0]).toMatch(/at least 50/);
  });

  it("check_promotion_eligibility uses the customer's tier, home region and promotion history from the database", async () => {
    const bronze = (await tdb.pool.query(`SELECT user_id FROM loyalty_accounts WHERE tier = 'Bronze' ORDER BY user_id LIMIT 1`)).rows[0].user_id;
    const gold = await callJson("check_promotion_eligibility", { user_id: bronze, promo_code: "gold20" });
    expect(gold.eligible).toBe(false);
    expect(gold.reasons.join(" ")).toMatch(/Gold\/Platinum members \(customer is Bronze\)/);

    // Region: NORTHEAST10 for someone living outside the Northeast, unless buying in a Northeast state.
    const outside = (
      await tdb.pool.query(
        `SELECT a.user_id FROM loyalty_accounts a JOIN users u USING (user_id) JOIN us_states s ON s.state = u.address->>'state'
          WHERE s.region <> 'Northeast' AND NOT EXISTS (SELECT 1 FROM promotion_usages p WHERE p.user_id = a.user_id) ORDER BY a.user_id LIMIT 1`,
      )
    ).rows[0].user_id;
    const p = (await tdb.pool.query(`SELECT starts_on::text AS s FROM promotions WHERE promo_code = 'NORTHEAST10'`)).rows[0];
    const away = await callJson("check_promotion_eligibility", { user_id: outside, promo_code: "NORTHEAST10", date: p.s });
    expect(away.eligible).toBe(false);
    expect(away.reasons.join(" ")).toMatch(/only in the Northeast region/);
    const inNy = await callJson("check_promotion_eligibility", { user_id: outside, promo_code: "NORTHEAST10", date: p.s, state: "NY" });
    expect(inNy).toMatchObject({ eligible: true, region: "Northeast" });
    // Date window.
    expect((await callJson("check_promotion_eligibility", { user_id: outside, promo_code: "NORTHEAST10", date: addDays(p.s, -1), state: "NY" })).reasons[0]).toMatch(/starts on/);
  });

  it("a promotion used recently blocks others for the cooldown, and not after it", async () => {
    // The seed includes in-store promotion use in the last 30 days for some customers.
    const { rows } = await tdb.pool.query(
      `SELECT u.user_id, u.used_on::text AS used_on FROM promotion_usages u JOIN retail_plane_meta m ON u.used_on > m.as_of - 30
        WHERE NOT EXISTS (SELECT 1 FROM promotion_usages v WHERE v.user_id = u.user_id AND v.used_on > u.used_on)
        ORDER BY u.user_id LIMIT 1`,
    );
    expect(rows.length).toBe(1);
    const { user_id, used_on } = rows[0];
    const promo = (await tdb.pool.query(`SELECT ends_on::text AS e FROM promotions WHERE promo_code = 'LOYALTY5'`)).rows[0];
    const soon = await callJson("check_promotion_eligibility", { user_id, promo_code: "SAVE20", date: addDays(used_on, 10) });
    expect(soon.last_promotion_used_on).toBe(used_on);
    expect(soon.reasons.join(" ")).toMatch(/within the last 30 days/);
    const later = await callJson("check_promotion_eligibility", { user_id, promo_code: "SAVE20", date: addDays(used_on, 30) });
    expect(later.reasons.join(" ")).not.toMatch(/within the last 30 days/);
    // LOYALTY5 has no cooldown.
    const loyalty5 = await callJson("check_promotion_eligibility", { user_id, promo_code: "LOYALTY5", date: addDays(used_on, 1) < promo.e ? addDays(used_on, 1) : promo.e });
    expect(loyalty5.reasons.join(" ")).not.toMatch(/within the last/);
  });

  it("list_active_promotions filters by tier, region and date", async () => {
    const meta = (await tdb.pool.query(`SELECT as_of::text AS d FROM retail_plane_meta`)).rows[0];
    const bronzeCo = await callJson("list_active_promotions", { tier: "Bronze", state: "CO", date: meta.d });
    const codes = bronzeCo.promotions.map((p: { promo_code: string }) => p.promo_code);
    expect(codes).toContain("WELCOME10");
    expect(codes).toContain("MOUNTAIN30");
    expect(codes).not.toContain("GOLD20");
    expect(codes).not.toContain("NORTHEAST10");
    expect(codes).not.toContain("HOLIDAY25"); // ended
    expect(codes).not.toContain("SPRINGAHEAD"); // not started
    const platinum = (await tdb.pool.query(`SELECT user_id FROM loyalty_accounts WHERE tier = 'Platinum' ORDER BY user_id LIMIT 1`)).rows[0].user_id;
    const mine = await callJson("list_active_promotions", { user_id: platinum, date: meta.d });
    expect(mine.tier).toBe("Platinum");
    const mineCodes = mine.promotions.map((p: { promo_code: string }) => p.promo_code);
    expect(mineCodes).toContain("PLATINUM25");
    expect(mineCodes).not.toContain("WELCOME10");
    for (const p of mine.promotions) expect(typeof p.eligible).toBe("boolean");
  });

  it("get_loyalty_account shows tier progress and history", async () => {
    const silver = (await tdb.pool.query(`SELECT user_id, points FROM loyalty_accounts WHERE tier = 'Silver' ORDER BY user_id LIMIT 1`)).rows[0];
    const out = await callJson("get_loyalty_account", { user_id: silver.user_id, history_limit: 3 });
    expect(out).toMatchObject({ tier: "Silver", points: silver.points, next_tier: "Gold" });
    expect(out.spend_to_next_tier).toBeCloseTo(3000 - out.lifetime_spend, 2);
    expect(out.recent_points_history.length).toBeLessThanOrEqual(3);
    expect(out.recent_points_history.length).toBeGreaterThan(0);
  });
});

describe("shipping and tax", () => {
  it("get_sales_tax_rate returns state base rates by code or name", async () => {
    expect(await callJson("get_sales_tax_rate", { state: "CA" })).toMatchObject({ state: "CA", rate: 0.0725, rate_percent: 7.25 });
    expect(await callJson("get_sales_tax_rate", { state: "oregon" })).toMatchObject({ state: "OR", rate: 0 });
  });

  it("prices shipping with thresholds, tier perks and the Alaska/Hawaii surcharge", async () => {
    const options: ShippingOption[] = [
      { option_id: "standard", name: "Standard", price: 5.99, free_over_subtotal: 35, free_for_tiers: ["Gold"], min_days: 3, max_days: 5, order_cutoff: "23:59", max_store_distance_miles: null, noncontiguous_surcharge: 10 },
      { option_id: "same_day", name: "Same day", price: 9.99, free_over_subtotal: null, free_for_tiers: [], min_days: 0, max_days: 0, order_cutoff: "14:00", max_store_distance_miles: 20, noncontiguous_surcharge: 0 },
    ];
    const [std, same] = quoteShipping(options, { subtotal: 20, noncontiguous: false, sameDayStore: null });
    expect(std.price).toBe(5.99);
    expect(same).toMatchObject({ available: false });
    expect(quoteShipping(options, { subtotal: 40, noncontiguous: false, sameDayStore: null })[0].price).toBe(0);
    expect(quoteShipping(options, { subtotal: 20, tier: "Gold", noncontiguous: false, sameDayStore: null })[0].price).toBe(0);
    expect(quoteShipping(options, { subtotal: 20, noncontiguous: true, sameDayStore: null })[0]).toMatchObject({ price: 15.99, min_days: 6, max_days: 8 });

    const denver = await callJson("get_shipping_options", { zip: "80218", subtotal: 20 });
    expect(denver.options.map((o: { option_id: string }) => o.option_id)).toEqual(["standard", "expedited", "same_day"]);
    const sameDay = denver.options[2];
    expect(sameDay.available).toBe(true);
    expect(sameDay.fulfilled_by_store.distance_miles).toBeLessThanOrEqual(20);
    const anchorage = await callJson("get_shipping_options", { zip: "99501", subtotal: 20 });
    expect(anchorage.options[0].price).toBeGreaterThan(denver.options[0].price);
  });
});

describe("bad input", () => {
  it("returns Error strings and never throws", async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["get_store_details", {}, /^Error: invalid arguments for get_store_details: .*store_id/],
      ["get_store_details", { store_id: 42 }, /^Error: invalid arguments/],
      ["get_store_details", { store_id: "abc" }, /^Error: store not found$/],
      ["get_store_details", { store_id: "9999" }, /^Error: store not found$/],
      ["get_store_stock", { store_id: "0001" }, /^Error: give exactly one of item_id or product_id$/],
      ["get_store_stock", { store_id: "0001", item_id: "nope" }, /^Error: item not found$/],
      ["get_store_stock", { store_id: "0001", product_id: "nope" }, /^Error: product not found$/],
      ["find_nearest_stores_with_stock", { item_id: "nope", zip: "80218" }, /^Error: item not found$/],
      ["find_nearest_stores_with_stock", { item_id: "6469567736", zip: "80218", lat: 1, lon: 2 }, /^Error: give exactly one origin/],
      ["find_nearest_stores_with_stock", { item_id: "6469567736", zip: "8021" }, /^Error: zip must be a 5-digit US ZIP code$/],
      ["find_nearest_stores_with_stock", { item_id: "6469567736", lat: 40 }, /^Error: lat and lon must be given together$/],
      ["find_nearest_stores", { lat: 140, lon: 0 }, /^Error: lat must be within/],
      ["find_nearest_stores", { zip: "80218", service: "spa" }, /^Error: invalid arguments for find_nearest_stores: .*service/],
      ["find_stores", {}, /^Error: give a city, a state or a zip$/],
      ["find_stores", { state: "Colorado" }, /^Error: state must be a two-letter code/],
      ["get_warehouse_stock", { item_id: "6469567736", warehouse_id: "WH-99" }, /^Error: warehouse not found$/],
      ["get_loyalty_account", { user_id: "nobody_1" }, /^Error: user not found$/],
      ["check_promotion_eligibility", { user_id: "nobody_1", promo_code: "SAVE20" }, /^Error: user not found$/],
      ["list_active_promotions", { state: "Atlantis" }, /^Error: unknown state$/],
      ["list_active_promotions", { date: "2025-02-30" }, /^Error: date is not a valid calendar date$/],
      ["list_active_promotions", { date: "tomorrow" }, /^Error: invalid arguments for list_active_promotions: .*date.*YYYY-MM-DD/],
      ["get_shipping_options", { zip: "abcde" }, /^Error: zip must be a 5-digit US ZIP code$/],
      ["get_shipping_options", { zip: "80218", subtotal: -5 }, /^Error: invalid arguments/],
      ["get_sales_tax_rate", { state: "ZZ" }, /^Error: unknown state$/],
    ];
    for (const [name, args, expected] of cases) expect(await call(name, args), `${name} ${JSON.stringify(args)}`).toMatch(expected);
    const anyUser = (await tdb.pool.query(`SELECT user_id FROM users ORDER BY user_id LIMIT 1`)).rows[0].user_id;
    expect(await call("check_promotion_eligibility", { user_id: anyUser, promo_code: "NOPE" })).toBe("Error: promotion not found");
    expect(await runTool(db, "get_store_details", { store_id: null })).toMatch(/^Error: invalid arguments/);
  });

  it("every tool is bound by an agent", () => {
    const bound = new Set(Object.values(TOOL_GROUPS).flat());
    const mine = ["get_store_details", "find_stores", "find_nearest_stores", "get_store_stock", "find_nearest_stores_with_stock", "get_warehouse_stock", "get_loyalty_account", "list_active_promotions", "check_promotion_eligibility", "get_shipping_options", "get_sales_tax_rate"];
    for (const n of mine) {
      expect(tools[n], n).toBeDefined();
      expect(bound.has(n), n).toBe(true);
    }
  });
});
