/** Runs every rule's embedded examples: the pack's own executable documentation. */
import { Environment } from "@marcbachmann/cel-js";
import type { CompiledPolicies } from "./engine.ts";

export interface ExampleResult {
  rule_id: string;
  example: string;
  ok: boolean;
  message?: string;
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) < 0.005;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function runPolicyExamples(policies: CompiledPolicies): ExampleResult[] {
  const env = new Environment({ unlistedVariablesAreDyn: true })
    .registerFunction("least(double, double): double", (a: number, b: number) => Math.min(a, b))
    .registerFunction("greatest(double, double): double", (a: number, b: number) => Math.max(a, b))
    .registerFunction("round2(double): double", (a: number) => Math.round(a * 100) / 100);
  const out: ExampleResult[] = [];
  for (const rule of policies.rules) {
    rule.examples.forEach((ex, i) => {
      const name = ex.name ?? `#${i + 1}`;
      const ctx = policies.activation(ex.facts);
      try {
        const fired = env.evaluate(rule.when, ctx);
        if (fired !== ex.fires) {
          out.push({ rule_id: rule.id, example: name, ok: false, message: `expected fires=${ex.fires}, got ${String(fired)}` });
          return;
        }
        for (const [k, want] of Object.entries(ex.values ?? {})) {
          const expr = rule.set?.[k] ?? rule.fix?.[k];
          if (!expr) {
            out.push({ rule_id: rule.id, example: name, ok: false, message: `value "${k}" is not computed by the rule` });
            return;
          }
          let got = env.evaluate(expr, ctx);
          if (typeof got === "bigint") got = Number(got);
          if (!close(got, want)) {
            out.push({ rule_id: rule.id, example: name, ok: false, message: `${k}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}` });
            return;
          }
        }
        out.push({ rule_id: rule.id, example: name, ok: true });
      } catch (e) {
        out.push({ rule_id: rule.id, example: name, ok: false, message: `evaluation error: ${(e as Error).message.split("\n")[0]}` });
      }
    });
  }
  return out;
}
