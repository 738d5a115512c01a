import { z } from "zod";

/**
 * The facts an agent model sees about the conversation, rendered into its system message as one
 * JSON block. The LLM tier reads it as text; Aisle's embedded model parses it back. Both see the
 * same thing, so the graph runs unchanged with either.
 */
export const ModelContext = z.object({
  intent: z.string(),
  agent: z.string(),
  turn: z.number(),
  caller: z.object({ role: z.string(), store_id: z.string().optional() }),
  /** Entities found in the latest user message. */
  entities: z.record(z.string(), z.unknown()),
  /** Entities merged over the conversation. */
  slots: z.record(z.string(), z.unknown()),
  authenticated: z.object({ user_id: z.string() }).nullable(),
  customer: z.record(z.string(), z.unknown()).nullable(),
  loyalty: z.unknown().nullable(),
  orders: z.record(z.string(), z.record(z.string(), z.unknown())),
  products: z.record(z.string(), z.record(z.string(), z.unknown())),
  stock: z.unknown().nullable(),
  stores: z.unknown().nullable(),
  promotions: z.unknown().nullable(),
  shipping: z.unknown().nullable(),
  policy_effects: z.array(z.object({ rule: z.string(), effect: z.string(), value: z.unknown().optional(), description: z.string() })),
  pending_action: z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()), summary: z.string() }).nullable(),
  /** Recent user messages of this request (oldest first), for option matching. */
  recent_user_text: z.array(z.string()),
  /** Tools this agent may call. */
  tools: z.array(z.string()),
});
export type ModelContext = z.infer<typeof ModelContext>;

const OPEN = "<aisle-context>";
const CLOSE = "</aisle-context>";

export function renderContextBlock(ctx: ModelContext): string {
  return `${OPEN}\n${JSON.stringify(ctx)}\n${CLOSE}`;
}

/** Reads the context block back out of a system prompt; undefined when absent or malformed. */
export function parseContextBlock(text: string): ModelContext | undefined {
  const start = text.indexOf(OPEN);
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (start < 0 || end < 0) return undefined;
  try {
    const parsed = ModelContext.safeParse(JSON.parse(text.slice(start + OPEN.length, end)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How the graph tells a model that governance stopped a proposed tool call: the ToolMessage for
 * that call starts with this prefix, followed by the customer-facing reason.
 */
export const BLOCKED_PREFIX = "Not done: ";
/** ToolMessage content for a call held until the customer confirms the listed details. */
export const AWAITING_CONFIRMATION = "Not done yet: waiting for the customer's explicit confirmation of the listed details.";
