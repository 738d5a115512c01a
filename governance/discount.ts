/**
 * A discount the assistant grants in its reply ("I can apply 30% off") is an action like a tool
 * call: it goes through the policy pack's `tool_call` rules before the reply leaves. The output
 * rail then treats any discount beyond what this granted as an ungranted promise.
 */
import type { Facts } from "../policies/engine.ts";
import type { PolicyEvaluator } from "./toolCall.ts";

// A discount the assistant itself grants ("I can apply a 30% discount", "giving you 20% off"), not
// a promotion it lists ("SAVE10: 10% off").
const DISCOUNT = /\b(?:apply|applying|applied|offer|offering|give|giving|grant|granting|take)\b[^.\n]{0,40}?(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)()/i;

export interface DiscountCheck {
  /** The reply to continue with: unchanged, capped, or replaced by a refusal. */
  text: string;
  /** The percent the reply grants, when policy allowed it as written. */
  pct?: number;
  /** Absent when the reply grants no discount. */
  verdict?: { verdict: "allow" | "fix" | "block"; rule: string; reason: string; fixed_args?: { percent: number } };
}

/**
 * Capped (fix) to what the caller may grant, refused for callers who may not grant any, and
 * refused outright when no policy engine is loaded (fail closed). `facts` are the turn's policy
 * facts (caller, customer …); the discount is added as `action`.
 */
export function vetDiscount(text: string, facts: Facts, policies: PolicyEvaluator | undefined): DiscountCheck {
  const m = text.match(DISCOUNT);
  if (!m) return { text };
  const pct = Number(m[1] ?? m[2]);
  const refuse = (rule: string, reason: string, message: string): DiscountCheck => ({
    text: message,
    verdict: { verdict: "block", rule, reason },
  });
  if (!policies) return refuse("policy.engine.unavailable", "no policy engine to check the discount", "I can't offer a discount right now.");
  const r = policies("tool_call", { ...facts, action: { kind: "discount", tool: "reply", discount_pct: pct } });
  const blocked = r.verdicts.find((v) => v.action === "block" || v.action === "escalate");
  if (blocked) return refuse(blocked.rule_id, blocked.reason, blocked.user_message ?? "I'm not able to offer that discount.");
  const fixed = r.verdicts.find((v) => v.action === "fix");
  const capped = Number((fixed?.fixed as { percent?: unknown } | undefined)?.percent ?? r.fixes.percent);
  if (fixed && Number.isFinite(capped) && capped < pct) {
    const rewritten = text.replace(DISCOUNT, (whole) => whole.replace(String(m[1] ?? m[2]), String(capped)));
    return {
      text: `${rewritten} ${fixed.user_message ?? `That's the most policy allows (you asked for ${pct}%).`}`,
      verdict: { verdict: "fix", rule: fixed.rule_id, reason: `discount ${pct}% capped at ${capped}%`, fixed_args: { percent: capped } },
    };
  }
  return { text, pct, verdict: { verdict: "allow", rule: "policy.discount.within_cap", reason: `${pct}% within policy` } };
}
