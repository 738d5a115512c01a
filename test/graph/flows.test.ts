import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createAisleRuntime, type AisleRuntime } from "../../graphs/runtime.ts";
import { Conversation } from "../support/graphConversation.ts";
import { poolDb } from "../../db/executor.ts";
import { runTool } from "../../tools/index.ts";
import { verifyAudit } from "../../nodes/audit.ts";

/**
 * Acceptance: multi-turn conversations through the compiled graph on real PostgreSQL with the
 * embedded model. Each consequential flow also replays the expected τ-bench tool call directly on
 * a second, untouched database clone, and the two databases must end identical for that order.
 */

let db: TestDatabase;
let reference: TestDatabase;
let rt: AisleRuntime;

beforeAll(async () => {
  [db, reference] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  rt = await createAisleRuntime({ pool: db.pool, llm: null });
});
afterAll(async () => {
  await rt?.close();
  await db?.drop();
  await reference?.drop();
});

const order = async (t: TestDatabase, id: string) => JSON.parse(await runTool(poolDb(t.pool), "get_order_details", { order_id: id }));
const user = async (t: TestDatabase, id: string) => JSON.parse(await runTool(poolDb(t.pool), "get_user_details", { user_id: id }));

/** The order (and its owner) as the τ-bench tool call would have left them. */
async function expectLikeTau(orderId: string, userId: string, tool: string, args: Record<string, unknown>) {
  const out = await runTool(poolDb(reference.pool), tool, args);
  expect(out.startsWith("Error")).toBe(false);
  expect(await order(db, orderId)).toEqual(await order(reference, orderId));
  expect(await user(db, userId)).toEqual(await user(reference, userId));
}

const toolCalls = (c: Conversation, name: string) =>
  (c.state?.messages ?? []).filter((m) => m.getType() === "tool" && (m as { name?: string }).name === name && !String(m.content).startsWith("Not done"));

describe("order status", () => {
  test("is given only after authentication", async () => {
    const c = new Conversation(rt);
    const first = await c.say("Where is my order #W4566809?");
    expect(first).toMatch(/verify your identity/i);
    expect(first).not.toMatch(/Air Purifier|pending/i);
    const second = await c.say("raj.sanchez2046@example.com");
    expect(second).toMatch(/#W4566809 is pending/);
    expect(second).toMatch(/Air Purifier/);
    expect(c.state?.authenticated).toMatchObject({ user_id: "raj_sanchez_2970", method: "email" });
  });

  test("an unknown email does not authenticate", async () => {
    const c = new Conversation(rt);
    await c.say("status of #W4566809 please");
    const r = await c.say("nobody@example.com");
    expect(r).toMatch(/couldn't find an account/i);
    expect(c.state?.authenticated).toBeNull();
  });
});

describe("cancel", () => {
  test("lists the details, writes exactly once after yes, leaves the database as τ-bench would", async () => {
    const c = new Conversation(rt);
    await c.say("I need to cancel an order");
    await c.say("my name is Raj Sanchez, zip 92147");
    const askReason = await c.say("#W4566809");
    expect(askReason).toMatch(/reason/i);
    const listing = await c.say("I ordered it by mistake");
    expect(listing).toMatch(/cancel order #W4566809 \(reason: ordered by mistake\)/);
    expect(listing).toMatch(/yes\/no/);
    expect((await order(db, "#W4566809")).status).toBe("pending");
    const done = await c.say("yes");
    expect(done).toMatch(/cancelled/);
    expect(toolCalls(c, "cancel_pending_order")).toHaveLength(1);
    await expectLikeTau("#W4566809", "raj_sanchez_2970", "cancel_pending_order", { order_id: "#W4566809", reason: "ordered by mistake" });
    // Saying yes again does not cancel twice.
    await c.say("yes");
    expect((await order(db, "#W4566809")).payment_history).toHaveLength(2);
  });

  test("a delivered order is not cancelled", async () => {
    const c = new Conversation(rt);
    await c.say("sophia.thomas1364@example.com");
    const r = await c.say("cancel order #W1867876 because I no longer need it");
    expect(r).toMatch(/delivered.*only pending orders can be cancelled/);
    expect((await order(db, "#W1867876")).status).toBe("delivered");
  });

  test("'no' to the listed action changes nothing", async () => {
    const c = new Conversation(rt);
    await c.say("Please cancel #W4862767, I no longer need it. My email is sophia.thomas1364@example.com");
    const listing = c.state?.reply ?? "";
    expect(listing).toMatch(/To confirm/);
    const r = await c.say("no");
    expect(r).toMatch(/haven't made any changes/);
    expect((await order(db, "#W4862767")).status).toBe("pending");
    expect(c.state?.pending_action).toBeNull();
  });
});

describe("return and exchange of delivered orders", () => {
  test("return: items, refund method, confirmation, then one write", async () => {
    const c = new Conversation(rt);
    await c.say("I'd like to return the electric toothbrush from order #W5544629");
    const askPay = await c.say("Mia Moore 94180");
    expect(askPay).toMatch(/payment method/i);
    const listing = await c.say("put the refund on my gift card");
    expect(listing).toMatch(/return Electric Toothbrush .* from order #W5544629, refunding \$195\.84 to your gift card/);
    await c.say("yes");
    await expectLikeTau("#W5544629", "mia_moore_8366", "return_delivered_order_items", {
      order_id: "#W5544629",
      item_ids: ["1583904702"],
      payment_method_id: "gift_card_7471275",
    });
  });

  test("exchange: the requested options resolve to an available variant of the same product", async () => {
    const c = new Conversation(rt);
    await c.say("hi, I'm Sophia Thomas, zip 75396");
    const ask = await c.say("I want to exchange the yoga mat from #W1867876");
    expect(ask).toMatch(/What would you like instead/);
    const askPay = await c.say("a blue one, 4mm");
    expect(askPay).toMatch(/payment method/i);
    const listing = await c.say("use my gift card");
    expect(listing).toMatch(/exchange on order #W1867876/);
    expect(listing).toMatch(/5586947715/);
    await c.say("yes");
    await expectLikeTau("#W1867876", "sophia_thomas_5301", "exchange_delivered_order_items", {
      order_id: "#W1867876",
      item_ids: ["7510236436"],
      new_item_ids: ["5586947715"],
      payment_method_id: "gift_card_9178183",
    });
  });
});

describe("modify pending orders", () => {
  test("address", async () => {
    const c = new Conversation(rt);
    await c.say("sophia.thomas1364@example.com");
    const ask = await c.say("please change the shipping address on #W4862767");
    expect(ask).toMatch(/full new address/);
    const listing = await c.say("445 Maple Avenue, Apt 2B, Dallas, TX 75201, USA");
    expect(listing).toMatch(/change the shipping address of order #W4862767 to 445 Maple Avenue, Apt 2B, Dallas, TX 75201, USA/);
    await c.say("yes");
    await expectLikeTau("#W4862767", "sophia_thomas_5301", "modify_pending_order_address", {
      order_id: "#W4862767",
      address1: "445 Maple Avenue",
      address2: "Apt 2B",
      city: "Dallas",
      state: "TX",
      country: "USA",
      zip: "75201",
    });
  });

  test("payment method", async () => {
    const c = new Conversation(rt);
    await c.say("mia.moore8091@example.com");
    const listing = await c.say("For order #W3130288 I want to switch the payment to my paypal");
    expect(listing).toMatch(/pay for order #W3130288 with your PayPal instead/);
    await c.say("yes");
    await expectLikeTau("#W3130288", "mia_moore_8366", "modify_pending_order_payment", { order_id: "#W3130288", payment_method_id: "paypal_5181300" });
  });

  test("items (after the payment change above, same order)", async () => {
    const c = new Conversation(rt);
    await c.say("mia.moore8091@example.com");
    await c.say("On #W3130288 I want to change the electric toothbrush to the high speed version");
    const listing = await c.say("charge the difference to my gift card");
    expect(listing).toMatch(/change on order #W3130288: Electric Toothbrush .* → item 8798690242/);
    expect(listing).toMatch(/can only be done once/);
    await c.say("yes");
    await expectLikeTau("#W3130288", "mia_moore_8366", "modify_pending_order_items", {
      order_id: "#W3130288",
      item_ids: ["6555827912"],
      new_item_ids: ["8798690242"],
      payment_method_id: "gift_card_7471275",
    });
  });
});

describe("escalation", () => {
  test("a high-value refund waits for a manager and completes after approval", async () => {
    const c = new Conversation(rt);
    await c.say("raj.sanchez2046@example.com");
    await c.say("return the luggage set from #W7736708 to the original payment method");
    expect(c.state?.reply).toMatch(/\$528\.63/);
    const paused = await c.say("yes");
    expect(paused).toBe("");
    expect(c.interrupt?.value).toMatchObject({ kind: "escalation", required_role: "manager", amount: 528.63 });
    expect((await order(db, "#W7736708")).status).toBe("delivered");
    const done = await c.resume({ approved: true, by: "manager-7" });
    expect(done).toMatch(/return for order #W7736708 is requested/);
    expect(c.verdicts.find((v) => v.decision)).toMatchObject({ verdict: "allow", decision: { approved: true, by: "manager-7" } });
    await expectLikeTau("#W7736708", "raj_sanchez_2970", "return_delivered_order_items", {
      order_id: "#W7736708",
      item_ids: ["9692325258"],
      payment_method_id: "credit_card_3362387",
    });
  });

  test("a rejected refund leaves the database unchanged", async () => {
    const c = new Conversation(rt);
    await c.say("raj.sanchez2046@example.com");
    await c.say("I want to return the grill from #W1067251, refund to the original card");
    await c.say("yes");
    expect(c.interrupt).toBeDefined();
    const before = await order(db, "#W1067251");
    const r = await c.resume({ approved: false, by: "manager-7" });
    expect(r).toMatch(/manager declined/);
    expect(await order(db, "#W1067251")).toEqual(before);
    expect(before.status).toBe("delivered");
  });
});

describe("refusals", () => {
  test("another customer's order is refused and its details never shown", async () => {
    const c = new Conversation(rt);
    await c.say("raj.sanchez2046@example.com");
    const r = await c.say("what's the status of order #W5544629?");
    expect(r).toMatch(/can't find order #W5544629 on your account/);
    expect(r).not.toMatch(/Bookshelf|Toothbrush/);
    expect(c.verdicts.some((v) => ["protocol.order_ownership", "tool_call.order.not_owned"].includes(v.rule) && v.verdict === "block")).toBe(true);
    expect(Object.keys(c.state?.context.orders ?? {})).not.toContain("#W5544629");
  });

  test("a customer-bound caller cannot authenticate as someone else", async () => {
    const c = new Conversation(rt, { role: "customer", customer_id: "mia_moore_8366" });
    const r = await c.say("status of #W7736708, my email is raj.sanchez2046@example.com");
    expect(r).toMatch(/don't match the account you're signed in with/);
    expect(c.state?.authenticated).toBeNull();
  });

  test("out of scope is declined politely", async () => {
    const c = new Conversation(rt);
    const r = await c.say("Can you write me a poem about the ocean?");
    expect(r).toMatch(/Sorry, I can't help with that/);
  });

  test("a human agent transfer carries a summary", async () => {
    const c = new Conversation(rt);
    await c.say("raj.sanchez2046@example.com");
    const r = await c.say("I want to speak to a human agent about #W7736708");
    expect(r).toMatch(/transferred you to a human agent/);
    expect(c.state?.handoff?.summary).toMatch(/raj_sanchez_2970/);
    expect(c.state?.handoff?.summary).toMatch(/#W7736708/);
  });
});

describe("checkpoints and audit", () => {
  test("a thread resumes in a new runtime (process restart) with its state", async () => {
    const c = new Conversation(rt);
    await c.say("I want to cancel #W1067251");
    await c.say("raj.sanchez2046@example.com");
    const restarted = await createAisleRuntime({ pool: db.pool, llm: null });
    const again = Object.assign(new Conversation(restarted), { threadId: c.threadId });
    const r = await again.say("what's its status?");
    expect(again.state?.authenticated?.user_id).toBe("raj_sanchez_2970");
    expect(r).toMatch(/#W1067251/);
    const history = [];
    for await (const s of restarted.graph.getStateHistory({ configurable: { thread_id: c.threadId } })) history.push(s);
    expect(history.length).toBeGreaterThan(3);
  });

  test("every turn is in the hash-chained audit log, which verifies, and tampering is detected", async () => {
    const c = new Conversation(rt);
    await c.say("hello");
    await c.say("where is #W1067251?");
    const { rows } = await db.pool.query("SELECT kind, node, seq FROM audit_log WHERE thread_id = $1 ORDER BY seq", [c.threadId]);
    expect(rows.filter((r) => r.kind === "turn")).toHaveLength(2);
    expect(rows.map((r) => r.node)).toEqual(expect.arrayContaining(["dataPrep", "router", "contextStitch", "policy", "governance"]));
    expect((await verifyAudit(poolDb(db.pool))).broken).toEqual([]);
    await expect(db.pool.query("UPDATE audit_log SET verdict = 'allow' WHERE thread_id = $1", [c.threadId])).rejects.toThrow(/append-only/);
    // A superuser who bypasses the trigger still cannot hide an edit from verify.
    await db.pool.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete");
    await db.pool.query("UPDATE audit_log SET duration_ms = 0.001 WHERE thread_id = $1 AND seq = 3", [c.threadId]);
    await db.pool.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete");
    const result = await verifyAudit(poolDb(db.pool), { threadId: c.threadId });
    expect(result.broken).toEqual([{ thread_id: c.threadId, seq: 3, problem: "row content does not match its hash" }]);
  });
});
