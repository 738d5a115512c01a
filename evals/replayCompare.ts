import { readFileSync } from "node:fs";
import { z } from "zod";
import { canonicalHash } from "./canonical.ts";
import type { ReplayedTask } from "./replay.ts";

/** τ-bench reference outcomes: `{"<task id>": {"changed": {key: sha256}, "action_outputs": [...]}}`. */
export const ExpectedOutcomes = z.record(
  z.string(),
  z.object({ changed: z.record(z.string(), z.string()), action_outputs: z.array(z.string()) }),
);
export type ExpectedOutcomes = z.infer<typeof ExpectedOutcomes>;

export function loadExpected(file: string): ExpectedOutcomes {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read expected outcomes from ${file}: ${(err as Error).message}`);
  }
  const parsed = ExpectedOutcomes.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a τ-bench expected-outcomes file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Same JSON value (objects compared key by key, order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  if (typeof a === "object" && a !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && sameJson((a as never)[k], (b as never)[k]));
  }
  return a === b;
}

/** One action output against the reference: JSON outputs structurally, everything else exactly. */
export function sameOutput(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  let x: unknown;
  let y: unknown;
  try {
    x = JSON.parse(actual);
    y = JSON.parse(expected);
  } catch {
    return false;
  }
  return typeof y === "object" && y !== null && sameJson(x, y);
}

/** Why a replayed task differs from its reference outcome (empty when it matches). */
export function compareTask(task: ReplayedTask, expected: ExpectedOutcomes[string] | undefined): string[] {
  if (!expected) return [`task ${task.id}: no reference outcome`];
  const problems: string[] = [];
  if (task.outputs.length !== expected.action_outputs.length) {
    problems.push(`task ${task.id}: ${task.outputs.length} outputs, expected ${expected.action_outputs.length}`);
  }
  task.outputs.forEach((out, i) => {
    const want = expected.action_outputs[i];
    if (want !== undefined && !sameOutput(out, want)) {
      problems.push(`task ${task.id} action ${i}: got ${out.slice(0, 160)} — expected ${want.slice(0, 160)}`);
    }
  });
  const got = Object.fromEntries(Object.entries(task.changed).map(([k, v]) => [k, canonicalHash(v)]));
  for (const key of new Set([...Object.keys(got), ...Object.keys(expected.changed)])) {
    if (!(key in expected.changed)) problems.push(`task ${task.id}: ${key} changed, but should not`);
    else if (!(key in got)) problems.push(`task ${task.id}: ${key} should have changed`);
    else if (got[key] !== expected.changed[key]) problems.push(`task ${task.id}: ${key} differs from the reference`);
  }
  return problems;
}
