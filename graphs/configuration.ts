import { z } from "zod";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { Caller, Tier } from "./state.ts";
import type { NodeEndEvent } from "./monitoring.ts";

const envNumber = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isFinite(n) ? n : fallback;
};

/**
 * Per-run configuration (`config.configurable`). The server sets `caller` from the API key; the
 * rest have defaults from the environment so operators tune them without code changes.
 */
export const TurnConfiguration = z.object({
  thread_id: z.string().optional(),
  /** Who is calling. Absent means an anonymous customer (e.g. `aisle chat` without --as). */
  caller: Caller.default({ role: "customer" }),
  /**
   * Refunds (returns) above this amount in dollars wait for a manager (interrupt). Env
   * AISLE_REFUND_APPROVAL_ABOVE, default 500: above the typical basket, so only unusual refunds
   * reach a person.
   */
  refund_approval_above: z.number().nonnegative().default(() => envNumber("AISLE_REFUND_APPROVAL_ABOVE", 500)),
  /** Model calls per agent per turn before the graph answers with what it has (AISLE_MAX_AGENT_STEPS, 8). */
  max_agent_steps: z.number().int().positive().default(() => envNumber("AISLE_MAX_AGENT_STEPS", 8)),
  /** Blocked tool calls per turn before governance stops the loop (AISLE_MAX_BLOCKED, 2). */
  max_blocked: z.number().int().nonnegative().default(() => envNumber("AISLE_MAX_BLOCKED", 2)),
  /** Force a tier for every turn (tests, benchmarks); otherwise the router decides. */
  force_tier: Tier.optional(),
});
export type TurnConfiguration = z.infer<typeof TurnConfiguration> & {
  /** Monitoring hook called after every node (see graphs/monitoring.ts for the event shape). */
  onNodeEnd?: (event: NodeEndEvent) => void;
};

/** Reads and validates `config.configurable`, filling defaults. Unknown keys are ignored. */
export function ensureConfiguration(config?: LangGraphRunnableConfig): TurnConfiguration {
  const c = (config?.configurable ?? {}) as Record<string, unknown>;
  const parsed = TurnConfiguration.parse({
    thread_id: typeof c.thread_id === "string" ? c.thread_id : undefined,
    caller: c.caller ?? undefined,
    refund_approval_above: c.refund_approval_above,
    max_agent_steps: c.max_agent_steps,
    max_blocked: c.max_blocked,
    force_tier: c.force_tier,
  });
  const hook = c.onNodeEnd;
  return { ...parsed, onNodeEnd: typeof hook === "function" ? (hook as TurnConfiguration["onNodeEnd"]) : undefined };
}

/**
 * How often the graph persists checkpoints (AISLE_DURABILITY, default "sync"):
 * - "sync": each super-step's checkpoint is written before the next step starts, so once a
 *   consequential tool has written to the database, the state that records it (its ToolMessage, the
 *   cleared pending action) is durable before the agent moves on; a crash resumes after the write
 *   instead of repeating it. Costs one awaited checkpoint write per step (≈ 27 commits a turn).
 * - "exit": one checkpoint when the turn ends (or is interrupted); a crash re-runs the turn from
 *   its input. ≈ 9 commits a turn.
 * - "adaptive": "sync" for a turn that could carry out a consequential action, "exit" for every
 *   other turn (graphs/durability.ts decides from the input before the turn runs). About 1.6×
 *   the turns per second of "sync" (docs/BENCHMARKS.md), but a non-acting turn then has one
 *   checkpoint, so time travel steps through it as a whole (Studio runs always ask for "sync").
 * - "async": the library's background writes (no ordering guarantee against tool writes).
 * A run's own `durability` option overrides all of them.
 */
export type DurabilitySetting = "adaptive" | "sync" | "async" | "exit";
export const DURABILITY_SETTING: DurabilitySetting =
  (["adaptive", "sync", "async", "exit"] as const).find((d) => d === process.env.AISLE_DURABILITY) ?? "sync";
/** The fixed mode for callers that do not decide per turn: "sync" when the setting is adaptive. */
export const DURABILITY: "sync" | "async" | "exit" = DURABILITY_SETTING === "adaptive" ? "sync" : DURABILITY_SETTING;
