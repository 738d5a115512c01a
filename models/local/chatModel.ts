import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { randomUUID } from "node:crypto";
import { parseContextBlock, BLOCKED_PREFIX } from "./context.ts";
import { CONSEQUENTIAL_TOOLS, decide, type Decision, type ToolResult } from "./dialogue.ts";
import { threadFacts } from "./thread.ts";

export interface LocalCallOptions extends BaseChatModelCallOptions {
  /** Tools bound with `bindTools` (only their names matter to the dialogue policy). */
  tools?: BindToolsInput[];
}

const toolName = (t: BindToolsInput): string | undefined => {
  const x = t as { name?: string; function?: { name?: string } };
  return x.name ?? x.function?.name;
};

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join(""));

/** Tool calls made since the latest user message, paired with their results. */
export function toolResultsThisTurn(messages: BaseMessage[]): ToolResult[] {
  let start = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].getType() === "human") {
      start = i + 1;
      break;
    }
  }
  const results: ToolResult[] = [];
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  for (const m of messages.slice(start)) {
    if (AIMessage.isInstance(m)) for (const c of m.tool_calls ?? []) if (c.id) calls.set(c.id, { name: c.name, args: c.args });
    if (ToolMessage.isInstance(m)) {
      const call = calls.get(m.tool_call_id);
      const content = textOf(m);
      results.push({
        name: call?.name ?? m.name ?? "",
        args: call?.args ?? {},
        content,
        ok: m.status !== "error" && !content.startsWith("Error") && !content.startsWith(BLOCKED_PREFIX),
      });
    }
  }
  return results;
}

const estimateTokens = (s: string) => Math.ceil(s.length / 4);

/**
 * Aisle's embedded retail chat model: offline and deterministic. It reads the context block the
 * agent node puts in the system message, runs the dialogue policy, and answers like any LangChain
 * chat model — an AIMessage with `tool_calls` or a grounded reply — so the graph, governance and
 * tool loop are exactly the ones an LLM goes through. Token counts are estimates (chars/4) so
 * per-tier dashboards stay comparable; the local tier costs nothing.
 */
export class AisleLocalChatModel extends BaseChatModel<LocalCallOptions> {
  static lc_name() {
    return "AisleLocalChatModel";
  }

  _llmType() {
    return "aisle-local";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<LocalCallOptions>) {
    return this.withConfig({ tools, ...kwargs } as Partial<LocalCallOptions>);
  }

  /** The decision for a conversation (exposed for tests and the eval harness). */
  decideFor(messages: BaseMessage[], options?: LocalCallOptions): Decision {
    const system = messages.find((m) => m.getType() === "system");
    const ctx = system ? parseContextBlock(textOf(system)) : undefined;
    if (!ctx) {
      return { kind: "reply", text: "Sorry, I can't help with that right now." };
    }
    const bound = (options?.tools ?? []).map(toolName).filter((n): n is string => !!n);
    if (bound.length) ctx.tools = ctx.tools.filter((t) => bound.includes(t));
    const decision = decide(ctx, toolResultsThisTurn(messages), threadFacts(messages, CONSEQUENTIAL_TOOLS));
    // Never propose a tool this agent did not bind: answer instead.
    if (decision.kind === "tool" && !ctx.tools.includes(decision.name)) {
      return { kind: "reply", text: "I can't do that from here; let me know if you'd like a human agent." };
    }
    return decision;
  }

  private toMessage(decision: Decision, inputChars: number): AIMessage {
    const out = decision.kind === "tool" ? `${decision.say ?? ""}${JSON.stringify(decision.args)}` : decision.text;
    const usage = { input_tokens: estimateTokens(" ".repeat(inputChars)), output_tokens: estimateTokens(out), total_tokens: 0 };
    usage.total_tokens = usage.input_tokens + usage.output_tokens;
    const response_metadata = { aisle_tier: "local", model_name: "aisle-local" };
    if (decision.kind === "tool") {
      // `say` rides along with the proposal; the graph shows it only if the proposal ends the
      // turn (governance lists the action for confirmation), so no reply and tool call go out together.
      return new AIMessage({
        content: decision.say ?? "",
        tool_calls: [{ id: `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`, name: decision.name, args: decision.args, type: "tool_call" }],
        usage_metadata: usage,
        response_metadata,
      });
    }
    return new AIMessage({ content: decision.text, usage_metadata: usage, response_metadata });
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const chars = messages.reduce((s, m) => s + textOf(m).length, 0);
    const message = this.toMessage(this.decideFor(messages, options as LocalCallOptions), chars);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }

  /** Streams a reply word by word (tool calls arrive in one chunk), for token streaming clients. */
  async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const chars = messages.reduce((s, m) => s + textOf(m).length, 0);
    const message = this.toMessage(this.decideFor(messages, options as LocalCallOptions), chars);
    if (message.tool_calls?.length) {
      const c = message.tool_calls[0];
      yield new ChatGenerationChunk({
        text: "",
        message: new AIMessageChunk({
          content: typeof message.content === "string" ? message.content : "",
          tool_call_chunks: [{ id: c.id, name: c.name, args: JSON.stringify(c.args), index: 0, type: "tool_call_chunk" }],
          usage_metadata: message.usage_metadata,
          response_metadata: message.response_metadata,
        }),
      });
      return;
    }
    const text = message.content as string;
    const pieces = text.match(/\S+\s*|\s+/g) ?? [text];
    for (let i = 0; i < pieces.length; i++) {
      const last = i === pieces.length - 1;
      const chunk = new ChatGenerationChunk({
        text: pieces[i],
        message: new AIMessageChunk({
          content: pieces[i],
          ...(last ? { usage_metadata: message.usage_metadata, response_metadata: message.response_metadata } : {}),
        }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(pieces[i], undefined, undefined, undefined, undefined, { chunk });
    }
  }
}
