import type { Request } from "express";
import type { StateSnapshot } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ServerConfig } from "./config.ts";
import type { DatabaseHealth } from "./dbHealth.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import type { RunExecutor } from "./runExecutor.ts";
import type { ServedRuntime } from "./runtime.ts";
import type { ServerStore, ThreadRow } from "./store.ts";
import { requireCaller } from "./auth.ts";
import type { Caller } from "./apiKeys.ts";
import { canCancelOn, canSeeThread, canWriteThread } from "./access.ts";
import { forbidden, notFound } from "./errors.ts";
import { toPlain } from "./serialize.ts";

/** Everything a route needs, built once per server. */
export interface ServerContext {
  store: ServerStore;
  executor: RunExecutor;
  runtime: ServedRuntime;
  metrics: Metrics;
  log: Logger;
  config: ServerConfig;
  dbHealth: DatabaseHealth;
}

/** 403 unless the caller (who can see `thread`) may change it. */
export function assertCanWriteThread(caller: Caller, thread: ThreadRow) {
  if (!canWriteThread(caller, thread)) throw forbidden("This thread belongs to another caller; you may read it but not change it.");
}

/** Loads a thread the caller may act on: 404 when it does not exist or is not theirs to see. */
export async function loadThread(ctx: ServerContext, req: Request, threadId: string, need: "read" | "write" | "cancel"): Promise<ThreadRow> {
  const caller = requireCaller(req);
  const thread = await ctx.store.getThread(threadId);
  if (!thread || !canSeeThread(caller, thread)) throw notFound(`Thread ${threadId}`);
  if (need === "write") assertCanWriteThread(caller, thread);
  if (need === "cancel" && !canCancelOn(caller, thread)) throw forbidden("You may not cancel runs on this thread.");
  return thread;
}

function checkpointOf(config: RunnableConfig | undefined) {
  const c = config?.configurable;
  if (!c?.checkpoint_id) return null;
  return {
    thread_id: c.thread_id,
    checkpoint_ns: c.checkpoint_ns ?? "",
    checkpoint_id: c.checkpoint_id,
    checkpoint_map: c.checkpoint_map ?? null,
  };
}

/** A LangGraph state snapshot as the Agent Server's ThreadState JSON. */
export function threadStateResource(s: StateSnapshot) {
  const tasks = (s.tasks ?? []).map((t) => ({
    id: t.id,
    name: t.name,
    error: t.error ? (t.error instanceof Error ? t.error.message : String((t.error as { message?: string }).message ?? t.error)) : null,
    interrupts: toPlain<unknown[]>(t.interrupts ?? []),
    checkpoint: t.state && "configurable" in t.state ? (t.state.configurable ?? null) : null,
    state: null,
    result: toPlain((t as { result?: unknown }).result ?? null),
  }));
  const metadata = s.metadata ? { ...s.metadata } : undefined;
  if (metadata && (metadata as Record<string, unknown>).checkpoint_ns === "") delete (metadata as Record<string, unknown>).checkpoint_ns;
  return {
    values: toPlain(s.values ?? {}),
    next: s.next ?? [],
    tasks,
    metadata: toPlain(metadata ?? null),
    created_at: s.createdAt ?? null,
    checkpoint: checkpointOf(s.config),
    parent_checkpoint: checkpointOf(s.parentConfig),
    interrupts: tasks.flatMap((t) => t.interrupts),
  };
}
