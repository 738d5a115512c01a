import { z } from "zod";
import { VerdictAction, type Verdict } from "./types.ts";

/**
 * On-fail actions are configurable per rail, category or rule: a key is a rule-id prefix
 * (`input`, `input.brand`, `output.pii.card`), the most specific key wins. Unset keys keep each
 * rule's default. Example: AISLE_GOVERNANCE_ACTIONS='{"input.brand":"allow","output.promise":"block"}'.
 */
export const GovernanceConfig = z.object({
  actions: z.record(z.string(), VerdictAction).default({}),
  /** Competitor names for the brand-safety rail (lower case). */
  competitors: z.array(z.string()).optional(),
  /** Accept a server-bound customer id (API key) as authentication for tool calls. */
  acceptApiKeyAuth: z.boolean().default(true),
});
export type GovernanceConfig = z.input<typeof GovernanceConfig>;
export type GovernanceConfigParsed = z.output<typeof GovernanceConfig>;

export function loadGovernanceConfig(env: NodeJS.ProcessEnv = process.env): GovernanceConfigParsed {
  const raw = env.AISLE_GOVERNANCE_ACTIONS;
  let actions: unknown = {};
  if (raw) {
    try {
      actions = JSON.parse(raw);
    } catch (e) {
      throw new Error(`AISLE_GOVERNANCE_ACTIONS is not valid JSON: ${(e as Error).message}`);
    }
  }
  const competitors = env.AISLE_COMPETITORS?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const parsed = GovernanceConfig.safeParse({ actions, competitors, acceptApiKeyAuth: env.AISLE_ACCEPT_API_KEY_AUTH !== "false" });
  if (!parsed.success) throw new Error(`governance configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Applies the configured on-fail action (most specific rule-id prefix wins). */
export function applyConfiguredAction(v: Verdict, actions: Record<string, VerdictAction> | undefined): Verdict {
  if (!actions) return v;
  let best: string | undefined;
  for (const key of Object.keys(actions)) {
    if ((v.rule_id === key || v.rule_id.startsWith(`${key}.`)) && (!best || key.length > best.length)) best = key;
  }
  return best ? { ...v, action: actions[best]! } : v;
}
