/**
 * `npm run evals` — runs every eval under evals/ (vitest, with langsmith/vitest: results go to
 * LangSmith when LANGSMITH_API_KEY is set, stay local otherwise) and prints one summary table.
 * `--json FILE` also writes the summary as JSON for CI. Exit code: vitest's (non-zero when an eval
 * falls below its floor).
 *
 *   npm run evals
 *   npm run evals -- --json test-results/evals-summary.json
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { EVAL_RESULTS_DIR, readEvalResults } from "./report.ts";

const { values } = parseArgs({ options: { json: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  process.stdout.write("Usage: npm run evals [-- --json FILE]\nRuns evals/**/*.eval.ts and prints one summary table (suite, cases, passed, pass rate).\n");
  process.exit(0);
}

rmSync(EVAL_RESULTS_DIR, { recursive: true, force: true });
// vitest.config.ts's JSON reporter writes here (the same report .ci/run reads for npm test).
const vitestJson = join(process.cwd(), "test-results", "vitest.json");
mkdirSync(dirname(vitestJson), { recursive: true });
rmSync(vitestJson, { force: true });

// vitest's own progress goes to stderr, so stdout carries only the table.
const code: number = await new Promise((resolve) => {
  const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "evals/"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  child.stdout.pipe(process.stderr);
  child.on("close", (c) => resolve(c ?? 1));
});

interface Row {
  suite: string;
  cases: number;
  passed: number;
  failed: number;
  pass_rate: number;
  failures: string[];
}
const rows: Row[] = [];
for (const r of readEvalResults()) {
  const failed = r.cases.filter((c) => !c.passed);
  rows.push({
    suite: r.suite,
    cases: r.cases.length,
    passed: r.cases.length - failed.length,
    failed: failed.length,
    pass_rate: r.cases.length ? (r.cases.length - failed.length) / r.cases.length : NaN,
    failures: failed.map((c) => `${c.id}${c.detail ? `: ${c.detail}` : ""}`),
  });
}
// Eval files that do not report cases themselves: count their vitest tests.
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8")) as { testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[] };
  for (const file of report.testResults) {
    const suite = relative(process.cwd(), file.name).replace(/^evals\//, "").replace(/\.eval\.ts$/, "").replace(/\//g, ":");
    if (rows.some((r) => suite.endsWith(r.suite) || suite.includes(`${r.suite}:`))) continue;
    const done = file.assertionResults.filter((a) => a.status === "passed" || a.status === "failed");
    const failed = done.filter((a) => a.status === "failed");
    rows.push({ suite, cases: done.length, passed: done.length - failed.length, failed: failed.length, pass_rate: done.length ? (done.length - failed.length) / done.length : NaN, failures: failed.map((a) => a.fullName) });
  }
}

const pct = (x: number) => (Number.isNaN(x) ? "—" : `${(x * 100).toFixed(1)}%`);
const header = ["suite", "cases", "passed", "failed", "pass rate"];
const table = rows.map((r) => [r.suite, String(r.cases), String(r.passed), String(r.failed), pct(r.pass_rate)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...table.map(line)];
for (const r of rows) for (const f of r.failures) out.push(`  ✗ ${r.suite} ${f}`);
out.push(code === 0 ? "evals: all floors held" : `evals: FAILED (vitest exit code ${code})`);
process.stdout.write(`${out.join("\n")}\n`);

if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify({ ok: code === 0, suites: rows }, null, 2)}\n`);
}
process.exitCode = code;
