import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";

/**
 * What the visible conversation says about orders, beyond the slots: which orders the customer
 * named and in what order, which ones the assistant's last reply was about (so "the other one"
 * can be resolved), and which consequential actions already succeeded on which order (so a
 * request about several orders moves on to the next one instead of repeating the first).
 * Read from the messages the model is given, never from what a model claimed.
 */
export interface ThreadFacts {
  /** Order ids named in user messages, each at its latest mention, oldest first. */
  mentioned: string[];
  /** Order ids named in the assistant's last text reply before the latest user message. */
  lastDiscussed: string[];
  /** Consequential tool calls that succeeded, with the message index they ran at. */
  done: { name: string; order_id?: string; at: number }[];
  /** Index of the latest user message that named an order id (-1 when none did). */
  requestStart: number;
}

export const EMPTY_THREAD: ThreadFacts = { mentioned: [], lastDiscussed: [], done: [], requestStart: -1 };

const ORDER_ID = /#?\b[Ww](\d{7})\b/g;
export const orderIdsIn = (text: string) => [...new Set([...text.matchAll(ORDER_ID)].map((m) => `#W${m[1]}`))];

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join(""));

export function threadFacts(messages: BaseMessage[], consequential: ReadonlySet<string>): ThreadFacts {
  const mentioned: string[] = [];
  const done: ThreadFacts["done"] = [];
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  let requestStart = -1;
  let lastHuman = -1;
  messages.forEach((m, i) => {
    if (m.getType() === "human") {
      lastHuman = i;
      const ids = orderIdsIn(textOf(m));
      if (ids.length) requestStart = i;
      for (const id of ids) {
        const at = mentioned.indexOf(id);
        if (at >= 0) mentioned.splice(at, 1);
        mentioned.push(id);
      }
    }
    if (AIMessage.isInstance(m)) for (const c of m.tool_calls ?? []) if (c.id) calls.set(c.id, { name: c.name, args: c.args });
    if (ToolMessage.isInstance(m) && m.status !== "error") {
      const call = calls.get(m.tool_call_id);
      const content = textOf(m);
      if (call && consequential.has(call.name) && !content.startsWith("Error") && !content.startsWith("Not done")) {
        done.push({ name: call.name, order_id: typeof call.args.order_id === "string" ? call.args.order_id : undefined, at: i });
      }
    }
  });
  let lastDiscussed: string[] = [];
  for (let i = lastHuman - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.getType() === "human") break;
    if (AIMessage.isInstance(m) && !m.tool_calls?.length && textOf(m)) {
      lastDiscussed = orderIdsIn(textOf(m));
      break;
    }
  }
  return { mentioned, lastDiscussed, done, requestStart };
}
