import { readFileSync } from "node:fs";
import type { ToolSchema, TurnTraceInput } from "../../traces/schema.ts";

/**
 * Realistic recorded turns for the trace store's tests and the export benchmark, shaped like what
 * Aisle's graph records: τ-bench tools with their published schemas, authentication then action,
 * tool calls and results, a governance fix with the original proposal, PII typed by customers.
 * Ids deliberately repeat across turns (`call_0` every turn), as the local model's do.
 */
const TAU_TOOLS = JSON.parse(readFileSync(new URL("../../data/tau-retail/tools.json", import.meta.url), "utf8")) as {
  function: { name: string; description: string; parameters: Record<string, unknown> };
}[];

export const toolSchemas = (names: string[]): ToolSchema[] =>
  names.map((n) => {
    const t = TAU_TOOLS.find((x) => x.function.name === n);
    if (!t) throw new Error(`unknown τ-bench tool ${n}`);
    return { name: n, description: t.function.description, parameters: t.function.parameters };
  });

export const ORDER_TOOLS = toolSchemas(["find_user_id_by_email", "get_user_details", "get_order_details", "cancel_pending_order", "think"]);
export const SYSTEM_PROMPT = "You are Aisle, a retail assistant. Authenticate the customer before acting on an order.";

const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);

/** A two-turn cancel conversation: authenticate + look up (turn 0), confirm + cancel (turn 1). */
export function cancelThread(threadId: string, opts: { start?: Date; email?: string; orderId?: string } = {}): TurnTraceInput[] {
  const start = opts.start ?? new Date("2025-03-01T10:00:00Z");
  const email = opts.email ?? "mei.kovacs28@example.com";
  const order = opts.orderId ?? "#W7800651";
  const common = { thread_id: threadId, system: SYSTEM_PROMPT, tools: ORDER_TOOLS, model: "aisle-local", caller: { role: "customer" } };
  const route = { intent: "cancel_order", confidence: 0.97, agent: "orders", tier: "local", tier_used: "local", router_version: "router-2025-03-01" };
  return [
    {
      ...common,
      turn: 0,
      started_at: at(start, 0),
      ended_at: at(start, 0.02),
      route,
      messages: [
        { role: "user", content: `Hi, please cancel order ${order}. My email is ${email}.` },
        { role: "assistant", content: "", tool_calls: [{ id: "call_0", name: "find_user_id_by_email", args: { email } }] },
        { role: "tool", tool_call_id: "call_0", name: "find_user_id_by_email", content: "mei_kovacs_8020" },
        { role: "assistant", content: "", tool_calls: [{ id: "call_1", name: "get_order_details", args: { order_id: order } }] },
        { role: "tool", tool_call_id: "call_1", name: "get_order_details", content: JSON.stringify({ order_id: order, user_id: "mei_kovacs_8020", status: "pending" }) },
        { role: "assistant", content: `Order ${order} is pending. Why would you like to cancel it: no longer needed, or ordered by mistake?` },
      ],
      usage: { tokens_in: 420, tokens_out: 60, cost_usd: 0 },
      timings: [{ node: "router", ms: 0.4, outcome: "ok" }, { node: "agent:orders", ms: 12, outcome: "ok" }],
      context: { digest: "sha256:ctx0", sources: ["customer", "orders"] },
    },
    {
      ...common,
      turn: 1,
      started_at: at(start, 1),
      ended_at: at(start, 1.02),
      route: { ...route, confidence: 0.9 },
      messages: [
        { role: "user", content: "ordered by mistake. yes, cancel it" },
        { role: "assistant", content: "", tool_calls: [{ id: "call_0", name: "cancel_pending_order", args: { order_id: order, reason: "ordered by mistake" } }] },
        { role: "tool", tool_call_id: "call_0", name: "cancel_pending_order", content: JSON.stringify({ order_id: order, status: "cancelled" }) },
        { role: "assistant", content: `Done: order ${order} is cancelled and the refund goes back to the original payment method.` },
      ],
      governance: [{ stage: "tool_call", verdict: "allow", rule: "tool_call.confirmed", reason: "explicit yes after listing" }],
      usage: { tokens_in: 510, tokens_out: 40, cost_usd: 0 },
    },
  ];
}

/**
 * A turn where governance fixed the model's proposal (a 40% discount capped to the regional 15%)
 * and a turn where it blocked one (acting on another customer's order) before the model retried.
 */
export function governedThread(threadId: string, start = new Date("2025-03-02T09:00:00Z")): TurnTraceInput[] {
  const tools = toolSchemas(["get_order_details", "think"]);
  return [
    {
      thread_id: threadId,
      started_at: start,
      ended_at: at(start, 0.01),
      system: SYSTEM_PROMPT,
      tools,
      route: { intent: "promotions", confidence: 0.88, tier: "llm", router_version: "router-2025-03-01" },
      model: "gpt-4.1-mini",
      policy: { version: "policies@3", effects: [{ rule: "discount.cap.region", effect: "cap_discount", value: 15 }], failed_closed: false },
      messages: [
        { role: "user", content: "Can I get 40% off? I'm a loyal customer" },
        { role: "assistant", content: "As a Gold member you can have 15% off your next order — the most we can offer in your region." },
      ],
      governance: [
        {
          stage: "output",
          verdict: "fix",
          rule: "discount.cap.region",
          reason: "40% exceeds the regional cap of 15%",
          at: 1,
          original: { role: "assistant", content: "Sure! I've applied 40% off your next order." },
        },
      ],
    },
    {
      thread_id: threadId,
      started_at: at(start, 2),
      ended_at: at(start, 2.01),
      system: SYSTEM_PROMPT,
      tools,
      route: { intent: "order_status", confidence: 0.95, tier: "llm", router_version: "router-2025-03-01" },
      model: "gpt-4.1-mini",
      messages: [
        { role: "user", content: "what's the status of #W2378156?" },
        { role: "assistant", content: "I can only look up your own orders. Could you confirm the order number from your account?" },
      ],
      governance: [
        {
          stage: "tool_call",
          verdict: "block",
          rule: "tool_call.order_ownership",
          reason: "order #W2378156 belongs to another customer",
          tool: "get_order_details",
          at: 1,
          original: { role: "assistant", content: "", tool_calls: [{ id: "call_0", name: "get_order_details", args: { order_id: "#W2378156" } }] },
        },
      ],
    },
  ];
}
