/**
 * Turns a thread's checkpoint history into the studio's timeline: one step per superstep (in
 * Aisle's turn graph that is one node, or several when they ran in parallel), each with the state
 * before and after and what the node returned. Pure, so it is unit-tested without a browser.
 */
export interface Checkpoint {
  thread_id?: string;
  checkpoint_ns?: string;
  checkpoint_id?: string | null;
}

export interface ThreadTask {
  id: string;
  name: string;
  result?: unknown;
  error?: string | null;
  interrupts?: Array<{ id?: string; value?: unknown }>;
}

export interface ThreadState {
  values: Record<string, unknown>;
  next: string[];
  checkpoint: Checkpoint;
  metadata?: Record<string, unknown> | null;
  created_at?: string | null;
  parent_checkpoint?: Checkpoint | null;
  tasks?: ThreadTask[];
}

export interface TimelineStep {
  checkpointId: string;
  parentId: string | null;
  /** Which node(s) produced this checkpoint; "input" for a new user message, "update" for an edit. */
  nodes: string[];
  source: string;
  step: number | null;
  turn: number | null;
  createdAt: string | null;
  values: Record<string, unknown>;
  before: Record<string, unknown> | null;
  /** What each node returned (from the parent checkpoint's tasks), keyed by node. */
  updates: Record<string, unknown>;
  next: string[];
  interrupts: Array<{ node: string; value: unknown }>;
  errors: Array<{ node: string; error: string }>;
  state: ThreadState;
}

/** `history` as `POST /threads/:id/history` returns it (newest first); steps come out oldest first. */
export function buildTimeline(history: ThreadState[]): TimelineStep[] {
  const byId = new Map<string, ThreadState>();
  for (const s of history) if (s.checkpoint.checkpoint_id) byId.set(s.checkpoint.checkpoint_id, s);
  const ordered = history.slice().reverse();
  return ordered
    .filter((s) => s.checkpoint.checkpoint_id)
    .map((s) => {
      const parentId = s.parent_checkpoint?.checkpoint_id ?? null;
      const parent = parentId ? byId.get(parentId) ?? null : null;
      const source = String(s.metadata?.source ?? "loop");
      const ran = parent?.tasks ?? [];
      const updates: Record<string, unknown> = {};
      for (const t of ran) if (t.result !== undefined) updates[t.name] = t.result;
      const nodes =
        source === "input" ? ["input"] : source === "update" || source === "fork" ? [source] : ran.map((t) => t.name);
      const interrupts = (s.tasks ?? []).flatMap((t) => (t.interrupts ?? []).map((i) => ({ node: t.name, value: i.value })));
      const errors = (s.tasks ?? []).filter((t) => t.error).map((t) => ({ node: t.name, error: String(t.error) }));
      const turn = typeof s.values?.turn === "number" ? (s.values.turn as number) : null;
      const step = typeof s.metadata?.step === "number" ? (s.metadata.step as number) : null;
      return {
        checkpointId: s.checkpoint.checkpoint_id!,
        parentId,
        nodes: nodes.length ? nodes : [source === "loop" ? "(start)" : source],
        source,
        step,
        turn,
        createdAt: s.created_at ?? null,
        values: s.values ?? {},
        before: parent?.values ?? null,
        updates,
        next: s.next ?? [],
        interrupts,
        errors,
        state: s,
      };
    });
}

/** A LangChain message as the API sends it: plain `{type, content}` or the `lc` constructor form. */
export interface ChatMessage {
  type: string;
  content: string;
  id?: string;
  name?: string;
  tool_calls: Array<{ id?: string; name: string; args: unknown }>;
  tool_call_id?: string;
}

export function normaliseMessage(raw: unknown): ChatMessage {
  let m = (raw ?? {}) as Record<string, unknown>;
  let type = String(m.type ?? m.role ?? "unknown");
  if (m.lc === 1 && m.kwargs && Array.isArray(m.id)) {
    const cls = String((m.id as unknown[]).at(-1));
    m = m.kwargs as Record<string, unknown>;
    type = cls.replace(/MessageChunk$|Message$/, "").toLowerCase();
  }
  type = type.replace(/chunk$/i, "").replace(/message$/i, "").toLowerCase();
  if (type === "user") type = "human";
  if (type === "assistant") type = "ai";
  const msg: ChatMessage = {
    type,
    content: messageText(m.content),
    tool_calls: Array.isArray(m.tool_calls)
      ? (m.tool_calls as Array<Record<string, unknown>>).map((c) => ({
          ...(c.id ? { id: String(c.id) } : {}),
          name: String(c.name ?? ""),
          args: c.args,
        }))
      : [],
  };
  if (typeof m.id === "string") msg.id = m.id;
  if (typeof m.name === "string") msg.name = m.name;
  if (typeof m.tool_call_id === "string") msg.tool_call_id = m.tool_call_id;
  return msg;
}

export function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
      .join("");
  }
  return content == null ? "" : JSON.stringify(content);
}

/** Tool calls paired with their results (matched by tool_call_id). */
export function toolExchanges(messages: ChatMessage[]): Array<{ id?: string; name: string; args: unknown; result?: string }> {
  const results = new Map(messages.filter((m) => m.type === "tool" && m.tool_call_id).map((m) => [m.tool_call_id!, m.content]));
  return messages.flatMap((m) =>
    m.tool_calls.map((c) => {
      const ex: { id?: string; name: string; args: unknown; result?: string } = { name: c.name, args: c.args };
      if (c.id) {
        ex.id = c.id;
        const r = results.get(c.id);
        if (r !== undefined) ex.result = r;
      }
      return ex;
    }),
  );
}
