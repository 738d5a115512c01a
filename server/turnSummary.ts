/**
 * Reads what a client and the metrics need from a turn's final state (plain JSON values): the reply,
 * routed intent and tier, governance verdicts, token use and cost. Field names follow the graph's
 * state (graphs/state.ts); the lookups are tolerant so the transport never fails on a state shape.
 */
export interface TurnSummary {
  reply: string;
  intent: string | null;
  tier: string | null;
  verdicts: Array<Record<string, unknown>>;
  interrupted: boolean;
  tokens: { input: number; output: number } | null;
  costUsd: number | null;
  nodeTimings: Record<string, number>;
  toolErrors: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (isObj(p) && typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

export function lastAssistantReply(values: Obj): string {
  const reply = values.reply;
  if (typeof reply === "string" && reply) return reply;
  if (isObj(reply) && typeof reply.text === "string") return reply.text;
  const messages = Array.isArray(values.messages) ? values.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObj(m)) continue;
    if (m.type === "human" || m.role === "user") break; // only this turn's reply
    if ((m.type === "ai" || m.role === "assistant") && textOf(m.content)) return textOf(m.content);
  }
  return "";
}

export function summarizeTurn(values: Obj | null | undefined, interrupted: boolean): TurnSummary {
  const v = values ?? {};
  const route = isObj(v.route) ? v.route : {};
  const verdicts = (Array.isArray(v.verdicts) ? v.verdicts : []).filter(isObj);
  // Per-node records of this turn (graphs/monitoring.ts): latency, tokens, cost.
  const timings = (Array.isArray(v.timings) ? v.timings : []).filter(isObj);
  const nodeTimings: Record<string, number> = {};
  let tokensIn = 0;
  let tokensOut = 0;
  let cost = 0;
  for (const t of timings) {
    const node = str(t.node);
    if (node && num(t.ms) !== null) nodeTimings[node] = (nodeTimings[node] ?? 0) + (t.ms as number);
    tokensIn += num(t.tokens_in) ?? 0;
    tokensOut += num(t.tokens_out) ?? 0;
    cost += num(t.cost_usd) ?? 0;
  }
  // Tool results of this turn that report an error (τ-bench tools answer "Error: …" instead of throwing).
  const toolErrors: string[] = [];
  const messages = Array.isArray(v.messages) ? v.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObj(m) || m.type === "human") break;
    if (m.type === "tool" && (m.status === "error" || textOf(m.content).startsWith("Error"))) toolErrors.push(str(m.name) ?? "unknown");
  }
  return {
    reply: lastAssistantReply(v),
    intent: str(route.intent) ?? str(v.intent),
    tier: str(route.tier_used) ?? str(route.tier) ?? str(v.tier),
    verdicts,
    interrupted,
    tokens: timings.length ? { input: tokensIn, output: tokensOut } : null,
    costUsd: timings.length ? cost : null,
    nodeTimings,
    toolErrors,
  };
}
