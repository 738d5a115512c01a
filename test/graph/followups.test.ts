import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createAisleRuntime, type AisleRuntime } from "../../graphs/runtime.ts";
import { Conversation } from "../support/graphConversation.ts";
import { poolDb } from "../../db/executor.ts";
import { runTool } from "../../tools/index.ts";

/**
 * Conversations about several orders and follow-ups that refer back to the thread, through the
 * compiled graph on real PostgreSQL with the embedded model. Customers and orders are picked from
 * the seeded data by what the flow needs (statuses), and every expectation is read from the same
 * database, so the tests hold for any seed.
 */

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

interface Order {
  order_id: string;
  status: string;
  items: { name: string; price: number }[];
  payment_history: { transaction_type: string; amount: number }[];
}
const order = async (id: string): Promise<Order> => JSON.parse(await runTool(poolDb(db.pool), "get_order_details", { order_id: id }));
const money = (n: number) => `$${n.toFixed(2)}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Customers with orders in the given statuses (distinct customers per call, oldest ids first). */
const used = new Set<string>();
async function customerWith(statuses: string[]): Promise<{ email: string; user_id: string; orders: string[] }> {
  const { rows } = await db.pool.query<{ user_id: string; email: string; orders: { id: string; status: string }[] }>(
    `SELECT u.user_id, u.email, json_agg(json_build_object('id', o.order_id, 'status', o.status) ORDER BY o.order_id) AS orders
       FROM users u JOIN orders o USING (user_id) GROUP BY u.user_id, u.email ORDER BY u.user_id`,
  );
  for (const r of rows) {
    if (used.has(r.user_id)) continue;
    const pool = [...r.orders];
    const picked: string[] = [];
    for (const s of statuses) {
      const at = pool.findIndex((o) => o.status === s);
      if (at < 0) break;
      picked.push(pool.splice(at, 1)[0].id);
    }
    if (picked.length === statuses.length) {
      used.add(r.user_id);
      return { email: r.email, user_id: r.user_id, orders: picked };
    }
  }
  throw new Error(`no customer with orders ${statuses.join(", ")}`);
}

const toolRuns = (c: Conversation, name: string) =>
  (c.state?.messages ?? []).filter((m) => m.getType() === "tool" && (m as { name?: string }).name === name && (m as { status?: string }).status !== "error");

describe("several orders in one request", () => {
  test("status of two orders answers for each of them", async () => {
    const u = await customerWith(["pending", "delivered"]);
    const [a, b] = await Promise.all(u.orders.map(order));
    const c = new Conversation(rt);
    await c.say(`where are my orders ${a.order_id} and ${b.order_id}?`);
    const r = await c.say(u.email);
    for (const o of [a, b]) {
      expect(r).toMatch(new RegExp(`${o.order_id} is ${o.status}`));
      for (const i of o.items) expect(r).toContain(i.name);
    }
  });

  test("cancelling two pending orders lists and confirms each one separately, then writes each once", async () => {
    const u = await customerWith(["pending", "pending"]);
    const [a, b] = u.orders;
    const c = new Conversation(rt);
    await c.say(`Please cancel ${a} and ${b}`);
    const ask = await c.say(u.email);
    expect(ask).toMatch(/reason/i);
    expect(ask).toContain(a);
    expect(ask).toContain(b);
    const first = await c.say("I don't need them anymore");
    expect(first).toMatch(new RegExp(`To confirm: I'll cancel order ${a} \\(reason: no longer needed\\)`));
    expect(first).not.toContain(b);
    expect((await order(a)).status).toBe("pending");

    const second = await c.say("yes");
    expect((await order(a)).status).toBe("cancelled");
    expect((await order(b)).status).toBe("pending"); // the second order waits for its own "yes"
    expect(second).toMatch(new RegExp(`order ${a} is now cancelled`));
    expect(second).toMatch(new RegExp(`To confirm: I'll cancel order ${b} \\(reason: no longer needed\\)`));
    expect(c.state?.pending_action).toMatchObject({ tool: "cancel_pending_order", args: { order_id: b } });

    const done = await c.say("yes");
    expect(done).toMatch(new RegExp(`order ${b} is now cancelled`));
    expect((await order(b)).status).toBe("cancelled");
    // One write per order over the whole conversation.
    expect(toolRuns(c, "cancel_pending_order").map((m) => JSON.parse(String(m.content)).order_id).sort()).toEqual([a, b].sort());
    const { rows } = await db.pool.query("SELECT order_id, cancel_reason FROM orders WHERE order_id = ANY($1) ORDER BY order_id", [[a, b]]);
    expect(rows.map((r) => r.cancel_reason)).toEqual(["no longer needed", "no longer needed"]);
  });

  test("an order of the request that cannot take the action is named, and the others still go ahead", async () => {
    const u = await customerWith(["pending", "delivered"]);
    const [a, d] = u.orders;
    const c = new Conversation(rt);
    await c.say(`cancel ${a} and ${d}, I ordered them by mistake. my email is ${u.email}`);
    expect(c.state?.reply).toMatch(new RegExp(`To confirm: I'll cancel order ${a}`));
    const r = await c.say("yes");
    expect(r).toMatch(new RegExp(`order ${a} is now cancelled`));
    expect(r).toMatch(new RegExp(`${d} is delivered, so it can't be cancelled`));
    expect((await order(d)).status).toBe("delivered");
  });
});

describe("follow-ups about the order(s) in the thread", () => {
  test("'which items', 'what did I pay', 'when will it arrive' and 'the other one' stay on the thread's orders", async () => {
    const u = await customerWith(["pending", "delivered"]);
    const [a, b] = await Promise.all(u.orders.map(order));
    const c = new Conversation(rt);
    await c.say(`what's the status of ${a.order_id}?`);
    await c.say(u.email);

    const items = await c.say("which items are in it?");
    expect(c.state?.route?.intent).toBe("order_status");
    for (const i of a.items) expect(items).toContain(i.name);

    const paid = await c.say("what did I pay for it?");
    const total = a.payment_history.filter((p) => p.transaction_type === "payment").reduce((s, p) => s + p.amount, 0);
    expect(paid).toContain(money(total));
    expect(paid).toContain(a.order_id);

    const when = await c.say("when will it arrive?");
    expect(when).toMatch(new RegExp(`${a.order_id} is ${esc(a.status)}`));
    expect(when).not.toMatch(/can't help/i);

    await c.say(`what about ${b.order_id}?`);
    const other = await c.say("and the other one?");
    expect(other).toContain(a.order_id);
    expect(other).not.toContain(b.order_id);

    const again = await c.say("what's in it?");
    for (const i of a.items) expect(again).toContain(i.name);
    expect(again).not.toContain(b.order_id);
  });

  test("a question about the order in the middle of a cancellation is answered and the cancellation goes on", async () => {
    const u = await customerWith(["pending"]);
    const [a] = await Promise.all(u.orders.map(order));
    const c = new Conversation(rt);
    await c.say(`I want to cancel ${a.order_id}. ${u.email}`);
    const r = await c.say("which items are in it?");
    expect(c.state?.route?.intent).toBe("cancel_order");
    for (const i of a.items) expect(r).toContain(i.name);
    expect(r).toMatch(/reason/i);
    await c.say("ordered by mistake");
    await c.say("yes");
    expect((await order(a.order_id)).status).toBe("cancelled");
  });
});

describe("stock of a product named without its options", () => {
  test("reports stock per option at the store and asks which one", async () => {
    // A store carrying several in-stock options of one product, and some options it is out of.
    const { rows } = await db.pool.query<{ store_id: string; product_id: string; name: string }>(
      `SELECT si.store_id, p.product_id, p.name
         FROM store_inventory si JOIN variants v USING (item_id) JOIN products p USING (product_id)
        WHERE v.available
        GROUP BY si.store_id, p.product_id, p.name
       HAVING count(*) FILTER (WHERE si.on_hand > 0) >= 2 AND count(*) FILTER (WHERE si.on_hand = 0) >= 1
        ORDER BY si.store_id, p.product_id LIMIT 1`,
    );
    const x = rows[0];
    const { rows: stock } = await db.pool.query<{ options: Record<string, string>; on_hand: number }>(
      `SELECT v.options, si.on_hand FROM store_inventory si JOIN variants v USING (item_id)
        WHERE si.store_id = $1 AND v.product_id = $2 AND v.available`,
      [x.store_id, x.product_id],
    );
    const c = new Conversation(rt);
    const r = await c.say(`do you have the ${x.name} at store ${Number(x.store_id)}?`);
    expect(c.state?.route?.intent).toBe("stock_check");
    const describe = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");
    for (const s of stock.filter((s) => s.on_hand > 0)) expect(r).toContain(`${describe(s.options)}: ${s.on_hand}`);
    const out = stock.filter((s) => s.on_hand === 0);
    expect(r).toMatch(/Out of stock there/);
    if (!/and \d+ more/.test(r)) for (const s of out) expect(r).toContain(describe(s.options));
    expect(r).toMatch(/Which option would you like\?/);
  });
});

describe("picking from a list the assistant showed", () => {
  test("'the second one' picks an order from the account's list, 'the last one' an item of its numbered list", async () => {
    // A customer whose account lists two or more orders, one of them delivered with several items.
    const { rows } = await db.pool.query<{ email: string; user_id: string }>(
      `SELECT u.email, u.user_id FROM users u
        WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.user_id) BETWEEN 2 AND 5
          AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id AND o.status = 'delivered'
                        AND (SELECT count(*) FROM order_items i WHERE i.order_id = o.order_id) BETWEEN 2 AND 5)
        ORDER BY u.user_id`,
    );
    const u = rows.find((r) => !used.has(r.user_id))!;
    used.add(u.user_id);
    const c = new Conversation(rt);
    await c.say("hi, I want to return something I bought");
    const list = await c.say(u.email);
    const listed = [...list.matchAll(/#W\d{7}/g)].map((m) => m[0]);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const orders = await Promise.all(listed.map(order));
    const at = orders.findIndex((o) => o.status === "delivered" && o.items.length >= 2);
    expect(at).toBeGreaterThanOrEqual(0);
    const target = orders[at]!;
    const position = ["first", "second", "third", "fourth", "fifth"][at]!;

    const items = await c.say(`the ${position} one`);
    expect(items).toContain(`Which items from order ${target.order_id}`);
    const last = target.items.at(-1)!;
    const next = await c.say("the last one, it doesn't fit");
    // Either the refund destination is asked for, or (one choice) the action is listed directly.
    const listing = /payment method/i.test(next) ? await c.say("the original one") : next;
    expect(listing).toMatch(new RegExp(`To confirm: I'll return ${esc(last.name)}`));
    for (const other of target.items.slice(0, -1)) if (other.name !== last.name) expect(listing).not.toContain(other.name);
    await c.say("yes");
    const after = await order(target.order_id);
    expect(after.status).toBe("return requested");
    const returned = toolRuns(c, "return_delivered_order_items");
    expect(returned).toHaveLength(1);
  });
});

describe("short answers to the assistant's question", () => {
  test("an exchange chosen by position, a bare option value and a yes to the only payment option completes", async () => {
    // τ-bench data: a delivered one-item order whose Notebook comes in sizes A4 and A5.
    const email = "evelyn.gonzalez2110@example.com";
    const orderId = "#W8341134";
    const before = await order(orderId);
    expect(before.status).toBe("delivered");
    const c = new Conversation(rt);
    await c.say("I got the wrong size, can I swap it for a bigger one?");
    await c.say(email);
    expect(await c.say(orderId)).toContain(`Which items from order ${orderId}`);
    expect(await c.say("1")).toMatch(/What would you like instead/);
    const pay = await c.say("A5 please");
    const listing = /payment method/i.test(pay) ? await c.say("yes") : pay;
    expect(listing).toMatch(new RegExp(`To confirm: I'll exchange on order ${esc(orderId)}`));
    await c.say("yes");
    expect((await order(orderId)).status).toBe("exchange requested");
    // The new item is the A5 variant of the same product, with the cover kept.
    const after = (await order(orderId)) as Order & { exchange_new_items: string[] };
    const oldItem = before.items[0] as unknown as { product_id: string; options: Record<string, string> };
    const product = JSON.parse(await runTool(poolDb(db.pool), "get_product_details", { product_id: oldItem.product_id }));
    const newVariant = product.variants[after.exchange_new_items[0]!];
    expect(newVariant.options).toEqual({ ...oldItem.options, size: "A5" });
    const exchanged = toolRuns(c, "exchange_delivered_order_items");
    expect(exchanged).toHaveLength(1);
  });
});

describe("general questions about a personal topic", () => {
  test("'how long do refunds take?' is answered from policy; 'where is my refund?' asks who is asking", async () => {
    const c = new Conversation(rt);
    const general = await c.say("how long do refunds take?");
    expect(general).toMatch(/5 to 7 business days/);
    expect(general).not.toMatch(/verify your identity/i);
    const personal = await new Conversation(rt).say("when will my refund arrive?");
    expect(personal).toMatch(/verify your identity/i);
  });
});

describe("public business details", () => {
  test("a store's street address and phone number are told, not masked as personal data", async () => {
    const { rows } = await db.pool.query<{ address1: string; phone: string; store_id: string }>("SELECT store_id, address1, phone FROM stores ORDER BY store_id LIMIT 1 OFFSET 11");
    const s = rows[0]!;
    const r = await new Conversation(rt).say(`what's the address and phone number of store ${Number(s.store_id)}?`);
    expect(r).toContain(s.address1);
    expect(r.replace(/\D/g, "")).toContain(s.phone.replace(/\D/g, "").slice(-10));
    expect(r).not.toMatch(/\[address\]|\[phone/);
  });
});

describe("stock follow-ups", () => {
  test("'what about at store N' after a stock check checks the same product at that store", async () => {
    const c = new Conversation(rt, { role: "associate", store_id: "0007" });
    await c.say("is the bluetooth speaker in stock at store 7?");
    const r = await c.say("ok what about at store 8");
    expect(c.state?.route?.intent).toBe("stock_check");
    expect(r).toMatch(/#0008/);
    expect(r).toMatch(/Bluetooth Speaker/);
  });
});

describe("all of a customer's orders", () => {
  test("'the status of all my orders' answers for every order on the account, even four or more", async () => {
    const { rows } = await db.pool.query<{ email: string; user_id: string; orders: string[] }>(
      `SELECT u.email, u.user_id, array_agg(o.order_id ORDER BY o.order_id) AS orders FROM users u JOIN orders o USING (user_id)
        GROUP BY u.user_id, u.email HAVING count(*) BETWEEN 4 AND 6 ORDER BY u.user_id`,
    );
    const u = rows.find((r) => !used.has(r.user_id))!;
    used.add(u.user_id);
    const r = await new Conversation(rt).say(`my email is ${u.email}, what's the status of all my orders?`);
    for (const id of u.orders) expect(r).toMatch(new RegExp(`Order ${id} is \\w+`));
  });
});
