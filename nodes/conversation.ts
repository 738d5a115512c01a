import { AIMessage, type BaseMessage } from "@langchain/core/messages";

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : "");

/**
 * The assistant's last text reply before the latest user message ("" when there is none): what the
 * user is answering. Tool-calling steps are skipped; only what the customer was shown counts.
 */
export function previousAssistantText(messages: BaseMessage[]): string {
  let seenHuman = false;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.getType() === "human") {
      if (seenHuman) break;
      seenHuman = true;
      continue;
    }
    if (seenHuman && AIMessage.isInstance(m) && !m.tool_calls?.length && textOf(m)) return textOf(m);
  }
  return "";
}
