import type { Command } from "commander";
import { action, info, UsageError, withDatabase } from "../runtime.ts";
import { buildRetailGraph } from "../../graphs/retail.ts";
import { AisleLocalChatModel } from "../../models/local/index.ts";
import { KeywordRouter } from "../../nodes/router.ts";
import { TOOL_GROUPS } from "../../tools/index.ts";
import type { AgentName } from "../../graphs/state.ts";
import { verifyAudit } from "../../nodes/audit.ts";
import { pruneCheckpoints } from "../../graphs/prune.ts";
import { pruneRunEvents } from "../../server/retention.ts";
import { poolDb } from "../../db/executor.ts";

/** `aisle graph`: the Mermaid diagram of the compiled turn graph, built offline (no database). */
export function registerGraphCommand(program: Command): void {
  program
    .command("graph")
    .description("Print the Mermaid diagram of Aisle's compiled turn graph (offline)")
    .action(
      action(async () => {
        const offline = {
          query: async () => {
            throw new Error("offline");
          },
          transaction: async () => {
            throw new Error("offline");
          },
        };
        const graph = buildRetailGraph({
          db: offline,
          tools: {},
          toolGroups: TOOL_GROUPS as unknown as Record<AgentName, readonly string[]>,
          router: new KeywordRouter(),
          catalogue: { products: [], optionValues: [] },
          sources: { customer: async () => null, order: async () => null, product: async () => null },
          models: { local: new AisleLocalChatModel({}) },
          price: () => ({ input: 0, output: 0 }),
        }).compile();
        process.stdout.write(`${(await graph.getGraphAsync()).drawMermaid()}\n`);
      }),
    );
}

/** `aisle audit verify [--thread]`: recompute the hash chains of the audit log. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("Inspect Aisle's append-only, hash-chained audit log");
  audit
    .command("verify")
    .description("Recompute every thread's hash chain (or one thread's) and report the first broken row of each")
    .option("--thread <id>", "verify only this conversation thread")
    .action(
      action(async (opts: { thread?: string }) =>
        withDatabase(async ({ pool }) => {
          const started = performance.now();
          const result = await verifyAudit(poolDb(pool), {
            threadId: opts.thread,
            onProgress: (rows) => process.stderr.isTTY && process.stderr.write(`\r  verified ${rows} rows…`),
          });
          if (process.stderr.isTTY) process.stderr.write("\r");
          for (const b of result.broken) process.stdout.write(`BROKEN thread ${b.thread_id} at seq ${b.seq}: ${b.problem}\n`);
          info(`${result.rows} rows in ${result.threads} thread(s) checked in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.broken.length ? `${result.broken.length} broken chain(s)` : "all chains intact"}.`);
          if (opts.thread && result.rows === 0) throw new UsageError(`no audit rows for thread ${opts.thread}`);
          return result.broken.length ? 1 : 0;
        }),
      ),
    );
}

/** `aisle db prune`: checkpoint and run-event retention (graphs/prune.ts, server/retention.ts). Added to the existing `db` group. */
export function registerPruneCommand(program: Command): void {
  const db = program.commands.find((c) => c.name() === "db") ?? program.command("db");
  db.command("prune")
    .description("Delete old LangGraph checkpoints (keep the newest N per thread, only the newest of idle threads) and the stream events of long-finished runs; audit log and traces are never pruned")
    .option("--keep <n>", "checkpoints to keep per thread (≥ 1)", "20")
    .option("--idle-days <days>", "threads idle longer than this keep only their newest checkpoint")
    .option("--grace-seconds <s>", "skip threads that checkpointed this recently (turns in flight)", "300")
    .option("--events-days <days>", "delete the stream events of runs that ended more than this many days ago", "7")
    .option("--dry-run", "report what would be deleted, delete nothing")
    .action(
      action(async (opts: { keep: string; idleDays?: string; graceSeconds: string; eventsDays: string; dryRun?: boolean }) => {
        const keep = Number(opts.keep);
        const idleDays = opts.idleDays === undefined ? undefined : Number(opts.idleDays);
        const graceSeconds = Number(opts.graceSeconds);
        if (!Number.isInteger(keep) || keep < 1) throw new UsageError("--keep must be an integer ≥ 1");
        if (idleDays !== undefined && !(idleDays >= 0)) throw new UsageError("--idle-days must be a number ≥ 0");
        if (!(graceSeconds >= 0)) throw new UsageError("--grace-seconds must be a number ≥ 0");
        const eventsDays = Number(opts.eventsDays);
        if (!(eventsDays >= 0)) throw new UsageError("--events-days must be a number ≥ 0");
        await withDatabase(async ({ pool }) => {
          const r = await pruneCheckpoints(pool, { keep, idleDays, graceSeconds, dryRun: opts.dryRun });
          info(`${opts.dryRun ? "Would delete" : "Deleted"} ${r.checkpoints} checkpoint(s), ${r.writes} pending write(s) and ${r.blobs} blob(s) from ${r.threads} thread(s).`);
          const e = await pruneRunEvents(pool, { olderThanDays: eventsDays, dryRun: opts.dryRun });
          info(`${opts.dryRun ? "Would delete" : "Deleted"} ${e.events} stream event(s) of ${e.runs} run(s) that ended more than ${eventsDays} day(s) ago.`);
        }, { seed: false });
      }),
    );
}
