/**
 * The studio's client for Aisle's HTTP API: the same paths and payloads as the LangGraph Agent
 * Server (so everything the studio does, the official SDK can do too), plus the few studio
 * read-outs under `/studio/api`. Every call sends the active API key as `x-api-key`.
 */
import { readSse, type SseEvent } from "./sse.ts";
import type { ThreadState } from "./timeline.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

export interface Thread {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown> | null;
  status: "idle" | "busy" | "interrupted" | "error";
  values: Record<string, unknown> | null;
  interrupts?: Record<string, Array<{ id?: string; value?: unknown }>>;
}

export interface Assistant {
  assistant_id: string;
  graph_id: string;
  name?: string;
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  version?: number;
}

export interface RunPayload {
  assistant_id: string;
  input?: Record<string, unknown> | null;
  command?: { resume?: unknown; update?: unknown; goto?: unknown };
  stream_mode?: string[];
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  checkpoint_id?: string;
  checkpoint?: { checkpoint_id: string; checkpoint_ns?: string };
  multitask_strategy?: "reject" | "enqueue" | "interrupt" | "rollback";
  if_not_exists?: "create" | "reject";
  durability?: "sync" | "async" | "exit";
}

export interface Caller {
  role: string;
  customer_id?: string | null;
  store_id?: string | null;
  key_id?: string | null;
}

export class Api {
  constructor(
    private readonly getKey: () => string | null,
    private readonly base = "",
  ) {}

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: "application/json" };
    if (json) h["content-type"] = "application/json";
    const key = this.getKey();
    if (key) h["x-api-key"] = key;
    return h;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(body !== undefined) };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    const res = await fetch(this.base + path, init);
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) throw new ApiError(res.status, parsed, errorMessage(res.status, parsed));
    return parsed as T;
  }

  whoami(): Promise<Caller> {
    return this.request("GET", "/studio/api/whoami");
  }

  searchAssistants(): Promise<Assistant[]> {
    return this.request("POST", "/assistants/search", { limit: 50 });
  }

  graph(assistantId: string): Promise<import("./graphLayout.ts").GraphJson> {
    return this.request("GET", `/assistants/${enc(assistantId)}/graph`);
  }

  searchThreads(body: { limit?: number; offset?: number; status?: string; metadata?: Record<string, unknown> }): Promise<Thread[]> {
    return this.request("POST", "/threads/search", { limit: 50, ...body });
  }

  createThread(metadata?: Record<string, unknown>): Promise<Thread> {
    return this.request("POST", "/threads", metadata ? { metadata } : {});
  }

  getThread(id: string): Promise<Thread> {
    return this.request("GET", `/threads/${enc(id)}`);
  }

  getState(id: string): Promise<ThreadState> {
    return this.request("GET", `/threads/${enc(id)}/state`);
  }

  history(id: string, limit = 200): Promise<ThreadState[]> {
    return this.request("POST", `/threads/${enc(id)}/history`, { limit });
  }

  /** Writes state as a new checkpoint branching from `checkpoint_id` (a fork), or from the head. */
  updateState(
    id: string,
    body: { values: Record<string, unknown> | null; checkpoint_id?: string; as_node?: string },
  ): Promise<{ checkpoint: { checkpoint_id: string; thread_id?: string; checkpoint_ns?: string } }> {
    return this.request("POST", `/threads/${enc(id)}/state`, body);
  }

  /** `POST /threads/:id/runs/stream` (or `/runs/stream` without a thread); yields SSE events. */
  async *streamRun(threadId: string | null, payload: RunPayload, signal?: AbortSignal): AsyncGenerator<SseEvent> {
    const path = threadId ? `/threads/${enc(threadId)}/runs/stream` : "/runs/stream";
    const init: RequestInit = {
      method: "POST",
      headers: { ...this.headers(true), accept: "text/event-stream" },
      body: JSON.stringify(payload),
    };
    if (signal) init.signal = signal;
    const res = await fetch(this.base + path, init);
    if (!res.ok || !res.body) {
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* plain text body */
      }
      throw new ApiError(res.status, parsed, errorMessage(res.status, parsed));
    }
    yield* readSse(res.body, signal);
  }

  // Studio read-outs (server/routes/studio.ts).
  nodes(assistantId: string): Promise<StudioNodes> {
    return this.request("GET", `/studio/api/assistants/${enc(assistantId)}/nodes`);
  }

  monitoring(windowMinutes: number): Promise<MonitoringSummary> {
    return this.request("GET", `/studio/api/monitoring?window_minutes=${windowMinutes}`);
  }

  audit(threadId: string): Promise<AuditStatus> {
    return this.request("GET", `/studio/api/threads/${enc(threadId)}/audit`);
  }

  turns(threadId: string): Promise<{ thread_id: string; turns: TurnRecord[] }> {
    return this.request("GET", `/studio/api/threads/${enc(threadId)}/turns`);
  }

  feedback(threadId: string, body: { run_id?: string; corrected_intent?: string; label?: string; rating?: "up" | "down" }): Promise<RecordedFeedback> {
    return this.request("POST", `/threads/${enc(threadId)}/feedback`, body);
  }
}

export interface NodeInfo {
  id: string;
  layer: string | null;
  description: string;
  config: Record<string, unknown>;
  versions: Record<string, string>;
  p50_ms: number | null;
  p95_ms: number | null;
  count: number;
}

export interface StudioNodes {
  nodes: NodeInfo[];
  window_minutes: number;
}

export interface LatencyRow {
  p50_ms: number | null;
  p95_ms: number | null;
  count: number;
}

export interface MonitoringSummary {
  window_minutes: number;
  turns: number;
  turns_per_second: number;
  per_node: Array<{ node: string } & LatencyRow>;
  intents: Record<string, number>;
  routes: Record<string, number>;
  tiers: Record<string, number>;
  verdicts: Record<string, number>;
  series: Array<{ t: string; turns: number; tokens: number; cost_usd: number }>;
  tokens: number;
  cost_usd: number;
  layers: { ours: Record<string, number>; ms: Record<string, number>; reference: Record<string, number>; total_ms: number; unmeasured: string[] };
}

export interface AuditStatus {
  thread_id: string;
  status: "verified" | "broken" | "empty";
  rows: number;
  broken_at?: number | null;
  detail?: string | null;
}

/** One recorded turn (`turn_traces`) as `GET /studio/api/threads/:id/turns` returns it. */
export interface TurnRecord {
  trace_id: string;
  turn: number;
  text: string;
  intent: string | null;
  confidence: number | null;
  agent: string | null;
  tier: string | null;
  outcome: string;
  started_at: string;
  checkpoint_id: string | null;
  /** What the feedback API names the turn by; turns recorded without a run can only be labelled while latest. */
  run_id: string | null;
  /** The latest corrected intent given to this turn, if any. */
  label: { intent: string; author: string | null; at: string | null; count: number } | null;
}

/** `POST /threads/:id/feedback` answers with the turn it recorded the feedback on. */
export interface RecordedFeedback {
  id: number;
  thread_id: string;
  trace_id: string;
  turn: number;
  route_label: boolean;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const msg = [b.error, b.message].filter((x) => typeof x === "string" && x).join(": ");
    if (msg) return `${status} ${msg}`;
  }
  if (typeof body === "string" && body) return `${status} ${body.slice(0, 200)}`;
  return `HTTP ${status}`;
}
