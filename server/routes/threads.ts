import { Router } from "express";
import type { StateSnapshot } from "@langchain/langgraph";
import { requireCaller } from "../auth.ts";
import { assertCanConverse, assertCanUpdateState } from "../access.ts";
import { conflict, notFound, parse } from "../errors.ts";
import { loadThread, threadStateResource, type ServerContext } from "../context.ts";
import { deleteCheckpointsAfter } from "../runExecutor.ts";
import {
  CheckpointParams,
  HistoryRequest,
  StateCheckpointBody,
  StateQuery,
  StateUpdate,
  ThreadCreate,
  ThreadIdParams,
  ThreadPatch,
  ThreadSearch,
} from "../schemas.ts";
import { threadResource } from "../store.ts";
import { toPlain } from "../serialize.ts";

/** Threads: create, read, patch, delete, search; state (latest, at a checkpoint, update/fork) and history. */
export function threadRoutes(ctx: ServerContext): Router {
  const r = Router();
  const { store, runtime } = ctx;

  r.post("/threads", async (req, res) => {
    const caller = requireCaller(req);
    const body = parse(ThreadCreate, req.body, "body");
    assertCanConverse(caller);
    const { thread } = await store.createThread({
      threadId: body.thread_id,
      owner: caller.principal,
      metadata: body.metadata ?? {},
      ifExists: body.if_exists ?? "raise",
    });
    res.json(threadResource(thread));
  });

  r.post("/threads/search", async (req, res) => {
    const caller = requireCaller(req);
    const body = parse(ThreadSearch, req.body, "body");
    const supervisor = caller.role === "manager" || caller.role === "admin";
    const rows = await store.searchThreads({
      owner: supervisor ? undefined : caller.principal,
      ids: body.ids,
      metadata: body.metadata,
      values: body.values,
      status: body.status,
      limit: body.limit ?? 10,
      offset: body.offset ?? 0,
      sortBy: body.sort_by ?? "created_at",
      sortOrder: body.sort_order ?? "desc",
    });
    let out: Array<Record<string, unknown>> = rows.map(threadResource);
    if (body.select?.length) out = out.map((t) => Object.fromEntries(body.select!.filter((k) => k in t).map((k) => [k, t[k]])));
    res.json(out);
  });

  r.post("/threads/count", async (req, res) => {
    const caller = requireCaller(req);
    const body = parse(ThreadSearch, req.body, "body");
    const supervisor = caller.role === "manager" || caller.role === "admin";
    const rows = await store.searchThreads({
      owner: supervisor ? undefined : caller.principal,
      metadata: body.metadata,
      values: body.values,
      status: body.status,
      limit: 100_000,
      offset: 0,
      sortBy: "created_at",
      sortOrder: "desc",
    });
    res.json(rows.length);
  });

  r.get("/threads/:thread_id", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    res.json(threadResource(await loadThread(ctx, req, thread_id, "read")));
  });

  r.patch("/threads/:thread_id", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(ThreadPatch, req.body, "body");
    await loadThread(ctx, req, thread_id, "write");
    const updated = await store.patchThreadMetadata(thread_id, body.metadata ?? {});
    if (!updated) throw notFound(`Thread ${thread_id}`);
    res.json(threadResource(updated));
  });

  r.delete("/threads/:thread_id", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "write");
    await store.deleteThread(thread_id, (client) => deleteCheckpointsAfter(client, thread_id, null));
    res.status(204).end();
  });

  const stateAt = async (threadId: string, checkpoint?: Record<string, unknown> | null): Promise<StateSnapshot> =>
    runtime.graph.getState({ configurable: { checkpoint_ns: "", ...stripNulls(checkpoint ?? {}), thread_id: threadId } });

  r.get("/threads/:thread_id/state", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    parse(StateQuery, req.query, "query");
    await loadThread(ctx, req, thread_id, "read");
    res.json(threadStateResource(await stateAt(thread_id)));
  });

  r.post("/threads/:thread_id/state/checkpoint", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(StateCheckpointBody, req.body, "body");
    await loadThread(ctx, req, thread_id, "read");
    const state = await stateAt(thread_id, body.checkpoint);
    if (body.checkpoint.checkpoint_id && !state.config?.configurable?.checkpoint_id) throw notFound(`Checkpoint ${body.checkpoint.checkpoint_id}`);
    res.json(threadStateResource(state));
  });

  r.get("/threads/:thread_id/state/:checkpoint_id", async (req, res) => {
    const { thread_id, checkpoint_id } = parse(CheckpointParams, req.params, "path");
    parse(StateQuery, req.query, "query");
    await loadThread(ctx, req, thread_id, "read");
    const state = await stateAt(thread_id, { checkpoint_id });
    if (!state.config?.configurable?.checkpoint_id) throw notFound(`Checkpoint ${checkpoint_id}`);
    res.json(threadStateResource(state));
  });

  r.post("/threads/:thread_id/state", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(StateUpdate, req.body, "body");
    assertCanUpdateState(requireCaller(req));
    await loadThread(ctx, req, thread_id, "read");
    const busy = await store.pool.query("SELECT 1 FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') LIMIT 1", [thread_id]);
    if (busy.rowCount) throw conflict("Thread has a run in progress; update its state when it is idle.", "thread_busy");
    const configurable: Record<string, unknown> = { checkpoint_ns: "", ...stripNulls(body.checkpoint ?? {}), thread_id };
    if (body.checkpoint_id) configurable.checkpoint_id = body.checkpoint_id;
    const next = await runtime.graph.updateState({ configurable }, body.values ?? null, body.as_node ?? undefined);
    const state = await stateAt(thread_id);
    await store.setThreadState(thread_id, {
      status: state.tasks.some((t) => t.interrupts?.length) ? "interrupted" : "idle",
      values: toPlain(state.values),
      interrupts: Object.fromEntries(state.tasks.filter((t) => t.interrupts?.length).map((t) => [t.id, toPlain(t.interrupts)])),
      error: null,
    });
    // The Agent Server answers `{checkpoint}`; the JS SDK types it as `{configurable}`: send both.
    res.json({ checkpoint: next.configurable, configurable: next.configurable });
  });

  r.post("/threads/:thread_id/history", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(HistoryRequest, req.body, "body");
    await loadThread(ctx, req, thread_id, "read");
    const before = typeof body.before === "string" ? { configurable: { checkpoint_id: body.before } } : (body.before ?? undefined);
    const states = [];
    for await (const s of runtime.graph.getStateHistory(
      { configurable: { checkpoint_ns: "", ...stripNulls(body.checkpoint ?? {}), thread_id } },
      { limit: body.limit ?? 10, ...(before ? { before } : {}), ...(body.metadata ? { filter: body.metadata } : {}) },
    )) {
      states.push(threadStateResource(s));
    }
    res.json(states);
  });

  r.get("/threads/:thread_id/history", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "read");
    const limit = Math.min(Math.max(Number(req.query.limit ?? 10) || 10, 1), 1000);
    const states = [];
    for await (const s of runtime.graph.getStateHistory({ configurable: { thread_id, checkpoint_ns: "" } }, { limit })) states.push(threadStateResource(s));
    res.json(states);
  });

  return r;
}

function stripNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== null && v !== undefined && k !== "thread_id"));
}
