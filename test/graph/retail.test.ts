import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createAisleRuntime, type AisleRuntime } from "../../graphs/runtime.ts";
import { Conversation } from "../support/graphConversation.ts";

/** Retail-plane flows (stock, stores, loyalty, promotions, discounts) through the compiled graph. */

let db: TestDatabase;
let rt: AisleRuntime;
beforeAll(async () => {
  db = await createTestDatabase();
  rt = await createAisleRuntime({ pool: db.pool, llm: null });
});
afterAll(async () => {
  await rt?.close();
  await db?.drop();
});

/** A variant that is sold online but has zero units at some store, found from the data, not hard-coded. */
async function outOfStockAtStore() {
  const { rows } = await db.pool.query(
    `SELECT si.store_id, si.item_id, p.name, v.options::text AS options
       FROM store_inventory si JOIN variants v USING (item_id) JOIN products p USING (product_id)
      WHERE si.on_hand = 0 AND v.available
        AND EXISTS (SELECT 1 FROM warehouse_inventory w WHERE w.item_id = si.item_id AND w.on_hand > 0)
      ORDER BY si.store_id, si.item_id LIMIT 1`,
  );
  return { ...rows[0], options: JSON.parse(rows[0].options) as Record<string, string> };
}

describe("stock check", () => {
  test("out at the named store falls back to the nearest stores with stock and the warehouses", async () => {
    const x = await outOfStockAtStore();
    const c = new Conversation(rt);
    const r = await c.say(`Do you have the ${x.name} in ${Object.values(x.options).join(", ")} at store ${x.store_id}?`);
    expect(r).toMatch(new RegExp(`#${x.store_id}\\) is out of ${x.name}`));
    expect(r).toMatch(/Nearest stores with stock: .*\d+ miles away/);
    expect(r).toMatch(/Warehouses that can ship it/);
    // Every store named with stock really has it.
    const stock = c.state?.context.stock as { nearest: { store_id: string; quantity: number }[]; item_id: string };
    expect(stock.item_id).toBe(x.item_id);
    for (const s of stock.nearest) {
      const { rows } = await db.pool.query("SELECT on_hand FROM store_inventory WHERE store_id = $1 AND item_id = $2", [s.store_id, x.item_id]);
      expect(rows[0].on_hand).toBe(s.quantity);
      expect(s.quantity).toBeGreaterThan(0);
    }
  });

  test("in stock at the named store answers with the count", async () => {
    const { rows } = await db.pool.query(
      `SELECT si.store_id, si.on_hand, p.name, v.options::text AS options FROM store_inventory si JOIN variants v USING (item_id)
         JOIN products p USING (product_id) WHERE si.on_hand > 3 AND v.available ORDER BY si.store_id DESC, si.item_id LIMIT 1`,
    );
    const x = rows[0];
    const c = new Conversation(rt, { role: "associate", store_id: x.store_id });
    const r = await c.say(`is the ${x.name} ${Object.values(JSON.parse(x.options)).join(" ")} in stock here?`);
    expect(r).toMatch(new RegExp(`has ${x.on_hand} ${x.name}`));
  });
});

describe("loyalty and promotions with policy applied", () => {
  async function goldCustomer() {
    const { rows } = await db.pool.query(
      `SELECT u.email, la.tier FROM loyalty_accounts la JOIN users u USING (user_id)
        WHERE la.tier IN ('Gold', 'Platinum') AND u.address->>'state' = 'NY' ORDER BY u.user_id LIMIT 1`,
    );
    return rows[0] as { email: string; tier: string };
  }

  test("a Gold/Platinum member is told their tier and the free expedited shipping perk", async () => {
    const g = await goldCustomer();
    const c = new Conversation(rt);
    await c.say("what's my loyalty status?");
    const r = await c.say(g.email);
    expect(r).toMatch(new RegExp(`${g.tier} member with \\d+ points`));
    expect(r).toMatch(/expedited shipping free/);
    expect(c.state?.policy_outcome?.effects.map((e) => e.effect)).toContain("free_expedited_shipping");
  });

  test("a customer cannot be granted a discount they ask for", async () => {
    const g = await goldCustomer();
    const c = new Conversation(rt);
    await c.say(g.email);
    const r = await c.say("can I get 30% off my next order?");
    expect(r).not.toMatch(/30%/);
    expect(c.verdicts.find((v) => v.stage === "output")).toMatchObject({ verdict: "block", rule: "discount.self_grant" });
  });

  test("an associate's over-cap discount is fixed to the regional cap, not granted", async () => {
    const g = await goldCustomer();
    const c = new Conversation(rt, { role: "associate", store_id: "0001" });
    await c.say(g.email);
    const r = await c.say("Give this customer a 30% discount");
    expect(r).toMatch(/15% discount/); // NY is in the northeast region: cap 15%
    expect(r).not.toMatch(/30%/);
    expect(c.verdicts.find((v) => v.stage === "output")).toMatchObject({ verdict: "fix", rule: "discount.associate_regional_cap", fixed_args: { percent: 15 } });
  });

  test("promotions list what is running for the customer with eligibility", async () => {
    const g = await goldCustomer();
    const c = new Conversation(rt);
    await c.say(g.email);
    const r = await c.say("any promotions for me right now?");
    expect(r).toMatch(/Current promotions:|no promotions running/);
  });
});
