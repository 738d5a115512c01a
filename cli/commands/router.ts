import type { Command } from "commander";
import { createReadStream, createWriteStream, renameSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import cliProgress from "cli-progress";
import { action, info, UsageError, withDatabase } from "../runtime.ts";
import { loadRouter, loadRouterFile, registerRouterModel, type ModelRouter } from "../../models/router/index.ts";
import { readLabelledJsonl } from "../../models/router/corpus.ts";
import { evaluateClassifier } from "../../models/router/train.ts";
import { formatConfusion } from "../../models/router/metrics.ts";
import { trainRouterVersion } from "../../models/router/pipeline.ts";
import { exportRouterModel, readRouterModelFile } from "../../models/router/exporter.ts";
import type { RouterModelFile } from "../../models/router/model.ts";

/** Reuses a command group another part may already have registered (e.g. `eval`, `model`). */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

async function chooseRouter(opts: { model?: string; active?: boolean }): Promise<ModelRouter> {
  if (opts.model && opts.active) throw new UsageError("use either --model or --active, not both");
  if (opts.model) {
    try {
      return loadRouterFile(opts.model);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (opts.active) return withDatabase((db) => loadRouter({ pool: db.pool }));
  return loadRouter();
}

function parseSince(since?: string): Date | undefined {
  if (since === undefined) return undefined;
  const d = new Date(since);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since: "${since}" is not a date (use e.g. 2025-01-31 or 2025-01-31T12:00:00Z)`);
  return d;
}

function positiveInt(name: string, v?: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${v}"`);
  return n;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function summarise(model: RouterModelFile) {
  for (const [name, m] of Object.entries(model.metrics)) info(`  ${name.padEnd(10)} n=${String(m.n).padStart(5)}  accuracy ${pct(m.accuracy)}  macro-F1 ${pct(m.macroF1)}`);
}

export function registerRouterCommands(program: Command): void {
  group(program, "train", "Train Aisle's own models")
    .command("router")
    .description("Train a new router version from the seed corpus (and confirmed trace labels) and report its metrics")
    .option("--from-traces", "also learn from confirmed route labels in Postgres (route_labels)")
    .option("--since <date>", "with --from-traces: only labels created at or after this date")
    .option("--out <file>", "write the model JSON here (default: router-<version>.json)")
    .option("--register", "store the new version in the database and make it active (servers pick it up without restart)")
    .option("--epochs <n>", "SGD epochs (default 12)")
    .option("--seed <n>", "random seed (same data + seed = same model)")
    .action(
      action(async (opts: { fromTraces?: boolean; since?: string; out?: string; register?: boolean; epochs?: string; seed?: string }) => {
        const since = parseSince(opts.since);
        if (since && !opts.fromTraces) throw new UsageError("--since only applies with --from-traces");
        const epochs = positiveInt("--epochs", opts.epochs);
        const seed = positiveInt("--seed", opts.seed);
        const started = performance.now();
        const bar = new cliProgress.SingleBar(
          { format: "  {phase} [{bar}] {value}/{total}", stream: process.stderr, hideCursor: true, clearOnComplete: true, noTTYOutput: false },
          cliProgress.Presets.shades_classic,
        );
        let phase = "";
        const onProgress = (p: string, done: number, total: number) => {
          if (p !== phase) {
            if (phase) bar.stop();
            phase = p;
            bar.start(total, done, { phase: p.padEnd(10) });
          } else bar.update(done);
        };
        const run = async (pool?: import("pg").Pool) => {
          try {
            return await trainRouterVersion({ fromTraces: opts.fromTraces, since, pool, epochs, seed, onProgress, log: info });
          } finally {
            bar.stop();
          }
        };
        const needsDb = opts.fromTraces || opts.register;
        const model = needsDb
          ? await withDatabase(async (db) => {
              const m = await run(db.pool);
              if (opts.register) {
                await registerRouterModel(db.pool, m);
                info(`Registered and activated ${m.version}.`);
              }
              return m;
            })
          : await run();
        const out = opts.out ?? `router-${model.version.replace(/^router-/, "")}.json`;
        writeFileSync(out, JSON.stringify(model));
        info(`Trained ${model.version} in ${((performance.now() - started) / 1000).toFixed(1)} s (temperature ${model.temperature}).`);
        summarise(model);
        info(`Wrote ${out}`);
      }),
    );

  group(program, "eval", "Evaluate Aisle's models and rails")
    .command("router")
    .description("Score the router on a labelled JSONL file (lines {text, intent}): accuracy, macro-F1, confusion matrix")
    .requiredOption("--in <file>", "labelled JSONL file")
    .option("--model <file>", "router model JSON (default: the shipped model)")
    .option("--active", "use the version active in the database")
    .option("--json", "print the metrics as JSON instead of tables")
    .action(
      action(async (opts: { in: string; model?: string; active?: boolean; json?: boolean }) => {
        let set;
        try {
          set = readLabelledJsonl(opts.in);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        if (!set.length) throw new UsageError(`${opts.in} has no labelled lines`);
        const router = await chooseRouter(opts);
        const m = evaluateClassifier(router.classifier, set);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ version: router.version, ...m })}\n`);
          return;
        }
        const lines = [
          `router ${router.version} on ${opts.in}: ${m.n} examples`,
          `accuracy  ${pct(m.accuracy)}`,
          `macro-F1  ${pct(m.macroF1)}`,
          "",
          `${"intent".padEnd(18)} precision  recall      f1  support`,
          ...router.classifier.labels.map((l) => {
            const s = m.perIntent[l];
            return `${l.padEnd(18)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(7)} ${String(s.support).padStart(8)}`;
          }),
          "",
          formatConfusion(router.classifier.labels, m.confusion),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      }),
    );

  program
    .command("route")
    .description("Route each line {text, ...} of a JSONL file; writes {text, intent, confidence, tier, agent, ...} per line")
    .requiredOption("--in <file>", "JSONL input, one object with a string `text` per line")
    .requiredOption("--out <file>", "JSONL output ('-' for stdout); other input fields are passed through")
    .option("--model <file>", "router model JSON (default: the shipped model)")
    .option("--active", "use the version active in the database")
    .action(
      action(async (opts: { in: string; out: string; model?: string; active?: boolean }) => {
        const router = await chooseRouter(opts);
        const input = createReadStream(opts.in);
        const opened = once(input, "open").catch((err: Error) => {
          throw new UsageError(`cannot read ${opts.in}: ${err.message}`);
        });
        await opened;
        // Write to a temporary file and rename at the end: a bad line leaves no partial output.
        const toStdout = opts.out === "-";
        const tmp = `${opts.out}.tmp-${process.pid}`;
        const out = toStdout ? process.stdout : createWriteStream(tmp);
        let n = 0;
        const tiers = { local: 0, llm: 0 };
        try {
          let lineNo = 0;
          for await (const line of createInterface({ input, crlfDelay: Infinity })) {
            lineNo++;
            if (!line.trim()) continue;
            let rec: unknown;
            try {
              rec = JSON.parse(line);
            } catch {
              throw new UsageError(`${opts.in}:${lineNo}: not valid JSON`);
            }
            if (typeof rec !== "object" || rec === null || Array.isArray(rec) || typeof (rec as { text?: unknown }).text !== "string") {
              throw new UsageError(`${opts.in}:${lineNo}: expected an object with a string "text" field`);
            }
            const { text, ...rest } = rec as { text: string } & Record<string, unknown>;
            const d = router.route(text);
            tiers[d.tier]++;
            const row = { ...rest, text, intent: d.intent, confidence: Number(d.confidence.toFixed(4)), tier: d.tier, agent: d.agent, needsClarification: d.needsClarification, reason: d.reason, version: d.version };
            if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, "drain");
            n++;
          }
          if (!toStdout) {
            out.end();
            await once(out, "finish");
            renameSync(tmp, opts.out);
          }
        } catch (err) {
          if (!toStdout) {
            // Writes still queued fail once the stream is destroyed; that is expected here, and an
            // unhandled 'error' would crash the process instead of reporting the bad line.
            out.on("error", () => {});
            out.destroy();
            await once(out, "close").catch(() => {});
            rmSync(tmp, { force: true });
          }
          throw err;
        }
        info(`Routed ${n} line(s) with ${router.version}: ${tiers.local} local, ${tiers.llm} llm.`);
      }),
    );

  const model = group(program, "model", "Export and import Aisle's own models");
  model
    .command("export")
    .description("Export a model as JSON (weights, featuriser config, metadata) plus an ONNX graph of the classifier")
    .argument("<name>", "which model: router")
    .requiredOption("--out <dir>", "directory to write router.json, router.onnx and metadata.json into")
    .option("--model <file>", "router model JSON to export (default: the shipped model)")
    .option("--active", "export the version active in the database")
    .action(
      action(async (name: string, opts: { out: string; model?: string; active?: boolean }) => {
        if (name !== "router") throw new UsageError(`unknown model "${name}" (known: router)`);
        const router = await chooseRouter(opts);
        const files = exportRouterModel(router.classifier.file, opts.out);
        info(`Exported ${router.version}:`);
        for (const f of files) info(`  ${f}`);
      }),
    );
  model
    .command("import")
    .description("Register a router model file (or export directory) in the database and activate it; running servers switch without restart")
    .argument("<file>", "router model JSON, or a directory written by `aisle model export router`")
    .option("--no-activate", "register the version without making it active")
    .action(
      action(async (file: string, opts: { activate: boolean }) => {
        let m: RouterModelFile;
        try {
          m = readRouterModelFile(file);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        await withDatabase(async (db) => registerRouterModel(db.pool, m, { activate: opts.activate }));
        info(`${opts.activate ? "Registered and activated" : "Registered"} router ${m.version}.`);
      }),
    );
}
