import { z } from "zod";

/**
 * Line schemas of every export format, and validators that mirror the rules the consumers apply:
 * OpenAI's published checks for chat fine-tuning files (the format-error checks of its data
 * preparation guide, plus its tool-calling rules) and LLaMA-Factory's ShareGPT alignment.
 * The exporter runs them on every line it writes; the tests run them on the written files.
 */

// --- OpenAI -------------------------------------------------------------------------------------

const OpenAiToolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
}).strict();

export const OpenAiMessage = z
  .object({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.string().nullish(),
    name: z.string().optional(),
    tool_calls: z.array(OpenAiToolCall).min(1).optional(),
    tool_call_id: z.string().min(1).optional(),
    weight: z.union([z.literal(0), z.literal(1)]).optional(),
  })
  .strict();

export const OpenAiTool = z
  .object({
    type: z.literal("function"),
    function: z.object({ name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()) }),
  })
  .strict();

export const OpenAiSftLine = z
  .object({
    messages: z.array(OpenAiMessage).min(1),
    tools: z.array(OpenAiTool).optional(),
    parallel_tool_calls: z.boolean().optional(),
  })
  .strict();

export const OpenAiDpoLine = z
  .object({
    input: z.object({ messages: z.array(OpenAiMessage).min(1), tools: z.array(OpenAiTool).optional(), parallel_tool_calls: z.boolean().optional() }).strict(),
    preferred_output: z.array(OpenAiMessage).length(1),
    non_preferred_output: z.array(OpenAiMessage).length(1),
  })
  .strict();

/** OpenAI's default per-example limit for the current fine-tunable chat models. */
export const OPENAI_MAX_EXAMPLE_TOKENS = 65_536;

/**
 * Conversation rules OpenAI enforces on a fine-tuning example (or a DPO input + output):
 * known roles and keys only; text content unless an assistant message carries tool calls; weight
 * only on assistant messages; every tool call answered by a tool message before the conversation
 * moves on, and every tool message answering a call; arguments a JSON object string; called tools
 * declared in `tools`; no parallel calls when `parallel_tool_calls` is false; and (SFT) at least one
 * assistant message that is trained on. Token length is estimated (4 characters a token).
 */
export function openAiConversationErrors(
  messages: z.infer<typeof OpenAiMessage>[],
  opts: { tools?: z.infer<typeof OpenAiTool>[]; parallel?: boolean; requireTrainableAssistant: boolean },
): string[] {
  const errors: string[] = [];
  const declared = opts.tools ? new Set(opts.tools.map((t) => t.function.name)) : undefined;
  const pending = new Map<string, number>();
  const seen = new Set<string>();
  let trainable = 0;
  const flushPending = (at: number) => {
    for (const [id, from] of pending) errors.push(`message ${from}: tool call ${id} is not answered before message ${at}`);
    pending.clear();
  };
  messages.forEach((m, i) => {
    if (m.role === "system" && i !== 0) errors.push(`message ${i}: a system message must come first`);
    if (m.weight !== undefined && m.role !== "assistant") errors.push(`message ${i}: weight is only allowed on assistant messages`);
    if (m.tool_calls && m.role !== "assistant") errors.push(`message ${i}: only assistant messages may carry tool_calls`);
    if (m.tool_call_id && m.role !== "tool") errors.push(`message ${i}: tool_call_id belongs on tool messages`);
    const hasText = typeof m.content === "string";
    if (m.role === "assistant") {
      if (!hasText && !m.tool_calls) errors.push(`message ${i}: assistant message has neither content nor tool_calls`);
      if (m.weight !== 0) trainable++;
    } else if (!hasText) errors.push(`message ${i}: ${m.role} message is missing text content`);

    if (m.role === "tool") {
      if (!m.tool_call_id) errors.push(`message ${i}: tool message without tool_call_id`);
      else if (!pending.delete(m.tool_call_id)) errors.push(`message ${i}: tool message answers unknown or already answered call ${m.tool_call_id}`);
      return;
    }
    flushPending(i);
    if (m.tool_calls) {
      if (opts.parallel === false && m.tool_calls.length > 1) errors.push(`message ${i}: ${m.tool_calls.length} parallel tool calls but parallel_tool_calls is false`);
      for (const c of m.tool_calls) {
        if (seen.has(c.id)) errors.push(`message ${i}: duplicate tool call id ${c.id}`);
        seen.add(c.id);
        pending.set(c.id, i);
        if (declared && !declared.has(c.function.name)) errors.push(`message ${i}: calls ${c.function.name}, which is not in tools`);
        try {
          const args = JSON.parse(c.function.arguments);
          if (!args || typeof args !== "object" || Array.isArray(args)) errors.push(`message ${i}: arguments of ${c.id} are not a JSON object`);
        } catch {
          errors.push(`message ${i}: arguments of ${c.id} are not valid JSON`);
        }
      }
    }
  });
  // A supervised example is complete: calls left open at its end were never answered.
  if (opts.requireTrainableAssistant) {
    flushPending(messages.length);
    if (trainable === 0) errors.push("no assistant message to train on (every assistant message has weight 0, or there is none)");
  }
  return errors;
}

const estimateTokens = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

/** Every rule violation of one OpenAI chat fine-tuning line (empty when the line is valid). */
export function validateOpenAiSftLine(line: unknown, maxTokens = OPENAI_MAX_EXAMPLE_TOKENS): string[] {
  const parsed = OpenAiSftLine.safeParse(line);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const { messages, tools, parallel_tool_calls } = parsed.data;
  const errors = openAiConversationErrors(messages, { tools, parallel: parallel_tool_calls, requireTrainableAssistant: true });
  if (estimateTokens(line) > maxTokens) errors.push(`example is longer than ${maxTokens} tokens (estimated)`);
  return errors;
}

/** Every rule violation of one OpenAI preference (DPO) line. */
export function validateOpenAiDpoLine(line: unknown, maxTokens = OPENAI_MAX_EXAMPLE_TOKENS): string[] {
  const parsed = OpenAiDpoLine.safeParse(line);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const { input, preferred_output, non_preferred_output } = parsed.data;
  const errors = openAiConversationErrors(input.messages, { tools: input.tools, parallel: input.parallel_tool_calls, requireTrainableAssistant: false });
  const last = input.messages.at(-1)!;
  if (last.role === "assistant" && last.tool_calls) errors.push("input ends with unanswered tool calls");
  for (const [name, out] of [["preferred_output", preferred_output[0]!], ["non_preferred_output", non_preferred_output[0]!]] as const) {
    if (out.role !== "assistant") errors.push(`${name} must be an assistant message`);
    if (out.weight !== undefined) errors.push(`${name} must not carry a weight`);
    errors.push(...openAiConversationErrors([out], { tools: input.tools, parallel: input.parallel_tool_calls, requireTrainableAssistant: false }).filter((e) => !e.includes("is not answered")).map((e) => `${name}: ${e}`));
  }
  if (JSON.stringify(preferred_output) === JSON.stringify(non_preferred_output)) errors.push("preferred and non-preferred outputs are identical");
  if (estimateTokens(line) > maxTokens) errors.push(`example is longer than ${maxTokens} tokens (estimated)`);
  return errors;
}

// --- TRL ------------------------------------------------------------------------------------------

export const TrlMessage = z
  .object({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.string(),
    tool_calls: z
      .array(z.object({ id: z.string().optional(), type: z.literal("function"), function: z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) }).strict() }).strict())
      .min(1)
      .optional(),
    name: z.string().optional(),
    tool_call_id: z.string().optional(),
  })
  .strict();

const TrlTools = z.array(OpenAiTool);

export const TrlSftLine = z.object({ messages: z.array(TrlMessage).min(2), tools: TrlTools }).strict();
export const TrlPreferenceLine = z
  .object({ prompt: z.array(TrlMessage).min(1), chosen: z.array(TrlMessage).length(1), rejected: z.array(TrlMessage).length(1), tools: TrlTools })
  .strict()
  .refine((l) => l.chosen[0]!.role === "assistant" && l.rejected[0]!.role === "assistant", "chosen and rejected must be assistant messages")
  .refine((l) => JSON.stringify(l.chosen) !== JSON.stringify(l.rejected), "chosen and rejected are identical");

// --- ShareGPT (LLaMA-Factory) -------------------------------------------------------------------

const ShareGptTurn = z.object({ from: z.enum(["human", "gpt", "function_call", "observation"]), value: z.string() }).strict();
/** `tools` is a JSON string of `[{name, description, parameters}]`, as LLaMA-Factory reads it. */
const ShareGptTools = z.string().refine((s) => {
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) && v.every((t) => t && typeof t.name === "string" && typeof t.parameters === "object");
  } catch {
    return false;
  }
}, "tools must be a JSON string of [{name, description, parameters}]");

const functionCallsValid = (turns: z.infer<typeof ShareGptTurn>[]) =>
  turns.every((t) => {
    if (t.from !== "function_call") return true;
    try {
      const v = JSON.parse(t.value);
      const calls = Array.isArray(v) ? v : [v];
      return calls.length > 0 && calls.every((c) => typeof c?.name === "string" && c.arguments && typeof c.arguments === "object");
    } catch {
      return false;
    }
  });

const USER_SIDE = new Set(["human", "observation"]);
const aligned = (turns: z.infer<typeof ShareGptTurn>[]) => turns.every((t, i) => USER_SIDE.has(t.from) === (i % 2 === 0));

export const ShareGptLine = z
  .object({ conversations: z.array(ShareGptTurn).min(2), system: z.string(), tools: ShareGptTools })
  .strict()
  .refine((l) => aligned(l.conversations), "turns must alternate human/observation then gpt/function_call")
  .refine((l) => l.conversations.length % 2 === 0, "the conversation must end with a gpt/function_call turn")
  .refine((l) => functionCallsValid(l.conversations), "function_call values must be JSON {name, arguments} (or a list of them)");

export const ShareGptPreferenceLine = z
  .object({ conversations: z.array(ShareGptTurn).min(1), chosen: ShareGptTurn, rejected: ShareGptTurn, system: z.string(), tools: ShareGptTools })
  .strict()
  .refine((l) => aligned(l.conversations) && l.conversations.length % 2 === 1, "the prompt must alternate and end with a human/observation turn")
  .refine((l) => !USER_SIDE.has(l.chosen.from) && !USER_SIDE.has(l.rejected.from), "chosen and rejected must be gpt or function_call turns")
  .refine((l) => functionCallsValid([...l.conversations, l.chosen, l.rejected]), "function_call values must be JSON {name, arguments}");

/** The validator of each format: violations of one line (empty when valid). */
export const LINE_VALIDATORS = {
  openai: (l: unknown) => validateOpenAiSftLine(l),
  "openai-dpo": (l: unknown) => validateOpenAiDpoLine(l),
  trl: (l: unknown) => zodErrors(TrlSftLine, l),
  "trl-dpo": (l: unknown) => zodErrors(TrlPreferenceLine, l),
  sharegpt: (l: unknown) => zodErrors(ShareGptLine, l),
  "sharegpt-dpo": (l: unknown) => zodErrors(ShareGptPreferenceLine, l),
} as const;

function zodErrors(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`);
}
