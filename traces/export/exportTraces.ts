import { createHash } from "node:crypto";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { basename, dirname, join } from "node:path";
import type { Db } from "../../db/executor.ts";
import { maskPersonalData } from "../mask.ts";
import { TRACE_SCHEMA_VERSION, type TraceMessage } from "../schema.ts";
import { cardMarkdown, filtersForCard, type DatasetCard } from "./card.ts";
import {
  isPreferenceFormat,
  preferencePairs,
  toOpenAi,
  toOpenAiPreference,
  toShareGpt,
  toShareGptPreference,
  toTrl,
  toTrlPreference,
  type ExportFormat,
  type PreferenceSource,
  type SftSource,
} from "./formats.ts";
import { countSelectedTurns, streamSelectedTurns, type TraceFilters } from "./select.ts";
import { splitOf, type Split } from "./split.ts";
import { LINE_VALIDATORS } from "./validate.ts";

export interface ExportOptions {
  format: ExportFormat;
  /** Output path (JSONL). With a split, `<stem>.train.jsonl` and `<stem>.validation.jsonl` are written instead. */
  out: string;
  filters?: TraceFilters;
  /** Share of threads that go to the training file (0 < ratio < 1); no split when absent. */
  split?: number;
  splitSeed?: string;
  batchSize?: number;
  onProgress?: (turnsDone: number, turnsTotal: number) => void;
}

export interface ExportResult {
  card: DatasetCard;
  cardJsonPath: string;
  cardMarkdownPath: string;
}

const AISLE_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** `data.jsonl` → `data`, so derived files read `data.train.jsonl`, `data.card.json`. */
function stemOf(out: string): string {
  const name = basename(out);
  return join(dirname(out), name.endsWith(".jsonl") ? name.slice(0, -6) : name);
}

class JsonlFile {
  readonly hash = createHash("sha256");
  examples = 0;
  bytes = 0;
  private readonly stream: WriteStream;
  constructor(readonly path: string) {
    this.stream = createWriteStream(`${path}.partial`);
  }
  async write(line: unknown) {
    const text = `${JSON.stringify(line)}\n`;
    this.hash.update(text);
    this.examples++;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }
  async finish() {
    this.stream.end();
    await once(this.stream, "finish");
    await rename(`${this.path}.partial`, this.path);
  }
  async abandon() {
    this.stream.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}

/** Normalises a validator message into a countable reason (indices and ids vary per example). */
const reasonOf = (error: string) => error.replace(/\b(call|unanswered)_\S+/g, "<id>").replace(/\d+/g, "N");

function sftLine(format: ExportFormat, src: SftSource): { ok: true; line: unknown } | { ok: false; reason: string } {
  if (format === "openai") return { ok: true, line: toOpenAi(src) };
  if (format === "trl") return { ok: true, line: toTrl(src) };
  return toShareGpt(src);
}

function preferenceLine(format: ExportFormat, p: PreferenceSource): { ok: true; line: unknown } | { ok: false; reason: string } {
  if (format === "openai-dpo") return { ok: true, line: toOpenAiPreference(p) };
  if (format === "trl-dpo") return { ok: true, line: toTrlPreference(p) };
  return toShareGptPreference(p);
}

/**
 * Exports recorded turns as fine-tuning JSONL. Streams the selection through a cursor keeping only
 * the current thread's history in memory; masks PII with the governance redactor; validates every
 * line against its format's rules (invalid turns are skipped and counted, never written); splits
 * by thread; writes files atomically (`.partial` then rename) and a dataset card next to them.
 */
export async function exportTraces(db: Db, opts: ExportOptions): Promise<ExportResult> {
  const filters = opts.filters ?? {};
  if (opts.split !== undefined && !(opts.split > 0 && opts.split < 1)) throw new Error(`--split must be between 0 and 1 (exclusive), got ${opts.split}`);
  const stem = stemOf(opts.out);
  const seed = opts.splitSeed ?? "aisle";
  const files: Partial<Record<Split | "all", JsonlFile>> =
    opts.split !== undefined
      ? { train: new JsonlFile(`${stem}.train.jsonl`), validation: new JsonlFile(`${stem}.validation.jsonl`) }
      : { all: new JsonlFile(opts.out) };
  const validate = LINE_VALIDATORS[opts.format];
  const preference = isPreferenceFormat(opts.format);

  const total = await countSelectedTurns(db, filters);
  const byIntent: Record<string, number> = {};
  const byOrigin: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const sets = { tools: new Set<string>(), system: new Set<string>(), router: new Set<string>(), policy: new Set<string>(), model: new Set<string>() };
  const sourceHash = createHash("sha256");
  let turnsRead = 0;
  let turnsSelected = 0;
  let threads = 0;
  let first: Date | null = null;
  let last: Date | null = null;
  let thread: string | undefined;
  let history: TraceMessage[] = [];
  let threadCounted = false;
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);

  try {
    for await (const row of streamSelectedTurns(db, filters, { batchSize: opts.batchSize })) {
      turnsRead++;
      if (row.trace.thread_id !== thread) {
        thread = row.trace.thread_id;
        history = [];
        threadCounted = false;
      }
      // Stored traces may keep contact details (AISLE_TRACE_PII=secrets): exports mask every kind.
      const trace = { ...row.trace, ...maskPersonalData({ messages: row.trace.messages, governance: row.trace.governance, system: row.trace.system }) };
      sourceHash.update(`${trace.trace_id}\u0000${JSON.stringify(trace.messages)}\n`);
      if (row.selected) {
        turnsSelected++;
        if (!threadCounted) {
          threads++;
          threadCounted = true;
        }
        const lines: { line: unknown; origin?: string }[] = [];
        if (preference) {
          const pairs = preferencePairs(trace, history, maskPersonalData(row.correctedReplies));
          if (!pairs.length) skip("no preference pair (no fixed/blocked proposal or corrected reply)");
          for (const p of pairs) {
            const r = preferenceLine(opts.format, p);
            if (r.ok) lines.push({ line: r.line, origin: p.origin });
            else skip(r.reason);
          }
        } else {
          const r = sftLine(opts.format, { system: trace.system, tools: trace.tools, history, messages: trace.messages });
          if (r.ok) lines.push({ line: r.line });
          else skip(r.reason);
        }
        for (const { line, origin } of lines) {
          const errors = validate(line);
          if (errors.length) {
            skip(reasonOf(errors[0]!));
            continue;
          }
          const split: Split | "all" = opts.split !== undefined ? splitOf(trace.thread_id, opts.split, seed) : "all";
          await files[split]!.write(line);
          const intent = trace.route?.intent ?? "unknown";
          byIntent[intent] = (byIntent[intent] ?? 0) + 1;
          if (origin) byOrigin[origin] = (byOrigin[origin] ?? 0) + 1;
          if (!first || trace.started_at < first) first = trace.started_at;
          if (!last || trace.started_at > last) last = trace.started_at;
          if (row.toolsHash) sets.tools.add(row.toolsHash);
          if (row.systemHash) sets.system.add(row.systemHash);
          if (trace.route?.router_version) sets.router.add(trace.route.router_version);
          if (trace.policy?.version) sets.policy.add(trace.policy.version);
          if (trace.model) sets.model.add(trace.model);
        }
        opts.onProgress?.(turnsSelected, total);
      }
      history.push(...trace.messages);
    }
    for (const f of Object.values(files)) await f!.finish();
  } catch (err) {
    for (const f of Object.values(files)) await f!.abandon();
    throw err;
  }

  const written = Object.entries(files).map(([split, f]) => ({ split, path: basename(f!.path), examples: f!.examples, bytes: f!.bytes, sha256: f!.hash.digest("hex") }));
  const card: DatasetCard = {
    name: basename(stem),
    format: opts.format,
    kind: preference ? "preference" : "supervised",
    created_at: new Date().toISOString(),
    aisle_version: AISLE_VERSION,
    trace_schema_version: TRACE_SCHEMA_VERSION,
    filters: filtersForCard(filters),
    split: opts.split !== undefined ? { train_ratio: opts.split, seed, by: "thread" } : null,
    files: written,
    counts: {
      examples: written.reduce((n, f) => n + f.examples, 0),
      turns_read: turnsRead,
      turns_selected: turnsSelected,
      threads,
      by_intent: byIntent,
      by_split: Object.fromEntries(written.map((f) => [f.split, f.examples])),
      ...(preference ? { by_origin: byOrigin } : {}),
      skipped,
    },
    date_range: { first: first?.toISOString() ?? null, last: last?.toISOString() ?? null },
    sources: {
      traces_sha256: sourceHash.digest("hex"),
      tools_hashes: [...sets.tools].sort(),
      system_hashes: [...sets.system].sort(),
      router_versions: [...sets.router].sort(),
      policy_versions: [...sets.policy].sort(),
      models: [...sets.model].sort(),
    },
    pii: "masked by the governance redactor (emails, phones, card numbers, SSNs, street addresses)",
  };
  const cardJsonPath = `${stem}.card.json`;
  const cardMarkdownPath = `${stem}.card.md`;
  await writeFile(cardJsonPath, `${JSON.stringify(card, null, 2)}\n`);
  await writeFile(cardMarkdownPath, cardMarkdown(card));
  return { card, cardJsonPath, cardMarkdownPath };
}
