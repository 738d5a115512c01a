import { isGraphInterrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { AisleStateValue, AisleUpdate, NodeTiming, Tier } from "./state.ts";
import { ensureConfiguration } from "./configuration.ts";

/**
 * What the monitoring wrapper reports after every node run. The server turns these into
 * Prometheus metrics (node latency histogram, token and cost counters by tier/intent, verdict
 * counters); tests and `aisle chat --verbose` read the same data from `state.timings`.
 */
export interface NodeEndEvent {
  thread_id?: string;
  turn: number;
  node: string;
  /** Wall time of the node in milliseconds (includes its tool/database I/O). */
  ms: number;
  /** "ok", "error", or "interrupted" (the node paused the run for a manager). */
  outcome: "ok" | "error" | "interrupted";
  intent?: string;
  agent?: string;
  /** Tier of the model that ran in this node (agent nodes only). */
  tier?: Tier;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Governance verdicts decided in this node (`verdict:rule`), e.g. ["block:order_ownership"]. */
  verdicts: string[];
  error?: string;
}

/** Dollar price per 1k tokens of a tier (models/llm reads OPENAI_PRICE_*; local is free). */
export type PriceFn = (tier: Tier) => { input: number; output: number };

type NodeFn = (state: AisleStateValue, config: LangGraphRunnableConfig) => Promise<AisleUpdate>;

function usageOf(messages: unknown): { tokensIn: number; tokensOut: number; tier?: Tier } {
  let tokensIn = 0;
  let tokensOut = 0;
  let tier: Tier | undefined;
  const list = Array.isArray(messages) ? (messages as BaseMessage[]) : [];
  for (const m of list) {
    if (!AIMessage.isInstance(m)) continue;
    tokensIn += m.usage_metadata?.input_tokens ?? 0;
    tokensOut += m.usage_metadata?.output_tokens ?? 0;
    const t = (m.response_metadata as { aisle_tier?: Tier } | undefined)?.aisle_tier;
    if (t) tier = t;
  }
  return { tokensIn, tokensOut, tier };
}

/**
 * Wraps a node so that its latency, tokens, cost and outcome are recorded into `state.timings`
 * and reported to `config.configurable.onNodeEnd` — monitoring without a node of its own, so it
 * adds no step (and no checkpoint) to the turn.
 */
export function monitored(name: string, fn: NodeFn, price: PriceFn): NodeFn {
  return async (state, config) => {
    const started = performance.now();
    const cfg = ensureConfiguration(config);
    const turn = state.turn ?? 0;
    const report = (event: NodeEndEvent) => {
      try {
        cfg.onNodeEnd?.(event);
      } catch {
        // A broken metrics hook must never fail a customer's turn.
      }
    };
    const base = {
      thread_id: cfg.thread_id,
      node: name,
      intent: state.route?.intent,
      agent: state.route?.agent,
    };
    let update: AisleUpdate;
    try {
      update = await fn(state, config);
    } catch (err) {
      const ms = performance.now() - started;
      const interrupted = isGraphInterrupt(err);
      report({
        ...base,
        turn,
        ms,
        outcome: interrupted ? "interrupted" : "error",
        tokens_in: 0,
        tokens_out: 0,
        cost_usd: 0,
        verdicts: [],
        error: interrupted ? undefined : (err as Error).message,
      });
      throw err;
    }
    const ms = performance.now() - started;
    const usage = usageOf(update.messages);
    const p = usage.tier ? price(usage.tier) : { input: 0, output: 0 };
    const cost = (usage.tokensIn / 1000) * p.input + (usage.tokensOut / 1000) * p.output;
    const newTurn = typeof update.turn === "number" ? update.turn : turn;
    const verdicts = Array.isArray(update.verdicts) ? update.verdicts.map((v) => `${v.verdict}:${v.rule}`) : [];
    const timing: NodeTiming = {
      turn: newTurn,
      node: name,
      ms: Math.round(ms * 100) / 100,
      outcome: "ok",
      tokens_in: usage.tokensIn,
      tokens_out: usage.tokensOut,
      cost_usd: cost,
      tier: usage.tier,
    };
    report({
      ...base,
      intent: update.route?.intent ?? base.intent,
      agent: update.route?.agent ?? base.agent,
      turn: newTurn,
      ms,
      outcome: "ok",
      tier: usage.tier,
      tokens_in: usage.tokensIn,
      tokens_out: usage.tokensOut,
      cost_usd: cost,
      verdicts,
    });
    const timings = Array.isArray(update.timings) ? [...update.timings, timing] : [timing];
    return { ...update, timings };
  };
}
