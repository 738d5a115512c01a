import { z } from "zod";

/** Where in a turn a rule applies; the graph calls `evaluate(stage, facts)` once per stage. */
export const PolicyStage = z.enum(["input", "tool_call", "output", "pricing", "promotions", "shipping"]);
export type PolicyStage = z.infer<typeof PolicyStage>;

/** `effect` grants or computes something (free shipping, a tax line); the rest are verdicts. */
export const RuleAction = z.enum(["allow", "redact", "fix", "block", "escalate", "effect"]);
export type RuleAction = z.infer<typeof RuleAction>;

const Example = z.strictObject({
  name: z.string().optional(),
  facts: z.record(z.string(), z.unknown()),
  /** Whether the rule's condition holds for these facts. */
  fires: z.boolean(),
  /** Expected computed values (`set`/`fix` outputs), compared to 2 decimal places. */
  values: z.record(z.string(), z.unknown()).optional(),
});
export type RuleExample = z.infer<typeof Example>;

/** CEL expressions are strings; `set` and `fix` map an output name to an expression. */
export const PolicyRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9_.-]+$/, "rule ids are lower-case dotted names"),
  description: z.string().min(1),
  severity: z.enum(["info", "low", "medium", "high", "critical"]),
  stage: PolicyStage,
  /** CEL boolean: the rule fires when true. */
  when: z.string().min(1),
  action: RuleAction,
  /** Effect name for `effect` rules (e.g. free_expedited_shipping). */
  effect: z.string().optional(),
  /** Computed values attached to the effect or verdict: name → CEL expression. */
  set: z.record(z.string(), z.string()).optional(),
  /** For `fix`: tool-call argument name → CEL expression giving the corrected value. */
  fix: z.record(z.string(), z.string()).optional(),
  /** Customer-facing text for block/fix/escalate. */
  message: z.string().optional(),
  enabled: z.boolean().default(true),
  examples: z.array(Example).min(1, "every rule needs at least one example"),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

/** CEL type names for declared facts: a string like "double", or a nested object of them. */
export type FactSchema = { [key: string]: string | FactSchema };
const FactSchemaZ: z.ZodType<FactSchema> = z.lazy(() => z.record(z.string(), z.union([z.string(), FactSchemaZ])));

export const PolicyPack = z.strictObject({
  pack: z.string().regex(/^[a-z0-9_-]+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/, "version must be semver (e.g. 1.2.0)"),
  description: z.string().optional(),
  /** Declared fact variables and their CEL types: the contract between the graph and the rules. */
  facts: z.record(z.string(), z.union([z.string(), FactSchemaZ])),
  /** Constants available to every rule as `params` (tax rates, caps, thresholds). */
  params: z.record(z.string(), z.unknown()).default({}),
  rules: z.array(PolicyRule),
});
export type PolicyPack = z.infer<typeof PolicyPack>;
