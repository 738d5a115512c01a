import type { AssistantMessage, StoredTurnTrace, ToolSchema, TraceMessage } from "../schema.ts";

/**
 * Pure converters from recorded turns to the fine-tuning formats ML teams load directly:
 * OpenAI chat fine-tuning (SFT and DPO), Hugging Face TRL (conversational SFT and preference) and
 * LLaMA-Factory's ShareGPT variant. Each returns the line object, or a reason why the turn cannot
 * be expressed in that format (the exporter counts reasons in the dataset card).
 */

export const EXPORT_FORMATS = ["openai", "openai-dpo", "trl", "trl-dpo", "sharegpt", "sharegpt-dpo"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const isPreferenceFormat = (f: ExportFormat) => f.endsWith("-dpo");

/** One supervised example: earlier turns of the thread as context, then the turn to learn from. */
export interface SftSource {
  system?: string;
  tools: ToolSchema[];
  /** Messages of the thread's earlier turns (context; not trained on where the format allows). */
  history: TraceMessage[];
  /** The turn's own messages (trained on). */
  messages: TraceMessage[];
}

/** One preference pair: a shared prompt and two alternative next assistant messages. */
export interface PreferenceSource {
  system?: string;
  tools: ToolSchema[];
  prompt: TraceMessage[];
  chosen: AssistantMessage;
  rejected: AssistantMessage;
  /** What produced the pair (governance rule id, or "feedback"). */
  origin: string;
}

export type Converted<T> = { ok: true; line: T } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Preference pairs from a turn
// ---------------------------------------------------------------------------------------------

const sameAssistant = (a: AssistantMessage, b: AssistantMessage) =>
  a.content === b.content && JSON.stringify(a.tool_calls.map((c) => [c.name, c.args])) === JSON.stringify(b.tool_calls.map((c) => [c.name, c.args]));

/**
 * Pairs where governance fixed or blocked a proposal (rejected = the original proposal, chosen =
 * what replaced it) and where a reviewer wrote a better final reply (rejected = the reply given).
 */
export function preferencePairs(turn: StoredTurnTrace, history: TraceMessage[], correctedReplies: string[] = []): PreferenceSource[] {
  const pairs: PreferenceSource[] = [];
  const base = { system: turn.system, tools: turn.tools };
  for (const g of turn.governance) {
    if ((g.verdict !== "fix" && g.verdict !== "block" && g.verdict !== "confirm") || !g.original || g.at === undefined) continue;
    const at = turn.messages[g.at];
    const chosen = g.corrected ?? (at?.role === "assistant" ? at : undefined);
    if (!chosen || sameAssistant(chosen, g.original)) continue;
    pairs.push({ ...base, prompt: [...history, ...turn.messages.slice(0, g.at)], chosen, rejected: g.original, origin: `${g.verdict}:${g.rule}` });
  }
  if (correctedReplies.length) {
    let last = -1;
    turn.messages.forEach((m, i) => {
      if (m.role === "assistant" && m.tool_calls.length === 0 && m.content) last = i;
    });
    const given = turn.messages[last];
    if (given?.role === "assistant") {
      for (const reply of correctedReplies) {
        if (reply === given.content) continue;
        pairs.push({
          ...base,
          prompt: [...history, ...turn.messages.slice(0, last)],
          chosen: { role: "assistant", content: reply, tool_calls: [] },
          rejected: given,
          origin: "feedback",
        });
      }
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------
// Tool-call ids: models reuse ids across turns (e.g. "call_0" every turn), so each example gets
// fresh, unique ids and every tool answer follows the call it answers.
// ---------------------------------------------------------------------------------------------

/** `tail` are alternative next messages (preference outputs): numbered after the prompt's calls. */
function renumberToolCalls(messages: TraceMessage[], tail: AssistantMessage[] = []): { messages: TraceMessage[]; tail: AssistantMessage[] } {
  let n = 0;
  const current = new Map<string, string>();
  const fresh = (m: AssistantMessage): AssistantMessage => ({
    ...m,
    tool_calls: m.tool_calls.map((c) => {
      const id = `call_${n++}`;
      current.set(c.id, id);
      return { ...c, id };
    }),
  });
  const out = messages.map((m): TraceMessage => {
    if (m.role === "assistant") return fresh(m);
    if (m.role === "tool") {
      // An answer to no earlier call gets an id no call has, so the validators reject the example.
      return { ...m, tool_call_id: current.get(m.tool_call_id) ?? `unanswered_${m.tool_call_id}` };
    }
    return m;
  });
  return { messages: out, tail: tail.map(fresh) };
}

const argsJson = (args: Record<string, unknown>) => JSON.stringify(args);

// ---------------------------------------------------------------------------------------------
// OpenAI chat fine-tuning (supervised) and preference (DPO)
// ---------------------------------------------------------------------------------------------

export interface OpenAiMessage {
  role: "system" | "user" | "assistant" | "tool";
  content?: string | null;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  weight?: 0 | 1;
}

const openAiTools = (tools: ToolSchema[]) =>
  tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.parameters } }));

function toOpenAiMessage(m: TraceMessage, weight?: 0 | 1): OpenAiMessage {
  switch (m.role) {
    case "user":
      return { role: "user", content: m.content };
    case "tool":
      return { role: "tool", tool_call_id: m.tool_call_id, content: m.content };
    case "assistant": {
      const out: OpenAiMessage = { role: "assistant" };
      if (m.content || m.tool_calls.length === 0) out.content = m.content;
      if (m.tool_calls.length) {
        out.tool_calls = m.tool_calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: argsJson(c.args) } }));
      }
      if (weight !== undefined) out.weight = weight;
      return out;
    }
  }
}

const usesParallelCalls = (messages: TraceMessage[]) => messages.some((m) => m.role === "assistant" && m.tool_calls.length > 1);

export function toOpenAi(src: SftSource) {
  const { messages } = renumberToolCalls([...src.history, ...src.messages]);
  const h = src.history.length;
  const out: OpenAiMessage[] = [];
  if (src.system) out.push({ role: "system", content: src.system });
  // Earlier turns are context: weight 0, so each assistant message is learned from exactly once.
  messages.forEach((m, i) => out.push(toOpenAiMessage(m, i < h && m.role === "assistant" ? 0 : undefined)));
  return {
    messages: out,
    ...(src.tools.length ? { tools: openAiTools(src.tools), parallel_tool_calls: usesParallelCalls(messages) } : {}),
  };
}

export function toOpenAiPreference(p: PreferenceSource) {
  const { messages, tail } = renumberToolCalls(p.prompt, [p.chosen, p.rejected]);
  const input: OpenAiMessage[] = [];
  if (p.system) input.push({ role: "system", content: p.system });
  for (const m of messages) input.push(toOpenAiMessage(m));
  return {
    input: {
      messages: input,
      ...(p.tools.length ? { tools: openAiTools(p.tools), parallel_tool_calls: usesParallelCalls([...messages, ...tail]) } : {}),
    },
    preferred_output: [toOpenAiMessage(tail[0]!)],
    non_preferred_output: [toOpenAiMessage(tail[1]!)],
  };
}

// ---------------------------------------------------------------------------------------------
// Hugging Face TRL: conversational messages, tool-call arguments as objects, `tools` as JSON schemas
// ---------------------------------------------------------------------------------------------

export interface TrlMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: Record<string, unknown> } }[];
  name?: string;
  tool_call_id?: string;
}

function toTrlMessage(m: TraceMessage): TrlMessage {
  switch (m.role) {
    case "user":
      return { role: "user", content: m.content };
    case "tool":
      return { role: "tool", name: m.name, tool_call_id: m.tool_call_id, content: m.content };
    case "assistant":
      return m.tool_calls.length
        ? { role: "assistant", content: m.content, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.args } })) }
        : { role: "assistant", content: m.content };
  }
}

const trlTools = openAiTools;

export function toTrl(src: SftSource) {
  const { messages } = renumberToolCalls([...src.history, ...src.messages]);
  const out: TrlMessage[] = src.system ? [{ role: "system", content: src.system }] : [];
  return { messages: [...out, ...messages.map(toTrlMessage)], tools: trlTools(src.tools) };
}

export function toTrlPreference(p: PreferenceSource) {
  const { messages, tail } = renumberToolCalls(p.prompt, [p.chosen, p.rejected]);
  const prompt: TrlMessage[] = p.system ? [{ role: "system", content: p.system }] : [];
  return {
    prompt: [...prompt, ...messages.map(toTrlMessage)],
    chosen: [toTrlMessage(tail[0]!)],
    rejected: [toTrlMessage(tail[1]!)],
    tools: trlTools(p.tools),
  };
}

// ---------------------------------------------------------------------------------------------
// LLaMA-Factory ShareGPT: human/observation on odd positions, gpt/function_call on even ones
// ---------------------------------------------------------------------------------------------

export interface ShareGptTurn {
  from: "human" | "gpt" | "function_call" | "observation";
  value: string;
}

const functionCallValue = (m: AssistantMessage) => {
  const calls = m.tool_calls.map((c) => ({ name: c.name, arguments: c.args }));
  return JSON.stringify(calls.length === 1 ? calls[0] : calls);
};

/** Folds trace messages into ShareGPT turns: consecutive tool results become one observation. */
function toShareGptTurns(messages: TraceMessage[]): ShareGptTurn[] {
  const out: ShareGptTurn[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "user") out.push({ from: "human", value: m.content });
    else if (m.role === "assistant") {
      // A message with both text and calls keeps the calls: the format has one slot per step.
      out.push(m.tool_calls.length ? { from: "function_call", value: functionCallValue(m) } : { from: "gpt", value: m.content });
    } else {
      const results = [m.content];
      while (messages[i + 1]?.role === "tool") results.push((messages[++i] as { content: string }).content);
      out.push({ from: "observation", value: results.length === 1 ? results[0]! : JSON.stringify(results) });
    }
  }
  return out;
}

const shareGptTools = (tools: ToolSchema[]) => JSON.stringify(tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })));

const USER_SIDE = new Set(["human", "observation"]);

/** LLaMA-Factory's alignment rule: user side on even indexes, assistant side on odd ones. */
export function shareGptAlignmentError(turns: ShareGptTurn[], opts: { endsWithAssistant: boolean }): string | undefined {
  for (let i = 0; i < turns.length; i++) {
    const userSide = USER_SIDE.has(turns[i]!.from);
    if (userSide !== (i % 2 === 0)) return `turn ${i} is "${turns[i]!.from}" where the ${i % 2 === 0 ? "human/observation" : "gpt/function_call"} side is expected`;
  }
  if (opts.endsWithAssistant && turns.length % 2 !== 0) return "the conversation does not end with a gpt/function_call turn";
  if (!opts.endsWithAssistant && turns.length % 2 === 0) return "the prompt does not end with a human/observation turn";
  return undefined;
}

export function toShareGpt(src: SftSource): Converted<{ conversations: ShareGptTurn[]; system: string; tools: string }> {
  const conversations = toShareGptTurns([...src.history, ...src.messages]);
  const err = shareGptAlignmentError(conversations, { endsWithAssistant: true });
  if (err) return { ok: false, reason: `sharegpt: ${err}` };
  return { ok: true, line: { conversations, system: src.system ?? "", tools: shareGptTools(src.tools) } };
}

export function toShareGptPreference(p: PreferenceSource) {
  const conversations = toShareGptTurns(p.prompt);
  const err = shareGptAlignmentError(conversations, { endsWithAssistant: false });
  if (err) return { ok: false as const, reason: `sharegpt: ${err}` };
  const one = (m: AssistantMessage) => toShareGptTurns([m])[0]!;
  return {
    ok: true as const,
    line: { conversations, chosen: one(p.chosen), rejected: one(p.rejected), system: p.system ?? "", tools: shareGptTools(p.tools) },
  };
}
