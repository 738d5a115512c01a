/**
 * The policy layer's public API. The graph's policy node calls `evaluatePolicies(stage, facts)` (or an
 * engine it was given) and records `version` on the turn.
 */
import { fileURLToPath } from "node:url";
import { PolicyEngine, type Facts, type PolicyEvaluation } from "./engine.ts";
import type { PolicyStage } from "./schema.ts";

export { PolicyEngine, CompiledPolicies, PolicyLoadError, parsePackText, packFiles, checkEnvironment } from "./engine.ts";
export type { Facts, PolicyEvaluation, PolicyEffect, PolicyVersion, PackVersion, WatchOptions } from "./engine.ts";
export { PolicyPack, PolicyRule, PolicyStage, RuleAction } from "./schema.ts";
export { quoteTotal, QuoteError, type Quote, type QuoteInput } from "./quote.ts";
export { lintPolicies, type LintFinding } from "./lint.ts";
export { runPolicyExamples, type ExampleResult } from "./examples.ts";

/** Default pack location: AISLE_POLICY_DIR, else the packs shipped in the repo. */
export const DEFAULT_POLICY_DIR = process.env.AISLE_POLICY_DIR ?? fileURLToPath(new URL("./packs", import.meta.url));

let shared: PolicyEngine | undefined;

/**
 * The process-wide engine, loaded once. With `AISLE_POLICY_WATCH=1` (default outside tests) edits to
 * the pack files are picked up without a restart; a broken edit keeps the last good version.
 */
export function getPolicyEngine(): PolicyEngine {
  if (!shared) {
    shared = PolicyEngine.load(DEFAULT_POLICY_DIR);
    const watchDefault = process.env.VITEST ? "0" : "1";
    if ((process.env.AISLE_POLICY_WATCH ?? watchDefault) === "1") {
      shared.watch({
        onReload: (v) => process.stderr.write(`aisle: policies reloaded (${v.id})\n`),
        onError: (e) => process.stderr.write(`aisle: policy reload failed, keeping the last good version: ${e.message}\n`),
      });
    }
  }
  return shared;
}

export function evaluatePolicies(stage: PolicyStage, facts: Facts): PolicyEvaluation {
  return getPolicyEngine().evaluate(stage, facts);
}
