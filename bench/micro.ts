/**
 * Micro-benchmarks owned by the load section: one checkpoint write (PostgresSaver.put of a real
 * Aisle checkpoint after a five-turn conversation, and putWrites of one node's writes) and one
 * context-stitch (the contextStitch node on an authenticated customer with a named order).
 *
 *   DATABASE_URL=… npx tsx bench/micro.ts [--quick] [--json out.json]
 */
import { uuid6 } from "@langchain/langgraph-checkpoint";
import { createPool } from "../db/connection.ts";
import { createAisleRuntime, DURABILITY } from "../graphs/runtime.ts";
import { createContextStitchNode } from "../nodes/contextStitch.ts";
import type { AisleStateValue } from "../graphs/state.ts";
import { cancelScript } from "../test/support/retailLoad.ts";
import { dropDatabase, freshDatabase, loadAverage, stats, type LatencyStats, helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

export interface MicroResult {
  name: string;
  n: number;
  stats: LatencyStats;
  note?: string;
}

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<LatencyStats> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

export async function runMicro(opts: { n: number; log?: (s: string) => void }): Promise<{ results: MicroResult[]; load: string }> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const dbName = "aisle_bench_micro";
  const url = await freshDatabase(dbName, log);
  const pool = createPool(url, { max: 4 });
  const results: MicroResult[] = [];
  try {
    const rt = await createAisleRuntime({ pool, llm: null });
    const { rows } = await pool.query(`SELECT o.user_id, u.email, o.order_id FROM orders o JOIN users u USING (user_id) WHERE o.status = 'pending' ORDER BY o.ordinal LIMIT 1`);
    const s = rows[0];
    const config = { configurable: { thread_id: "bench-micro", caller: { role: "customer", customer_id: s.user_id } }, durability: DURABILITY };
    for (const text of cancelScript(s).slice(0, 4)) await rt.graph.invoke({ messages: [{ role: "user", content: text }] } as never, config);
    const tuple = (await rt.checkpointer.getTuple({ configurable: { thread_id: "bench-micro" } }))!;
    const bytes = JSON.stringify(tuple.checkpoint.channel_values).length;
    const put = await time(opts.n, async (i) => {
      const cp = { ...tuple.checkpoint, id: uuid6(-1) };
      await rt.checkpointer.put({ configurable: { thread_id: `bench-put-${i % 50}`, checkpoint_ns: "" } }, cp, tuple.metadata!, {});
    });
    results.push({ name: "checkpoint put (PostgresSaver, 4-turn conversation state)", n: opts.n, stats: put, note: `${(bytes / 1024).toFixed(1)} KiB of channel values` });
    const writes = (tuple.pendingWrites ?? []).map(([, ch, v]) => [ch, v] as [string, unknown]);
    const w = writes.length ? writes : ([["reply", "ok"]] as [string, unknown][]);
    const pw = await time(opts.n, async (i) => {
      await rt.checkpointer.putWrites({ configurable: { thread_id: "bench-micro", checkpoint_ns: "", checkpoint_id: tuple.checkpoint.id } }, w, `task-${i}`);
    });
    results.push({ name: `checkpoint putWrites (${w.length} channel write${w.length === 1 ? "" : "s"})`, n: opts.n, stats: pw });

    const state = (await rt.graph.getState(config)).values as AisleStateValue;
    const stitch = createContextStitchNode(rt.deps.sources);
    const st = await time(opts.n, () => stitch({ ...state, context: { ...state.context, customer: null, orders: {} } } as unknown as AisleStateValue));
    results.push({ name: `context-stitch (intent ${state.route?.intent}, authenticated customer, one order)`, n: opts.n, stats: st });
    for (const r of results) log(`[micro] ${r.name}: p50 ${r.stats.p50.toFixed(2)} ms, p95 ${r.stats.p95.toFixed(2)} ms${r.note ? ` (${r.note})` : ""}`);
    await rt.close();
  } finally {
    await pool.end();
    await dropDatabase(dbName);
  }
  return { results, load: loadAverage() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const r = await runMicro({ n: args.includes("--quick") ? 100 : 500 });
  const i = args.indexOf("--json");
  if (i >= 0) (await import("node:fs")).writeFileSync(args[i + 1]!, JSON.stringify(r, null, 2));
}
