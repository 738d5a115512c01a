/** Loads the labelled governance cases and runs one through the rail it targets. */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { checkToolCall, runInputRails, runOutputRails, sanitizeToolResult, type VerdictAction } from "../../governance/index.ts";
import type { PolicyEngine } from "../../policies/index.ts";

export const CATEGORIES = [
  "prompt_injection",
  "pii_leak",
  "unauthorized_discount",
  "unauthorized_refund",
  "data_exfiltration",
  "brand_safety",
  "off_policy_promise",
  "harmful",
  "benign",
] as const;

export const GovernanceCase = z.strictObject({
  id: z.string(),
  category: z.enum(CATEGORIES),
  stage: z.enum(["input", "tool_data", "tool_call", "output"]),
  role: z.enum(["customer", "associate", "manager"]).optional(),
  text: z.string().optional(),
  tool: z.string().optional(),
  fixture: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  confirmed: z.boolean().optional(),
  call: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) }).optional(),
  expect: z.array(z.enum(["allow", "redact", "fix", "block", "escalate"])).min(1),
});
export type GovernanceCase = z.infer<typeof GovernanceCase>;

const here = (f: string) => new URL(f, import.meta.url);

export function loadCases(file: "dev.jsonl" | "holdout.jsonl"): GovernanceCase[] {
  return readFileSync(here(file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = GovernanceCase.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(r.error)}`);
      return r.data;
    });
}

const fixtures = JSON.parse(readFileSync(here("fixtures.json"), "utf8")) as Record<string, Record<string, unknown>>;

export interface CaseOutcome {
  action: VerdictAction;
  rules: string[];
}

export function runCase(c: GovernanceCase, engine: PolicyEngine): CaseOutcome {
  const base = c.fixture ? structuredClone(fixtures[c.fixture]) : {};
  if (c.fixture && !base) throw new Error(`${c.id}: unknown fixture ${c.fixture}`);
  const ctx = { ...base, ...(c.context ?? {}) } as Record<string, unknown>;
  switch (c.stage) {
    case "input": {
      const r = runInputRails(c.text ?? "", { role: c.role });
      return { action: r.action, rules: r.verdicts.map((v) => v.rule_id) };
    }
    case "tool_data": {
      const r = sanitizeToolResult(c.tool ?? "tool", c.text ?? "");
      return { action: r.verdicts[0]?.action ?? "allow", rules: r.verdicts.map((v) => v.rule_id) };
    }
    case "output": {
      const r = runOutputRails(c.text ?? "", ctx);
      return { action: r.action, rules: r.verdicts.map((v) => v.rule_id) };
    }
    case "tool_call": {
      if (!c.call) throw new Error(`${c.id}: tool_call case needs call`);
      if (c.confirmed) Object.assign(ctx, { last_proposal: c.call, user_confirmed: true });
      const r = checkToolCall(c.call, ctx as never, { policies: (s, f) => engine.evaluate(s, f) });
      return { action: r.action, rules: r.verdicts.map((v) => v.rule_id) };
    }
  }
}
