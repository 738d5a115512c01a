/**
 * Governance benchmark: input rails per message and policy evaluation per call.
 *   npx tsx bench/governance.ts [--iterations N]
 * Targets (issue 6): all input rails ≤ 1 ms p50 per message; 20 policy rules ≤ 20 µs per evaluation.
 */
import { loadCases } from "../evals/governance/cases.ts";
import { checkToolCall, runInputRails, runOutputRails } from "../governance/index.ts";
import { CompiledPolicies, DEFAULT_POLICY_DIR, PolicyEngine, parsePackText } from "../policies/index.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const iterArg = process.argv.indexOf("--iterations");
const N = iterArg > 0 ? Number(process.argv[iterArg + 1]) : 20_000;

function measure(label: string, samples: number, fn: (i: number) => void, unit: "µs" | "ms" = "µs") {
  for (let i = 0; i < Math.min(2000, samples); i++) fn(i); // warm-up (JIT, regex compilation)
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    times[i] = Number(process.hrtime.bigint() - t) / 1000; // µs
  }
  times.sort();
  const q = (p: number) => times[Math.min(samples - 1, Math.floor(p * samples))]!;
  const f = (us: number) => (unit === "ms" ? `${(us / 1000).toFixed(4)} ms` : `${us.toFixed(2)} µs`);
  console.log(`${label.padEnd(46)} p50 ${f(q(0.5)).padStart(11)}  p95 ${f(q(0.95)).padStart(11)}  p99 ${f(q(0.99)).padStart(11)}`);
}

const messages = [...loadCases("dev.jsonl"), ...loadCases("holdout.jsonl")].filter((c) => c.stage === "input").map((c) => c.text!);
const long = `${"I ordered a pair of size 10 hiking boots last week and would like to know where they are. ".repeat(20)}`;
console.log(`node ${process.version}, ${N} iterations, ${messages.length} distinct eval messages\n`);
measure("input rails, eval messages (mixed)", N, (i) => runInputRails(messages[i % messages.length]!), "ms");
measure("input rails, 1.8 kB benign message", N / 4, () => runInputRails(long), "ms");
measure("output rails, 2-sentence reply", N, () =>
  runOutputRails("Your order #W1000004 was delivered to 12 Birch Lane. Standard shipping takes 5-7 business days.", { own: { addresses: ["12 Birch Lane"] } }),
  "ms",
);

const engine = PolicyEngine.load(DEFAULT_POLICY_DIR);
const policies = engine.evaluate.bind(engine);
const call = { name: "return_delivered_order_items", args: { order_id: "#W2", item_ids: ["i3"], payment_method_id: "cc_1" } };
const ctx = {
  caller: { role: "customer" as const },
  authenticated: { user_id: "u1", method: "email" as const },
  orders: { "#W2": { user_id: "u1", status: "delivered", total: 900, payment_method_ids: ["cc_1"], items: { i3: 300 } } },
  payment_methods: { cc_1: { source: "credit_card" as const } },
  last_proposal: call,
  user_confirmed: true,
};
measure("tool-call rail incl. policy (return, confirmed)", N, () => checkToolCall(call, ctx, { policies }));

// 20 rules in one stage: the shipped pack's tool_call rules plus generated variants (thresholds differ).
const pack = parsePackText(readFileSync(join(DEFAULT_POLICY_DIR, "retail.yaml"), "utf8"), "retail.yaml");
const toolRules = pack.pack.rules.filter((r) => r.stage === "tool_call");
const rules = Array.from({ length: 20 }, (_, i) => ({ ...toolRules[i % toolRules.length]!, id: `bench.r${i}` }));
const twenty = new CompiledPolicies([{ pack: { ...pack.pack, rules }, version: pack.version }]);
const facts = [
  { caller: { role: "associate" }, customer: { state: "NY", days_since_last_promo: 40 }, action: { kind: "discount", discount_pct: 12 }, approvals: [] },
  { caller: { role: "customer" }, customer: { state: "CA" }, action: { kind: "refund", refund_amount: 640 }, approvals: [] },
  { caller: { role: "associate" }, customer: { state: "TX" }, action: { kind: "price_override", original_price: 200, new_price: 150, override_pct: 25 }, approvals: [] },
];
console.log(`\n${twenty.stageRules("tool_call").length} rules in the tool_call stage:`);
measure("policy evaluation, 20 rules", N * 5, (i) => twenty.evaluate("tool_call", facts[i % facts.length]!));
measure("policy evaluation, shipped pricing stage", N * 5, () => engine.evaluate("pricing", { customer: { tier: "gold" }, order: { subtotal: 80, ship_state: "CA" } }));
