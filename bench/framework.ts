/**
 * The framework floor and where a turn's time goes, in process (no HTTP):
 *   1. LangGraph.js alone: Aisle's topology (same node names and edges) with empty nodes, no
 *      checkpointer — `invoke` per path length (7 + 3·L super-steps for L tool round trips);
 *   2. Aisle's compiled graph on the cancel conversations, with (a) MemorySaver (framework + Aisle's
 *      own node work), (b) PostgresSaver durability "exit" / "async" / "sync" (adds checkpoints);
 *      super-steps per turn counted from checkpoint metadata; commits per turn from pg_stat_database;
 *   3. the ratio of (2a) to the floor at the same number of super-steps.
 * Run with --cpu-prof to profile (2b) — bench/profile.ts summarises the .cpuprofile by package.
 *
 *   DATABASE_URL=… npx tsx bench/framework.ts [--quick] [--json out.json]
 */
import { END, MemorySaver, START, StateGraph, Annotation, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createPool } from "../db/connection.ts";
import { createAisleRuntime } from "../graphs/runtime.ts";
import { compileRetailGraph } from "../graphs/retail.ts";
import { cancelScript } from "../test/support/retailLoad.ts";
import { dropDatabase, freshDatabase, loadAverage, stats, helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const NODES = ["dataPrep", "router", "contextStitch", "policy", "orders_agent", "payments_agent", "inventory_agent", "info_agent", "handoff_agent", "governance", "tools", "audit"];
const AGENTS = NODES.filter((n) => n.endsWith("_agent"));

/** Aisle's topology with empty nodes; governance sends to tools `loops` times, then to audit. */
export function emptyTopology(loops: number) {
  const S = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
  const g = new StateGraph(S);
  for (const name of NODES) g.addNode(name, async () => (name === "tools" ? { n: 1 } : {}));
  const b = g as unknown as StateGraph<typeof S.spec, typeof S.State, typeof S.Update, string>;
  b.addEdge(START, "dataPrep").addEdge("dataPrep", "router").addEdge("router", "contextStitch").addEdge("contextStitch", "policy");
  b.addConditionalEdges("policy", () => "orders_agent", AGENTS);
  for (const a of AGENTS) b.addEdge(a, "governance");
  b.addConditionalEdges("governance", (s: typeof S.State) => (s.n < loops ? "tools" : "audit"), ["tools", "audit", ...AGENTS]);
  b.addConditionalEdges("tools", () => "orders_agent", AGENTS);
  b.addEdge("audit", END);
  return b.compile();
}

async function timeEmpty(loops: number, n: number) {
  const g = emptyTopology(loops);
  for (let i = 0; i < 50; i++) await g.invoke({ n: 0 });
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await g.invoke({ n: 0 });
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

async function commits(pool: import("pg").Pool) {
  const { rows } = await pool.query("SELECT xact_commit::bigint AS c FROM pg_stat_database WHERE datname = current_database()");
  return Number(rows[0].c);
}

export interface FrameworkResult {
  floor: { loops: number; steps: number; p50: number; mean: number }[];
  aisle: { variant: string; turns: number; stepsPerTurn: number; p50: number; mean: number; p95: number; commitsPerTurn?: number }[];
  floorAtAisleSteps: number;
  ratio: number;
  load: string;
}

export async function runFramework(opts: { conversations: number; floorRuns: number; log?: (s: string) => void }): Promise<FrameworkResult> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const floor: FrameworkResult["floor"] = [];
  for (const loops of [0, 1, 2, 3]) {
    const s = await timeEmpty(loops, opts.floorRuns);
    floor.push({ loops, steps: 7 + 3 * loops, p50: s.p50, mean: s.mean });
    log(`[framework] empty topology, ${7 + 3 * loops} super-steps: p50 ${s.p50.toFixed(2)} ms, mean ${s.mean.toFixed(2)} ms`);
  }

  const dbName = "aisle_bench_framework";
  const url = await freshDatabase(dbName, log);
  const pool = createPool(url, { max: 10 });
  const aisle: FrameworkResult["aisle"] = [];
  try {
    const rt = await createAisleRuntime({ pool, llm: null });
    const { rows } = await pool.query<{ user_id: string; email: string; order_id: string }>(
      `SELECT o.user_id, u.email, o.order_id FROM orders o JOIN users u USING (user_id) WHERE o.status = 'pending' ORDER BY o.ordinal`,
    );
    let next = 0;
    const variants: { name: string; saver: BaseCheckpointSaver; durability: "sync" | "async" | "exit" }[] = [
      { name: "MemorySaver (no database checkpoints)", saver: new MemorySaver(), durability: "exit" },
      { name: "PostgresSaver, durability exit", saver: rt.checkpointer, durability: "exit" },
      { name: "PostgresSaver, durability async", saver: rt.checkpointer, durability: "async" },
      { name: "PostgresSaver, durability sync (server default)", saver: rt.checkpointer, durability: "sync" },
    ];
    for (const v of variants) {
      const graph = compileRetailGraph(rt.deps, v.saver);
      const ms: number[] = [];
      let steps = 0;
      const c0 = await commits(pool);
      for (let k = 0; k < opts.conversations + 1; k++) {
        const s = rows[next++ % rows.length]!;
        const config = { configurable: { thread_id: `bench-${v.durability}-${k}-${Math.random()}`, caller: { role: "customer", customer_id: s.user_id } }, durability: v.durability };
        let lastStep = -1;
        for (const text of cancelScript(s)) {
          const t = performance.now();
          await graph.invoke({ messages: [{ role: "user", content: text }] } as never, config);
          const dt = performance.now() - t;
          const st = await graph.getState(config);
          const step = Number((st.metadata as { step?: number })?.step ?? 0);
          if (k > 0) {
            // First conversation warms caches (JIT, catalogue, pg statements) and is not counted.
            ms.push(dt);
            steps += step - lastStep - 1; // minus the input step
          }
          lastStep = step;
        }
      }
      const c1 = await commits(pool);
      const s = stats(ms);
      const row = { variant: v.name, turns: ms.length, stepsPerTurn: steps / ms.length, p50: s.p50, mean: s.mean, p95: s.p95, commitsPerTurn: v.saver === rt.checkpointer ? (c1 - c0) / (ms.length * (1 + 1 / opts.conversations)) : undefined };
      aisle.push(row);
      log(`[framework] Aisle, ${v.name}: ${ms.length} turns, ${row.stepsPerTurn.toFixed(1)} super-steps/turn, p50 ${s.p50.toFixed(2)} ms, mean ${s.mean.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms` + (row.commitsPerTurn ? `, ~${row.commitsPerTurn.toFixed(0)} commits/turn` : ""));
    }
    await rt.close();
  } finally {
    await pool.end();
    await dropDatabase(dbName);
  }
  // Floor at Aisle's mean path length: linear in super-steps between the measured paths.
  const steps = aisle[0]!.stepsPerTurn;
  const [a, b] = [floor[0]!, floor.at(-1)!];
  const floorAt = a.mean + ((b.mean - a.mean) / (b.steps - a.steps)) * (steps - a.steps);
  const ratio = aisle[0]!.mean / floorAt;
  log(`[framework] floor at ${steps.toFixed(1)} super-steps ≈ ${floorAt.toFixed(2)} ms; Aisle (MemorySaver) / floor = ${ratio.toFixed(2)}×`);
  return { floor, aisle, floorAtAisleSteps: floorAt, ratio, load: loadAverage() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const r = await runFramework({ conversations: quick ? 4 : 20, floorRuns: quick ? 200 : 1000 });
  const i = args.indexOf("--json");
  if (i >= 0) (await import("node:fs")).writeFileSync(args[i + 1]!, JSON.stringify(r, null, 2));
}
