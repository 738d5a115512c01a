import { createHash } from "node:crypto";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Db } from "../db/executor.ts";
import type { AisleStateValue, VerdictRecord } from "../graphs/state.ts";
import { AGENT_FOCUS, BASE_INSTRUCTIONS } from "../nodes/agents/prompts.ts";
import { createRetailTools, parametersJsonSchema, TOOL_GROUPS } from "../tools/index.ts";
import { canonicalJson, nextMessageOffset, recordTurnTrace } from "./store.ts";
import type { AssistantMessage, GovernanceEvent, ToolSchema, TraceMessage, TurnTraceInput } from "./schema.ts";

/**
 * Builds a turn's trace from the graph state at the end of the turn (the audit node calls
 * `recordTurnFromState`). The trajectory is cleaned the way a training set needs it: a proposal
 * governance blocked or sent back for confirmation is taken out of the messages (with the tool
 * answer that refused it) and kept as the event's `original`, so supervised data shows what the
 * model should have done and preference data pairs it with what it proposed; a fixed call keeps the
 * arguments that actually ran.
 */

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));

const unconnected: Db = {
  query: () => Promise.reject(new Error("tool schemas only")),
  transaction: () => Promise.reject(new Error("tool schemas only")),
};
let schemas: Record<string, ToolSchema> | undefined;

/** The tools an agent binds, as the model saw them (name, description, JSON schema). */
export function agentToolSchemas(agent: string): ToolSchema[] {
  schemas ??= Object.fromEntries(
    Object.values(createRetailTools(unconnected)).map((t) => [
      t.name,
      { name: t.name, description: t.description, parameters: parametersJsonSchema(t.schema as never) },
    ]),
  );
  const names = (TOOL_GROUPS as Record<string, readonly string[]>)[agent] ?? [];
  return names.flatMap((n) => (schemas![n] ? [schemas![n]!] : []));
}

function toTraceMessage(m: BaseMessage): TraceMessage | undefined {
  if (HumanMessage.isInstance(m)) return { role: "user", content: textOf(m) };
  if (AIMessage.isInstance(m)) {
    return {
      role: "assistant",
      content: textOf(m),
      tool_calls: (m.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.name, args: (c.args ?? {}) as Record<string, unknown> })),
    };
  }
  if (ToolMessage.isInstance(m)) return { role: "tool", tool_call_id: m.tool_call_id, name: m.name ?? "tool", content: textOf(m) };
  return undefined;
}

/** Verdicts that take a proposal out of the trajectory (it never ran as proposed). */
const WITHDRAWN = new Set(["block", "confirm"]);

export function cleanTrajectory(raw: TraceMessage[], verdicts: VerdictRecord[]): { messages: TraceMessage[]; governance: GovernanceEvent[] } {
  const byCall = new Map(verdicts.filter((v) => v.tool_call_id).map((v) => [v.tool_call_id!, v]));
  const messages: TraceMessage[] = [];
  const governance: GovernanceEvent[] = [];
  const withdrawnCalls = new Set<string>();
  for (const m of raw) {
    if (m.role === "tool" && withdrawnCalls.has(m.tool_call_id)) continue;
    if (m.role !== "assistant" || m.tool_calls.length === 0) {
      messages.push(m);
      continue;
    }
    const kept: AssistantMessage["tool_calls"] = [];
    const original: AssistantMessage = { role: "assistant", content: m.content, tool_calls: m.tool_calls };
    for (const c of m.tool_calls) {
      const v = byCall.get(c.id);
      if (v && WITHDRAWN.has(v.verdict) && !v.decision) {
        withdrawnCalls.add(c.id);
        governance.push({ stage: "tool_call", verdict: v.verdict, rule: v.rule, reason: v.reason, tool: v.tool, tool_call_id: c.id, at: messages.length, original });
      } else if (v?.verdict === "fix" && v.fixed_args) {
        kept.push({ ...c, args: v.fixed_args });
        governance.push({ stage: "tool_call", verdict: "fix", rule: v.rule, reason: v.reason, tool: v.tool, tool_call_id: c.id, at: messages.length, original });
      } else {
        kept.push(c);
        if (v && v.verdict !== "allow") governance.push({ stage: "tool_call", verdict: v.verdict, rule: v.rule, reason: v.reason, tool: v.tool, tool_call_id: c.id, decision: v.decision });
      }
    }
    // A proposal whose every call was withdrawn goes entirely (governance's own message follows).
    if (kept.length) messages.push({ ...m, tool_calls: kept });
  }
  // Reply rails: the original reply is kept in the verdict's args when governance rewrote it.
  for (const v of verdicts) {
    if (v.stage === "tool_call") continue;
    const text = typeof v.args?.text === "string" ? v.args.text : undefined;
    let at = -1;
    messages.forEach((m, i) => {
      if (m.role === "assistant" && m.tool_calls.length === 0) at = i;
    });
    const event: GovernanceEvent = { stage: v.stage, verdict: v.verdict, rule: v.rule, reason: v.reason };
    if (text !== undefined && at >= 0 && (v.verdict === "fix" || v.verdict === "block")) Object.assign(event, { at, original: { role: "assistant", content: text, tool_calls: [] } });
    governance.push(event);
  }
  return { messages, governance };
}

export interface TurnMeta {
  thread_id: string;
  run_id?: string;
  checkpoint_id?: string;
  /** Index of the turn's first message in `state.messages` (see `nextMessageOffset`). */
  message_offset: number;
  ended_at?: Date;
}

export function traceFromState(state: AisleStateValue, meta: TurnMeta): TurnTraceInput | undefined {
  // A thread rewritten under us (forked, trimmed) restarts the slice at the turn's user message.
  let offset = meta.message_offset;
  if (offset > state.messages.length) {
    offset = 0;
    state.messages.forEach((m, i) => {
      if (HumanMessage.isInstance(m)) offset = i;
    });
  }
  const raw = state.messages.slice(offset).flatMap((m) => toTraceMessage(m) ?? []);
  const { messages, governance } = cleanTrajectory(raw, state.verdicts.filter((v) => v.turn === state.turn));
  if (!messages.length) return undefined;
  const timings = state.timings.filter((t) => t.turn === state.turn);
  const total = timings.reduce((s, t) => s + t.ms, 0);
  const ended = meta.ended_at ?? new Date();
  const agent = state.route?.agent ?? "info";
  const tier = state.route?.tier_used ?? state.route?.tier;
  const { fetched, ...context } = state.context;
  return {
    thread_id: meta.thread_id,
    run_id: meta.run_id,
    checkpoint_id: meta.checkpoint_id,
    message_offset: offset,
    message_end: state.messages.length,
    started_at: new Date(ended.getTime() - total),
    ended_at: ended,
    caller: state.caller ?? { role: "customer" },
    customer_id: state.authenticated?.user_id,
    system: `${BASE_INSTRUCTIONS}\n\n${AGENT_FOCUS[agent] ?? ""}`.trim(),
    tools: agentToolSchemas(agent),
    messages,
    route: state.route
      ? { intent: state.route.intent, confidence: state.route.confidence, agent: state.route.agent, tier: state.route.tier, tier_used: state.route.tier_used, router_version: state.route.router_version }
      : undefined,
    context: { digest: `sha256:${createHash("sha256").update(canonicalJson(context)).digest("hex")}`, sources: Object.keys(fetched ?? {}) },
    policy: state.policy_outcome
      ? { version: state.policy_outcome.version, effects: state.policy_outcome.effects.map((e) => ({ rule: e.rule, effect: e.effect, value: e.value })), failed_closed: state.policy_outcome.failed_closed }
      : undefined,
    governance,
    timings: timings.map((t) => ({ node: t.node, ms: t.ms, outcome: t.outcome })),
    usage: {
      tokens_in: timings.reduce((s, t) => s + t.tokens_in, 0),
      tokens_out: timings.reduce((s, t) => s + t.tokens_out, 0),
      cost_usd: timings.reduce((s, t) => s + t.cost_usd, 0),
    },
    model: tier === "llm" ? (process.env.AISLE_LLM_MODEL ?? "llm") : "aisle-local",
    outcome: state.handoff?.turn === state.turn ? "handoff" : timings.some((t) => t.outcome === "error") ? "error" : "completed",
  };
}

export const reportTraceError = (err: Error) => void process.stderr.write(`aisle: could not record the turn's trace: ${err.message}\n`);

/**
 * Records the turn that just ended. Tracing must never fail a customer's turn, so errors are
 * reported through `onError` (default: stderr) and swallowed. AISLE_TRACES=off disables it.
 */
export async function recordTurnFromState(
  db: Db,
  state: AisleStateValue,
  meta: Omit<TurnMeta, "message_offset">,
  onError: (err: Error) => void = reportTraceError,
): Promise<void> {
  if (process.env.AISLE_TRACES === "off") return;
  try {
    const trace = traceFromState(state, { ...meta, message_offset: await nextMessageOffset(db, meta.thread_id) });
    if (trace) await recordTurnTrace(db, trace);
  } catch (err) {
    onError(err as Error);
  }
}
