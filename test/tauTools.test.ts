import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ToolMessage } from "@langchain/core/messages";
import { TAU_DATA_DIR } from "../db/config.ts";
import { poolDb, type Db } from "../db/executor.ts";
import { loadTauDataset, type TauOrder } from "../db/seed/tauDataset.ts";
import { canonicalHash, canon } from "../evals/canonical.ts";
import { calculate } from "../tools/calculator.ts";
import { createRetailTools, parametersJsonSchema, runTool, TOOL_GROUPS } from "../tools/index.ts";
import { getOrder, getUser } from "../tools/orders/ordersDb.ts";
import { pyDumps, pyFloatRepr, pyRound } from "../tools/pythonJson.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const data = loadTauDataset();
const orders = Object.values(data.orders);
const used = new Set<string>();
/** A dataset order matching `pred` that no other test in this file has touched. */
function pickOrder(pred: (o: TauOrder) => boolean): TauOrder {
  const o = orders.find((x) => !used.has(x.order_id) && !used.has(x.user_id) && pred(x));
  if (!o) throw new Error("no order in the dataset fits this test");
  used.add(o.order_id);
  used.add(o.user_id);
  return o;
}
const giftCards = (userId: string) =>
  Object.values(data.users[userId].payment_methods).filter((m) => m.source === "gift_card");
const isGift = (id: string) => id.includes("gift_card");

let tdb: TestDatabase;
let db: Db;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolMax: 4 });
  db = poolDb(tdb.pool);
});
afterAll(async () => tdb?.drop());

const run = (name: string, args: unknown) => runTool(db, name, args);
const json = async (name: string, args: unknown) => {
  const out = await run(name, args);
  expect(out.startsWith("Error")).toBe(false);
  return JSON.parse(out);
};
/** Hashes of a user's and an order's current records, to show that a call changed nothing. */
const snapshot = async (order: TauOrder) =>
  canonicalHash([await getOrder(db, order.order_id), await getUser(db, order.user_id)]);

describe("tool specs", () => {
  const published = JSON.parse(readFileSync(join(TAU_DATA_DIR, "tools.json"), "utf8")) as Array<{
    function: { name: string; description: string; parameters: unknown };
  }>;
  it("match τ-bench's tools.json: names, descriptions, parameter JSON schemas", () => {
    const tools = createRetailTools(db);
    for (const { function: f } of published) {
      const t = tools[f.name];
      expect(t, f.name).toBeDefined();
      expect(t.description).toBe(f.description);
      expect(parametersJsonSchema(t.schema as never)).toEqual(f.parameters);
    }
  });
  it("every tool an agent group names exists", () => {
    const tools = createRetailTools(db);
    const tau = new Set(published.map((p) => p.function.name));
    for (const names of Object.values(TOOL_GROUPS)) for (const n of names) if (tau.has(n)) expect(tools[n]).toBeDefined();
  });
});

describe("Python JSON and rounding", () => {
  it("writes json.dumps default style", () => {
    expect(pyDumps({ a: 1, b: [1.5, "é\n\"x\""], c: null, d: true }))
      .toBe('{"a": 1, "b": [1.5, "\\u00e9\\n\\"x\\""], "c": null, "d": true}');
    expect(pyDumps({ price: 63, n: 63 }, { floatKeys: new Set(["price"]) })).toBe('{"price": 63.0, "n": 63}');
    expect(pyDumps(new Map([["20", 1], ["10", 2]]))).toBe('{"20": 1, "10": 2}');
    expect(pyDumps("😀")).toBe('"\\ud83d\\ude00"');
  });
  it("writes Python float repr", () => {
    expect(pyFloatRepr(12.340000000000003)).toBe("12.340000000000003");
    expect(pyFloatRepr(1e16)).toBe("1e+16");
    expect(pyFloatRepr(123456789012345.6)).toBe("123456789012345.6");
    expect(pyFloatRepr(0.0001)).toBe("0.0001");
    expect(pyFloatRepr(0.00001)).toBe("1e-05");
    expect(pyFloatRepr(-2.5e-7)).toBe("-2.5e-07");
  });
  it("rounds like Python round(x, 2): exact binary ties to even", () => {
    expect(pyRound(0.125)).toBe(0.12);
    expect(pyRound(0.375)).toBe(0.38);
    expect(pyRound(-0.125)).toBe(-0.12);
    expect(pyRound(2.675)).toBe(2.67); // 2.675 is stored below the tie
    expect(pyRound(1.005)).toBe(1); // so is 1.005
    expect(pyRound(63.12999999)).toBe(63.13);
  });
  it("canonical form follows the dataset README", () => {
    expect(canon({ b: 63.0, a: 12.340000000000003, c: -0, d: [1, "x"] })).toBe('{"a":12.34,"b":63,"c":0,"d":[1,"x"]}');
    expect(canon(new Map([["9", 1], ["10", 2]]))).toBe('{"10":2,"9":1}');
  });
});

describe("calculate", () => {
  it.each([
    ["(2 + 3) * 4 / 3", "6.67"],
    ["2 + 2", "4.0"],
    ["10 / 4", "2.5"],
    ["-2**2", "-4.0"],
    ["2**-1", "0.5"],
    ["7 // 2", "3.0"],
    ["-7 // 2", "-4.0"],
    ["0.1 + 0.2", "0.3"],
    ["10000000000000001 - 10000000000000000", "1.0"],
    ["1/0", "Error: division by zero"],
    ["1.0/0", "Error: float division by zero"],
    ["1 +", "Error: invalid syntax (<string>, line 1)"],
    ["(1", "Error: '(' was never closed (<string>, line 1)"],
    ["1)", "Error: unmatched ')' (<string>, line 1)"],
    ["", "Error: invalid syntax (<string>, line 0)"],
    ["1e5", "Error: invalid characters in expression"],
    ["__import__('os')", "Error: invalid characters in expression"],
    ["10**400", "Error: int too large to convert to float"],
  ])("%s → %s", (expr, out) => expect(calculate(expr)).toBe(out));
});

describe("read tools", () => {
  it("find users by email ignoring case, and by name + exact zip", async () => {
    const [userId, user] = Object.entries(data.users)[7];
    expect(await run("find_user_id_by_email", { email: user.email.toUpperCase() })).toBe(userId);
    expect(await run("find_user_id_by_email", { email: "nobody@example.com" })).toBe("Error: user not found");
    const byName = { first_name: user.name.first_name.toLowerCase(), last_name: user.name.last_name.toUpperCase(), zip: user.address.zip };
    expect(await run("find_user_id_by_name_zip", byName)).toBe(userId);
    expect(await run("find_user_id_by_name_zip", { ...byName, zip: `${user.address.zip}0` })).toBe("Error: user not found");
  });
  it("return records in τ-bench's shape and key order", async () => {
    const [userId, user] = Object.entries(data.users)[3];
    const out = await run("get_user_details", { user_id: userId });
    expect(JSON.parse(out)).toEqual(user);
    expect(Object.keys(JSON.parse(out).payment_methods)).toEqual(Object.keys(user.payment_methods));
    expect(await run("get_user_details", { user_id: "no_such_user" })).toBe("Error: user not found");

    const order = orders[5];
    expect(JSON.parse(await run("get_order_details", { order_id: order.order_id }))).toEqual(order);
    expect(await run("get_order_details", { order_id: order.order_id.slice(1) })).toBe("Error: order not found");

    // Variant ids look like integers, which JS objects (and JSON.parse) reorder: check the text.
    const raw = readFileSync(join(TAU_DATA_DIR, "products.json"), "utf8");
    const fileOrder = [...raw.matchAll(/"item_id": "(\d+)"/g)].map((m) => m[1]);
    for (const p of Object.values(data.products)) {
      const out = await run("get_product_details", { product_id: p.product_id });
      expect(JSON.parse(out)).toEqual(p);
      const ids = new Set(Object.keys(p.variants));
      expect([...out.matchAll(/"item_id": "(\d+)"/g)].map((m) => m[1])).toEqual(fileOrder.filter((id) => ids.has(id)));
    }
    expect(await run("get_product_details", { product_id: "0000000000" })).toBe("Error: product not found");
  });
  it("list every product type sorted by name", async () => {
    const list = await json("list_all_product_types", {});
    expect(Object.keys(list)).toHaveLength(50);
    expect(Object.keys(list)).toEqual(Object.keys(list).sort());
    for (const p of Object.values(data.products)) expect(list[p.name]).toBe(p.product_id);
  });
  it("think and transfer", async () => {
    expect(await run("think", { thought: "hmm" })).toBe("");
    expect(await run("transfer_to_human_agents", { summary: "wants a human" })).toBe("Transfer successful");
  });
});

describe("write tools", () => {
  it("cancel refunds every payment and credits gift cards at once, rounded", async () => {
    const o = pickOrder((x) => x.status === "pending" && x.payment_history.some((p) => isGift(p.payment_method_id)));
    const cardId = o.payment_history.find((p) => isGift(p.payment_method_id))!.payment_method_id;
    const before = data.users[o.user_id].payment_methods[cardId].balance!;
    const out = await json("cancel_pending_order", { order_id: o.order_id, reason: "no longer needed" });
    expect(out.status).toBe("cancelled");
    expect(out.cancel_reason).toBe("no longer needed");
    expect(Object.keys(out).at(-1)).toBe("cancel_reason");
    expect(out.payment_history).toEqual([
      ...o.payment_history,
      ...o.payment_history.map((p) => ({ ...p, transaction_type: "refund" })),
    ]);
    const credited = o.payment_history.filter((p) => p.payment_method_id === cardId).reduce((b, p) => pyRound(b + p.amount, 2), before);
    const user = await json("get_user_details", { user_id: o.user_id });
    expect(user.payment_methods[cardId].balance).toBe(credited);
    expect(await run("cancel_pending_order", { order_id: o.order_id, reason: "no longer needed" })).toBe(
      "Error: non-pending order cannot be cancelled",
    );
  });

  it("cancel checks the reason after the status, like τ-bench", async () => {
    const o = pickOrder((x) => x.status === "pending");
    const before = await snapshot(o);
    expect(await run("cancel_pending_order", { order_id: o.order_id, reason: "changed my mind" })).toBe("Error: invalid reason");
    expect(await run("cancel_pending_order", { order_id: "#W0000000", reason: "changed my mind" })).toBe("Error: order not found");
    expect(await snapshot(o)).toBe(before);
  });

  it("modify address keeps the status and τ-bench's new key order", async () => {
    const o = pickOrder((x) => x.status === "pending");
    const address = { address1: "1 Main St", address2: "", city: "Austin", state: "TX", country: "USA", zip: "78701" };
    const out = await run("modify_pending_order_address", { order_id: o.order_id, ...address });
    expect(out).toContain('"address": {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}');
    expect(JSON.parse(out).status).toBe("pending");
    const delivered = pickOrder((x) => x.status === "delivered");
    expect(await run("modify_pending_order_address", { order_id: delivered.order_id, ...address })).toBe(
      "Error: non-pending order cannot be modified",
    );
  });

  it("modify payment moves the payment and settles gift-card balances", async () => {
    const o = pickOrder(
      (x) =>
        x.status === "pending" &&
        x.payment_history.length === 1 &&
        !isGift(x.payment_history[0].payment_method_id) &&
        giftCards(x.user_id).some((g) => g.balance! >= x.payment_history[0].amount),
    );
    const paid = o.payment_history[0];
    const card = giftCards(o.user_id).find((g) => g.balance! >= paid.amount)!;
    expect(await run("modify_pending_order_payment", { order_id: o.order_id, payment_method_id: paid.payment_method_id })).toBe(
      "Error: the new payment method should be different from the current one",
    );
    expect(await run("modify_pending_order_payment", { order_id: o.order_id, payment_method_id: "gift_card_0000000" })).toBe(
      "Error: payment method not found",
    );
    const out = await json("modify_pending_order_payment", { order_id: o.order_id, payment_method_id: card.id });
    expect(out.payment_history.slice(1)).toEqual([
      { transaction_type: "payment", amount: paid.amount, payment_method_id: card.id },
      { transaction_type: "refund", amount: paid.amount, payment_method_id: paid.payment_method_id },
    ]);
    const user = await json("get_user_details", { user_id: o.user_id });
    expect(user.payment_methods[card.id].balance).toBe(pyRound(card.balance! - paid.amount, 2));
    expect(await run("modify_pending_order_payment", { order_id: o.order_id, payment_method_id: paid.payment_method_id })).toBe(
      "Error: there should be exactly one payment for a pending order",
    );
  });

  it("modify payment refuses a gift card that cannot cover the order", async () => {
    const o = pickOrder(
      (x) => x.status === "pending" && x.payment_history.length === 1 && giftCards(x.user_id).some((g) => g.balance! < x.payment_history[0].amount && g.id !== x.payment_history[0].payment_method_id),
    );
    const card = giftCards(o.user_id).find((g) => g.balance! < o.payment_history[0].amount && g.id !== o.payment_history[0].payment_method_id)!;
    const before = await snapshot(o);
    expect(await run("modify_pending_order_payment", { order_id: o.order_id, payment_method_id: card.id })).toBe(
      "Error: insufficient gift card balance to pay for the order",
    );
    expect(await snapshot(o)).toBe(before);
  });

  it("modify items swaps variants, records the unrounded difference, and blocks later changes", async () => {
    const o = pickOrder((x) => x.status === "pending" && x.payment_history.length === 1 && !isGift(x.payment_history[0].payment_method_id));
    const item = o.items[0];
    const variant = Object.values(data.products[item.product_id].variants).find((v) => v.available && v.item_id !== item.item_id)!;
    const pm = o.payment_history[0].payment_method_id;
    const before = await snapshot(o);
    expect(await run("modify_pending_order_items", { order_id: o.order_id, item_ids: ["123"], new_item_ids: ["456"], payment_method_id: pm })).toBe("Error: 123 not found");
    expect(await run("modify_pending_order_items", { order_id: o.order_id, item_ids: [item.item_id], new_item_ids: [], payment_method_id: pm })).toBe(
      "Error: the number of items to be exchanged should match",
    );
    const otherProduct = Object.values(data.products).find((p) => p.product_id !== item.product_id)!;
    const foreign = Object.keys(otherProduct.variants)[0];
    expect(await run("modify_pending_order_items", { order_id: o.order_id, item_ids: [item.item_id], new_item_ids: [foreign], payment_method_id: pm })).toBe(
      `Error: new item ${foreign} not found or available`,
    );
    expect(await snapshot(o)).toBe(before);

    const out = await json("modify_pending_order_items", { order_id: o.order_id, item_ids: [item.item_id], new_item_ids: [variant.item_id], payment_method_id: pm });
    const diff = variant.price - item.price;
    expect(out.status).toBe("pending (item modified)");
    expect(out.items[0]).toEqual({ ...item, item_id: variant.item_id, price: variant.price, options: variant.options });
    expect(out.payment_history.at(-1)).toEqual({ transaction_type: diff > 0 ? "payment" : "refund", amount: Math.abs(diff), payment_method_id: pm });
    expect(await run("cancel_pending_order", { order_id: o.order_id, reason: "ordered by mistake" })).toBe("Error: non-pending order cannot be cancelled");
  });

  it("exchange and return requests on delivered orders", async () => {
    const o = pickOrder((x) => x.status === "delivered" && x.items.some((i) => Object.values(data.products[i.product_id].variants).some((v) => v.available && v.item_id !== i.item_id)));
    const item = o.items.find((i) => Object.values(data.products[i.product_id].variants).some((v) => v.available && v.item_id !== i.item_id))!;
    const variant = Object.values(data.products[item.product_id].variants).find((v) => v.available && v.item_id !== item.item_id)!;
    const pm = o.payment_history[0].payment_method_id;
    const out = await json("exchange_delivered_order_items", { order_id: o.order_id, item_ids: [item.item_id], new_item_ids: [variant.item_id], payment_method_id: pm });
    expect(out.status).toBe("exchange requested");
    expect(out.exchange_price_difference).toBe(pyRound(variant.price - item.price, 2));
    expect(Object.keys(out).slice(-4)).toEqual(["exchange_items", "exchange_new_items", "exchange_payment_method_id", "exchange_price_difference"]);
    expect(out.payment_history).toEqual(o.payment_history);
    expect(await run("return_delivered_order_items", { order_id: o.order_id, item_ids: [item.item_id], payment_method_id: pm })).toBe(
      "Error: non-delivered order cannot be returned",
    );

    const r = pickOrder((x) => x.status === "delivered" && x.items.length >= 2 && Object.values(data.users[x.user_id].payment_methods).some((m) => !isGift(m.id) && m.id !== x.payment_history[0].payment_method_id));
    const other = Object.values(data.users[r.user_id].payment_methods).find((m) => !isGift(m.id) && m.id !== r.payment_history[0].payment_method_id)!;
    const ids = [r.items[1].item_id, r.items[0].item_id];
    expect(await run("return_delivered_order_items", { order_id: r.order_id, item_ids: ids, payment_method_id: other.id })).toBe(
      "Error: payment method should be either the original payment method or a gift card",
    );
    expect(await run("return_delivered_order_items", { order_id: r.order_id, item_ids: [...ids, ...ids, ...ids], payment_method_id: r.payment_history[0].payment_method_id })).toBe("Error: some item not found");
    const ret = await json("return_delivered_order_items", { order_id: r.order_id, item_ids: ids, payment_method_id: r.payment_history[0].payment_method_id });
    expect(ret.status).toBe("return requested");
    expect(ret.return_items).toEqual([...ids].sort());
  });

  it("modify user address", async () => {
    const o = pickOrder(() => true);
    const address = { address1: "9 Elm St", address2: "Apt 2", city: "Boise", state: "ID", country: "USA", zip: "83702" };
    const out = await json("modify_user_address", { user_id: o.user_id, ...address });
    expect(out.address).toEqual(address);
    expect(await run("modify_user_address", { user_id: "no_such_user", ...address })).toBe("Error: user not found");
  });
});

describe("bad arguments", () => {
  it("return a clear error and change nothing", async () => {
    const o = pickOrder((x) => x.status === "pending");
    const before = await snapshot(o);
    const cases: Array<[string, unknown, RegExp]> = [
      ["cancel_pending_order", { order_id: o.order_id }, /^Error: invalid arguments for cancel_pending_order: missing required argument reason$/],
      ["cancel_pending_order", { order_id: 42, reason: "no longer needed" }, /^Error: invalid arguments for cancel_pending_order: order_id: .*expected string/],
      ["modify_pending_order_items", { order_id: o.order_id, item_ids: o.items[0].item_id, new_item_ids: [], payment_method_id: "x" }, /item_ids: .*expected array/],
      ["modify_pending_order_address", { order_id: o.order_id, address1: "x" }, /missing required argument address2/],
      ["cancel_pending_order", "#W0000000", /expected a JSON object/],
      ["cancel_pending_order", null, /expected a JSON object/],
      ["no_such_tool", {}, /^Error: unknown tool "no_such_tool"$/],
    ];
    for (const [name, args, re] of cases) expect(await run(name, args)).toMatch(re);
    expect(await snapshot(o)).toBe(before);
  });

  it("come back as an error ToolMessage when a model's tool call is malformed", async () => {
    const t = createRetailTools(db).cancel_pending_order;
    const msg = await t.invoke({ type: "tool_call", id: "call_1", name: "cancel_pending_order", args: { order_id: "#W1" } });
    expect(msg).toBeInstanceOf(ToolMessage);
    expect((msg as ToolMessage).content).toMatch(/^Error: invalid arguments for cancel_pending_order/);
    expect((msg as ToolMessage).tool_call_id).toBe("call_1");
    expect((msg as ToolMessage).status).toBe("error");
  });
});

describe("transactions", () => {
  it("two concurrent cancels of one order: exactly one succeeds, refunds once", async () => {
    const o = pickOrder((x) => x.status === "pending" && x.payment_history.length === 1 && isGift(x.payment_history[0].payment_method_id));
    const cardId = o.payment_history[0].payment_method_id;
    const before = data.users[o.user_id].payment_methods[cardId].balance!;
    const results = await Promise.all([
      run("cancel_pending_order", { order_id: o.order_id, reason: "no longer needed" }),
      run("cancel_pending_order", { order_id: o.order_id, reason: "ordered by mistake" }),
    ]);
    const ok = results.filter((r) => r.startsWith("{"));
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r === "Error: non-pending order cannot be cancelled")).toHaveLength(1);
    const order = await json("get_order_details", { order_id: o.order_id });
    expect(order.payment_history.filter((p: { transaction_type: string }) => p.transaction_type === "refund")).toHaveLength(1);
    const user = await json("get_user_details", { user_id: o.user_id });
    expect(user.payment_methods[cardId].balance).toBe(pyRound(before + o.payment_history[0].amount, 2));
  });

  it("a failure part-way through a write leaves nothing half-done", async () => {
    const o = pickOrder((x) => x.status === "pending" && x.payment_history.some((p) => isGift(p.payment_method_id)));
    const before = await snapshot(o);
    // The database fails on the status update, after the gift-card credit and refund rows were written.
    const failing: Db = {
      query: db.query,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            ...tx,
            query: (text, params) =>
              /^\s*UPDATE orders SET status/.test(text) ? Promise.reject(new Error("connection lost")) : tx.query(text, params),
          }),
        ),
    };
    await expect(runTool(failing, "cancel_pending_order", { order_id: o.order_id, reason: "no longer needed" })).rejects.toThrow("connection lost");
    expect(await snapshot(o)).toBe(before);
  });
});
