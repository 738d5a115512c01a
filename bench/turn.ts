/**
 * Turn latency, per node and in total, for typical scenarios through the compiled graph (embedded
 * model, real PostgreSQL, PostgresSaver). Also measures context-stitch concurrency: Promise.all in
 * one node vs a LangGraph `Send` fan-out to one node per fetch.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/turn.ts [--runs 20]
 *
 * Without DATABASE_URL it uses the embedded PostgreSQL. Writes only new threads (checkpoints,
 * audit rows); no scenario confirms a consequential action, so the retail data is unchanged.
 */
import { randomUUID } from "node:crypto";
import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";
import { openReadyDatabase } from "../db/bootstrap.ts";
import { createAisleRuntime, DURABILITY, type AisleRuntime } from "../graphs/runtime.ts";
import type { AisleStateValue } from "../graphs/state.ts";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 20;

interface Scenario {
  name: string;
  /** Turns before the measured one (same thread). */
  setup: string[];
  turn: string;
  caller?: Record<string, unknown>;
}

const SCENARIOS: Scenario[] = [
  { name: "greeting", setup: [], turn: "hi there" },
  { name: "out of scope", setup: [], turn: "write me a poem about the sea" },
  { name: "order status (authenticated)", setup: ["raj.sanchez2046@example.com"], turn: "where is my order #W4566809?" },
  { name: "authenticate + order status in one turn", setup: ["where is my order #W4566809?"], turn: "raj.sanchez2046@example.com" },
  { name: "cancel: list details for confirmation", setup: ["raj.sanchez2046@example.com"], turn: "cancel #W4566809, I ordered it by mistake" },
  { name: "stock check at a store", setup: [], turn: "is the vacuum cleaner canister bagged cordless in stock at store 0001?" },
  { name: "loyalty (authenticated)", setup: ["aarav.garcia8277@example.com"], turn: "what's my loyalty tier?" },
];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (n: number) => n.toFixed(2).padStart(8);

async function measure(rt: AisleRuntime, s: Scenario) {
  const totals: number[] = [];
  const perNode = new Map<string, number[]>();
  for (let i = 0; i < runs + 2; i++) {
    const config = { configurable: { thread_id: `bench-${randomUUID()}`, caller: s.caller ?? { role: "customer" } }, durability: DURABILITY };
    for (const m of s.setup) await rt.graph.invoke({ messages: [{ role: "user", content: m }] }, config);
    const t0 = performance.now();
    const out = (await rt.graph.invoke({ messages: [{ role: "user", content: s.turn }] }, config)) as AisleStateValue;
    const total = performance.now() - t0;
    if (i < 2) continue; // warm-up
    totals.push(total);
    const byNode = new Map<string, number>();
    for (const t of out.timings.filter((x) => x.turn === out.turn)) byNode.set(t.node, (byNode.get(t.node) ?? 0) + t.ms);
    for (const [node, ms] of byNode) perNode.set(node, [...(perNode.get(node) ?? []), ms]);
  }
  return { totals, perNode };
}

/** Send fan-out vs Promise.all for the same four context fetches (customer, 2 orders, loyalty). */
async function stitchComparison(rt: AisleRuntime) {
  const src = rt.deps.sources;
  const fetches = [
    () => src.customer("raj_sanchez_2970"),
    () => src.order("#W4566809"),
    () => src.order("#W7736708"),
    () => src.loyalty?.("raj_sanchez_2970") ?? Promise.resolve(null),
  ];
  const S = Annotation.Root({
    results: Annotation<unknown[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    i: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  });
  const fanOut = new StateGraph(S)
    .addNode("fetch", async (s: { i: number }) => ({ results: [await fetches[s.i]()] }))
    .addNode("join", async () => ({}))
    .addConditionalEdges(START, () => fetches.map((_, i) => new Send("fetch", { i })), ["fetch"])
    .addEdge("fetch", "join")
    .addEdge("join", END)
    .compile({ checkpointer: rt.checkpointer });
  const oneNode = new StateGraph(S)
    .addNode("stitch", async () => ({ results: await Promise.all(fetches.map((f) => f())) }))
    .addEdge(START, "stitch")
    .addEdge("stitch", END)
    .compile({ checkpointer: rt.checkpointer });
  const time = async (g: typeof oneNode) => {
    const xs: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const t0 = performance.now();
      await g.invoke({}, { configurable: { thread_id: `bench-stitch-${randomUUID()}` }, durability: DURABILITY });
      if (i >= 2) xs.push(performance.now() - t0);
    }
    return xs;
  };
  return { promiseAll: await time(oneNode), send: await time(fanOut as unknown as typeof oneNode) };
}

const db = await openReadyDatabase({ log: (m) => process.stderr.write(`${m}\n`) });
try {
  const rt = await createAisleRuntime({ pool: db.pool, llm: null });
  console.log(`Aisle turn benchmark · ${runs} runs per scenario (after 2 warm-up) · durability ${DURABILITY} · embedded model · ${db.embedded ? "embedded PostgreSQL" : "DATABASE_URL"}`);
  for (const s of SCENARIOS) {
    const { totals, perNode } = await measure(rt, s);
    console.log(`\n## ${s.name}\n  total turn     p50 ${fmt(pct(totals, 50))} ms   p95 ${fmt(pct(totals, 95))} ms`);
    for (const [node, xs] of perNode) console.log(`  ${node.padEnd(15)}p50 ${fmt(pct(xs, 50))} ms   p95 ${fmt(pct(xs, 95))} ms`);
  }
  const c = await stitchComparison(rt);
  console.log(`\n## context stitch: 4 fetches (customer, 2 orders, loyalty), whole mini-graph incl. checkpoints`);
  console.log(`  Promise.all in one node   p50 ${fmt(pct(c.promiseAll, 50))} ms   p95 ${fmt(pct(c.promiseAll, 95))} ms`);
  console.log(`  Send fan-out (4 nodes)    p50 ${fmt(pct(c.send, 50))} ms   p95 ${fmt(pct(c.send, 95))} ms`);
  await rt.close();
} finally {
  await db.close();
}
