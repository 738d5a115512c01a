/**
 * JSON as the LangGraph Agent Server sends it: LangChain messages become plain dicts
 * (`{type: "human" | "ai" | "tool", content, id, …}`) instead of their `lc` constructor form, so
 * SDK clients and `useStream` read them unchanged.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw !== null && typeof raw === "object" && typeof (raw as { toDict?: unknown }).toDict === "function") {
      const { type, data } = (raw as { toDict(): { type: string; data: Record<string, unknown> } }).toDict();
      return { ...data, type };
    }
    if (typeof v === "bigint") return v.toString();
    return v;
  });
}

/** A plain JSON-compatible copy (messages as dicts), for storing in jsonb. */
export const toPlain = <T = unknown>(value: unknown): T => (value === undefined ? (null as T) : JSON.parse(toJson(value)));

export function serializeError(err: unknown): { error: string; message: string } {
  if (err instanceof Error) return { error: err.name || "Error", message: err.message };
  return { error: "Error", message: typeof err === "string" ? err : JSON.stringify(err) };
}
