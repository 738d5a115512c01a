import { mayConfirm } from "../governance/confirmation.ts";
import { normaliseText } from "../nodes/dataPrep.ts";
import { DURABILITY_SETTING, type DurabilitySetting } from "./configuration.ts";

export type Durability = "sync" | "async" | "exit";

/** The text of each message of a turn's input, or undefined when any of them is not plain text. */
function messageTexts(input: unknown): string[] | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const messages = (input as { messages?: unknown }).messages;
  const list: unknown[] = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
  if (!list.length) return undefined;
  const texts = list.map(messageText);
  return texts.every((t) => t !== undefined) ? (texts as string[]) : undefined;
}

function messageText(m: unknown): string | undefined {
  if (typeof m === "string") return m;
  if (Array.isArray(m)) return typeof m[1] === "string" ? m[1] : undefined; // ["user", "text"]
  if (typeof m !== "object" || m === null) return undefined;
  const content = (m as { content?: unknown }).content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts = content.map((p) => (typeof p === "string" ? p : typeof p?.text === "string" ? p.text : undefined));
    return parts.every((p) => p !== undefined) ? parts.join("") : undefined;
  }
  return undefined;
}

/**
 * The checkpoint durability for one turn. Under "adaptive", a turn runs with "sync" when it could
 * carry out a consequential action — the governance rail lets a consequential tool run only after
 * an explicit "yes" in that very turn's message, or when a manager resumes an escalation — and
 * with "exit" otherwise: such a turn writes nothing but its own checkpoint, audit and trace, so if
 * it crashes, re-running it from its input is safe. Anything that is not a plain message (a
 * resume `Command`, `null` to continue, a message that is not text) gets "sync".
 */
export function durabilityForTurn(input: unknown, setting: DurabilitySetting = DURABILITY_SETTING): Durability {
  if (setting !== "adaptive") return setting;
  const texts = messageTexts(input);
  if (texts === undefined) return "sync";
  return texts.some((t) => mayConfirm(normaliseText(t).text)) ? "sync" : "exit";
}
