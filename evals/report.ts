import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Where eval files leave their scored cases for `npm run evals` (evals/summary.ts) to tabulate.
 * One JSON file per suite: `{suite, cases: [{id, passed, detail?}]}`.
 */
export const EVAL_RESULTS_DIR = process.env.AISLE_EVAL_RESULTS_DIR ?? join(process.cwd(), "test-results", "evals");

export interface EvalCaseResult {
  id: string;
  passed: boolean;
  detail?: string;
}

export function writeEvalResults(suite: string, cases: EvalCaseResult[], metrics: Record<string, number> = {}): void {
  mkdirSync(EVAL_RESULTS_DIR, { recursive: true });
  writeFileSync(join(EVAL_RESULTS_DIR, `${suite}.json`), `${JSON.stringify({ suite, metrics, cases }, null, 2)}\n`);
}

export function readEvalResults(): { suite: string; metrics: Record<string, number>; cases: EvalCaseResult[] }[] {
  if (!existsSync(EVAL_RESULTS_DIR)) return [];
  return readdirSync(EVAL_RESULTS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(EVAL_RESULTS_DIR, f), "utf8")));
}
