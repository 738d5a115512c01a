import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { poolDb } from "../../db/executor.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../../traces/export/formats.ts";
import { exportTraces } from "../../traces/export/exportTraces.ts";
import { promoteConfirmedRoutes } from "../../traces/labels.ts";
import { UsageError, action, info, withDatabase } from "../runtime.ts";

interface ExportTracesOptions {
  format: string;
  out: string;
  since?: string;
  until?: string;
  intent?: string;
  onlyPassed?: boolean;
  minFeedback?: string;
  split?: string;
  splitSeed: string;
}

function parseDate(flag: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} must be a date or timestamp such as 2025-03-01 or 2025-03-01T12:00:00Z, got "${raw}"`);
  return d;
}

function parseNumber(flag: string, raw: string | undefined, check: (n: number) => boolean, expected: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${expected}, got "${raw}"`);
  return n;
}

export function registerExportCommands(program: Command): void {
  const exp = program.command("export").description("Export Aisle's data for use elsewhere (fine-tuning datasets)");

  exp
    .command("traces")
    .description("Write recorded turns as fine-tuning JSONL, with a dataset card next to it")
    .requiredOption("-f, --format <format>", `one of: ${EXPORT_FORMATS.join(", ")}`)
    .requiredOption("-o, --out <file>", "output JSONL file (with --split: <stem>.train.jsonl and <stem>.validation.jsonl)")
    .option("--since <date>", "only turns started at or after this date/time")
    .option("--until <date>", "only turns started before this date/time")
    .option("--intent <intents>", "only these routed intents (comma-separated)")
    .option("--only-passed", "only turns that completed cleanly and have no net negative feedback")
    .option("--min-feedback <n>", "only turns whose feedback score (thumbs up minus down) is at least n")
    .option("--split <ratio>", "train share of a deterministic split by thread, e.g. 0.9")
    .option("--split-seed <seed>", "seed of the split (same seed, same assignment)", "aisle")
    .addHelpText(
      "after",
      `
Formats:
  openai        OpenAI chat fine-tuning: messages (tool_calls with JSON-string arguments, tool
                answers by tool_call_id; earlier turns as context with weight 0), tools, parallel_tool_calls
  openai-dpo    OpenAI preference pairs {input, preferred_output, non_preferred_output} from
                governance fixes/blocks (non-preferred = the model's original proposal) and corrected replies
  trl           Hugging Face TRL conversational {messages, tools} (arguments as objects)
  trl-dpo       TRL preference {prompt, chosen, rejected, tools}
  sharegpt      LLaMA-Factory ShareGPT {conversations (human/gpt/function_call/observation), system, tools}
  sharegpt-dpo  LLaMA-Factory ShareGPT ranking data {conversations, chosen, rejected, system, tools}

Every line is validated against its format's rules; turns that cannot be expressed are skipped and
counted in the dataset card (<stem>.card.json and <stem>.card.md). PII is masked.

Examples:
  aisle export traces --format openai --out data/ft.jsonl --since 2025-03-01 --only-passed --split 0.9
  aisle export traces --format trl-dpo --out prefs.jsonl --intent cancel_order,return_request`,
    )
    .action(
      action(async (opts: ExportTracesOptions) => {
        if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
          throw new UsageError(`unknown format "${opts.format}"; choose one of: ${EXPORT_FORMATS.join(", ")}`);
        }
        const out = resolve(opts.out);
        if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new UsageError(`directory ${dirname(out)} does not exist`);
        const since = parseDate("--since", opts.since);
        const until = parseDate("--until", opts.until);
        if (since && until && since >= until) throw new UsageError("--since must be before --until");
        const split = parseNumber("--split", opts.split, (n) => n > 0 && n < 1, "a ratio between 0 and 1, e.g. 0.9");
        const minFeedback = parseNumber("--min-feedback", opts.minFeedback, Number.isInteger, "an integer");
        const intents = opts.intent?.split(",").map((s) => s.trim()).filter(Boolean);

        await withDatabase(async ({ pool }) => {
          const bar = new SingleBar(
            { format: "Exporting turns [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left", stream: process.stderr, hideCursor: true },
            Presets.shades_classic,
          );
          let started = false;
          const result = await exportTraces(poolDb(pool), {
            format: opts.format as ExportFormat,
            out,
            filters: { since, until, intents, onlyPassed: opts.onlyPassed, minFeedback },
            split,
            splitSeed: opts.splitSeed,
            onProgress: (done, total) => {
              if (!started) {
                bar.start(total, 0);
                started = true;
              }
              bar.update(done);
            },
          });
          if (started) bar.stop();
          const c = result.card;
          for (const f of c.files) info(`${f.examples} example(s) → ${resolve(dirname(out), f.path)}`);
          const skipped = Object.values(c.counts.skipped).reduce((a, b) => a + b, 0);
          info(`${c.counts.examples} example(s) from ${c.counts.turns_selected} selected turn(s) in ${c.counts.threads} thread(s); ${skipped} skipped.`);
          for (const [reason, n] of Object.entries(c.counts.skipped)) info(`  skipped ${n}: ${reason}`);
          info(`Dataset card: ${result.cardMarkdownPath}`);
          if (c.counts.turns_selected === 0) info("No recorded turn matches these filters.");
        });
      }),
    );

  program
    .command("traces")
    .description("The trace store: recorded turns and the labels they yield")
    .command("promote-routes")
    .description("Add settled, uncorrected turns to the router's training labels (route_labels, source confirmed)")
    .option("--settle-minutes <n>", "only turns older than this, so feedback had time to arrive", "60")
    .option("--min-confidence <p>", "only turns the router was at least this confident about", "0")
    .addHelpText("after", "\nEach turn is offered once; turns rated down or with a corrected intent are never offered.\nThen: aisle train router --from-traces")
    .action(
      action(async (opts: { settleMinutes: string; minConfidence: string }) => {
        const minutes = parseNumber("--settle-minutes", opts.settleMinutes, (n) => n >= 0, "a number of minutes ≥ 0")!;
        const minConfidence = parseNumber("--min-confidence", opts.minConfidence, (n) => n >= 0 && n <= 1, "a probability between 0 and 1")!;
        await withDatabase(async ({ pool }) => {
          const added = await promoteConfirmedRoutes(poolDb(pool), { settledMs: minutes * 60_000, minConfidence });
          info(`Added ${added} confirmed route label(s).`);
        });
      }),
    );
}
