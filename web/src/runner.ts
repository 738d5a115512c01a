/**
 * Runs a graph turn over `POST /threads/:id/runs/stream` and interprets the stream for the UI:
 * which node is running (debug `task` / `task_result`, `updates`), the reply's tokens (`messages`,
 * i.e. messages-tuple), the final state (`values`), interrupts and errors.
 */
import type { Api, RunPayload } from "./api.ts";
import { messageText, normaliseMessage } from "./timeline.ts";
import type { SseEvent } from "./sse.ts";
import type { NodeStatus } from "./graphView.ts";

export const STREAM_MODES = ["values", "updates", "messages-tuple", "debug", "custom"];

export interface RunWatchers {
  onEvent?: (ev: SseEvent) => void;
  onNode?: (node: string, status: NodeStatus) => void;
  /** The reply so far (the newest AI message with text), after each token. */
  onReply?: (text: string) => void;
  onMetadata?: (meta: { run_id?: string; thread_id?: string }) => void;
}

export interface RunOutcome {
  runId: string | null;
  values: Record<string, unknown> | null;
  interrupts: unknown[];
  error: { error: string; message: string } | null;
  tokens: number;
}

export async function watchRun(api: Api, threadId: string, payload: Omit<RunPayload, "stream_mode">, w: RunWatchers = {}, signal?: AbortSignal): Promise<RunOutcome> {
  const out: RunOutcome = { runId: null, values: null, interrupts: [], error: null, tokens: 0 };
  const texts = new Map<string, string>();
  let lastTextId: string | null = null;
  // Studio turns keep a checkpoint per step (durability "sync") so time travel can step through
  // them even when the server runs app traffic with AISLE_DURABILITY=adaptive or exit.
  for await (const ev of api.streamRun(threadId, { durability: "sync", ...payload, stream_mode: STREAM_MODES }, signal)) {
    w.onEvent?.(ev);
    const data = ev.data as Record<string, unknown> | unknown[] | null;
    switch (ev.event) {
      case "metadata": {
        const m = (data ?? {}) as { run_id?: string; thread_id?: string };
        out.runId = m.run_id ?? null;
        w.onMetadata?.(m);
        break;
      }
      case "debug": {
        const d = (data ?? {}) as { type?: string; payload?: { name?: string; error?: unknown; interrupts?: unknown[] } };
        const name = d.payload?.name;
        if (!name) break;
        if (d.type === "task") w.onNode?.(name, "active");
        else if (d.type === "task_result") {
          w.onNode?.(name, d.payload?.error ? "error" : d.payload?.interrupts?.length ? "interrupted" : "done");
        }
        break;
      }
      case "updates": {
        for (const [node, update] of Object.entries((data ?? {}) as Record<string, unknown>)) {
          if (node === "__interrupt__") {
            const list = Array.isArray(update) ? update : [update];
            out.interrupts.push(...list);
            continue;
          }
          w.onNode?.(node, "done");
        }
        break;
      }
      case "messages": {
        if (!Array.isArray(data)) break;
        const [chunk] = data as [Record<string, unknown>, Record<string, unknown>];
        const msg = normaliseMessage(chunk);
        if (msg.type !== "ai") break;
        const id = msg.id ?? "_";
        const raw = messageText(chunk?.content ?? (chunk as { kwargs?: { content?: unknown } })?.kwargs?.content);
        if (!raw) break;
        // Chunks carry deltas; a complete (non-chunk) message carries the whole text.
        const isChunk = /chunk/i.test(String(chunk?.type ?? "")) || /Chunk/.test(JSON.stringify((chunk as { id?: unknown })?.id ?? ""));
        const prev = texts.get(id) ?? "";
        texts.set(id, isChunk ? prev + raw : raw);
        out.tokens++;
        lastTextId = id;
        w.onReply?.(texts.get(id)!);
        break;
      }
      case "values": {
        out.values = (data ?? null) as Record<string, unknown> | null;
        const intr = (data as { __interrupt__?: unknown[] } | null)?.__interrupt__;
        if (Array.isArray(intr) && intr.length && !out.interrupts.length) out.interrupts.push(...intr);
        break;
      }
      case "error": {
        const e = (data ?? {}) as { error?: string; message?: string };
        out.error = { error: e.error ?? "Error", message: e.message ?? String(ev.data) };
        break;
      }
    }
  }
  if (lastTextId === null && out.values && typeof out.values.reply === "string") w.onReply?.(out.values.reply);
  return out;
}
