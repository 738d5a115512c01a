import type { ExportFormat } from "./formats.ts";
import type { TraceFilters } from "./select.ts";

/** What an export contains and how it was made: written next to the data as JSON and Markdown. */
export interface DatasetCard {
  name: string;
  format: ExportFormat;
  kind: "supervised" | "preference";
  created_at: string;
  aisle_version: string;
  trace_schema_version: number;
  filters: Record<string, unknown>;
  split: { train_ratio: number; seed: string; by: "thread" } | null;
  files: { split: string; path: string; examples: number; bytes: number; sha256: string }[];
  counts: {
    examples: number;
    turns_read: number;
    turns_selected: number;
    threads: number;
    by_intent: Record<string, number>;
    by_split: Record<string, number>;
    by_origin?: Record<string, number>;
    skipped: Record<string, number>;
  };
  date_range: { first: string | null; last: string | null };
  sources: {
    /** sha256 over the ids and contents of every trace read: the export's input fingerprint. */
    traces_sha256: string;
    tools_hashes: string[];
    system_hashes: string[];
    router_versions: string[];
    policy_versions: string[];
    models: string[];
  };
  pii: string;
}

export function filtersForCard(f: TraceFilters): Record<string, unknown> {
  return {
    since: f.since?.toISOString() ?? null,
    until: f.until?.toISOString() ?? null,
    intents: f.intents ?? null,
    only_passed: !!f.onlyPassed,
    min_feedback: f.minFeedback ?? null,
  };
}

const table = (rows: [string, string | number][]) =>
  ["| | |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");

export function cardMarkdown(c: DatasetCard): string {
  const byIntent = Object.entries(c.counts.by_intent).sort((a, b) => b[1] - a[1]);
  const skipped = Object.entries(c.counts.skipped);
  return [
    `# Dataset card: ${c.name}`,
    "",
    `Fine-tuning data exported from Aisle's trace store (${c.kind}, format \`${c.format}\`) on ${c.created_at}.`,
    "",
    table([
      ["examples", c.counts.examples],
      ["turns selected / read", `${c.counts.turns_selected} / ${c.counts.turns_read}`],
      ["threads", c.counts.threads],
      ["date range", `${c.date_range.first ?? "–"} … ${c.date_range.last ?? "–"}`],
      ["split", c.split ? `${c.split.train_ratio} train by thread (seed \`${c.split.seed}\`)` : "none"],
      ["PII", c.pii],
    ]),
    "",
    "## Filters",
    "",
    table(Object.entries(c.filters).map(([k, v]) => [k, v === null ? "–" : JSON.stringify(v)])),
    "",
    "## Files",
    "",
    "| split | file | examples | sha256 |",
    "| --- | --- | --- | --- |",
    ...c.files.map((f) => `| ${f.split} | ${f.path} | ${f.examples} | \`${f.sha256}\` |`),
    "",
    "## Examples by intent",
    "",
    "| intent | examples |",
    "| --- | --- |",
    ...byIntent.map(([k, v]) => `| ${k} | ${v} |`),
    ...(c.counts.by_origin
      ? ["", "## Preference pairs by origin", "", "| origin | pairs |", "| --- | --- |", ...Object.entries(c.counts.by_origin).map(([k, v]) => `| ${k} | ${v} |`)]
      : []),
    ...(skipped.length ? ["", "## Skipped turns", "", "| reason | turns |", "| --- | --- |", ...skipped.map(([k, v]) => `| ${k} | ${v} |`)] : []),
    "",
    "## Sources",
    "",
    table([
      ["traces sha256", `\`${c.sources.traces_sha256}\``],
      ["trace schema version", c.trace_schema_version],
      ["router versions", c.sources.router_versions.join(", ") || "–"],
      ["policy versions", c.sources.policy_versions.join(", ") || "–"],
      ["models", c.sources.models.join(", ") || "–"],
      ["tool sets (sha256)", c.sources.tools_hashes.map((h) => `\`${h.slice(0, 12)}\``).join(", ") || "–"],
      ["system prompts (sha256)", c.sources.system_hashes.map((h) => `\`${h.slice(0, 12)}\``).join(", ") || "–"],
    ]),
    "",
  ].join("\n");
}
