import { Router, type Request, type Response } from "express";
import type { Caller } from "../apiKeys.ts";
import { requireCaller } from "../auth.ts";
import { assertCanConverse, assertCanResume, canSeeThread } from "../access.ts";
import { conflict, forbidden, HttpError, notFound, parse } from "../errors.ts";
import { assertCanWriteThread, loadThread, type ServerContext } from "../context.ts";
import { isTerminal } from "../runExecutor.ts";
import { redactDeep, SECRET_KINDS } from "../../governance/index.ts";
import { RunCancelQuery, RunCreate, RunJoinQuery, RunListQuery, RunParams, RunStreamQuery, ThreadIdParams, UserInput } from "../schemas.ts";
import { runResource, type RunKwargs, type RunRow, type ThreadRow } from "../store.ts";
import { SseWriter } from "../sse.ts";
import { GRAPH_ID, type GraphCaller } from "../runtime.ts";
import { resolveAssistantId } from "./assistants.ts";

/** Configurable keys a client may never set: identity and checkpoint addressing are the server's. */
const RESERVED_CONFIGURABLE = new Set(["caller", "thread_id", "run_id", "checkpoint_id", "checkpoint_ns", "checkpoint_map"]);

export const graphCaller = (c: Caller): GraphCaller => ({
  role: c.role,
  ...(c.customer_id ? { customer_id: c.customer_id } : {}),
  ...(c.store_id ? { store_id: c.store_id } : {}),
});

/**
 * Validates a run request against the caller's role and turns it into stored run kwargs:
 * - only a manager resumes an interrupt (`command.resume`); only an admin sends `command.update/goto`;
 * - non-admins send new user messages only (`{messages: [{role: "user", content}]}`);
 * - only admins pass `config.configurable` (model/tier overrides); nobody sets the caller.
 */
export function runKwargsFor(caller: Caller, body: RunCreate): RunKwargs {
  const command = body.command ?? null;
  if (command) {
    if (command.resume !== undefined) assertCanResume(caller);
    if ((command.update !== undefined || command.goto !== undefined) && caller.role !== "admin") {
      throw forbidden("Only an admin may send command.update or command.goto.");
    }
  } else {
    assertCanConverse(caller);
  }
  if (body.input !== undefined && body.input !== null && caller.role !== "admin") parse(UserInput, body.input, "body.input");
  const reserved = Object.keys(body.config?.configurable ?? {}).filter((k) => RESERVED_CONFIGURABLE.has(k) || k.startsWith("__"));
  if (reserved.length) throw forbidden(`config.configurable.${reserved[0]} is set by the server (identity comes from your credential).`);
  const configurable = Object.fromEntries(
    Object.entries(body.config?.configurable ?? {}).filter(([k]) => !RESERVED_CONFIGURABLE.has(k) && !k.startsWith("__")),
  );
  if (Object.keys(configurable).length && caller.role !== "admin") throw forbidden("Only an admin may set config.configurable.");
  const modes = body.stream_mode == null ? ["values"] : Array.isArray(body.stream_mode) ? body.stream_mode : [body.stream_mode];
  return {
    // Secrets a customer pastes (full card numbers, SSNs) are masked here, before the run row,
    // LangGraph's checkpoint writes or any log sees them; the graph's input rail masks the rest.
    input: body.input == null ? null : redactDeep(body.input, { kinds: SECRET_KINDS }),
    command,
    stream_mode: modes.length ? [...new Set(modes)] : ["values"],
    config: {
      ...(body.config?.tags ? { tags: body.config.tags } : {}),
      ...(body.config?.recursion_limit ? { recursion_limit: body.config.recursion_limit } : {}),
      configurable,
    },
    checkpoint_id: body.checkpoint_id ?? body.checkpoint?.checkpoint_id ?? null,
    interrupt_before: body.interrupt_before ?? null,
    interrupt_after: body.interrupt_after ?? null,
    durability: body.durability ?? null,
  };
}

/** Admits a run on a thread for this caller (thread access, escalation guard, multitask strategy). */
export async function createRun(ctx: ServerContext, req: Request, threadId: string, body: RunCreate): Promise<RunRow> {
  const caller = requireCaller(req);
  const assistantId = resolveAssistantId(body.assistant_id);
  const kwargs = runKwargsFor(caller, body);
  const resuming = kwargs.command?.resume !== undefined;
  let thread = await ctx.store.getThread(threadId);
  if (!thread && body.if_not_exists === "create" && !resuming) {
    ({ thread } = await ctx.store.createThread({ threadId, owner: caller.principal, metadata: {}, ifExists: "do_nothing" }));
  }
  if (!thread || !canSeeThread(caller, thread)) throw notFound(`Thread ${threadId}`);
  // A manager resumes escalations on any thread they can see; everything else needs write access.
  if (!resuming) assertCanWriteThread(caller, thread);
  const { run, cancelled } = await ctx.store.admitRun({
    threadId,
    assistantId,
    createdBy: caller.principal,
    caller: graphCaller(caller),
    strategy: body.multitask_strategy ?? ctx.config.defaultMultitaskStrategy,
    kwargs,
    metadata: { ...(body.metadata ?? {}), graph_id: GRAPH_ID },
    check: (t: ThreadRow) => {
      const awaiting = Object.keys(t.interrupts ?? {}).length > 0 && t.status === "interrupted";
      if (resuming && !awaiting) throw conflict("This thread has no escalation waiting to be resumed.", "nothing_to_resume");
      if (!resuming && awaiting && caller.role !== "manager" && caller.role !== "admin") {
        throw conflict("This conversation is waiting for a manager's approval; it continues once a manager resumes it.", "awaiting_approval");
      }
    },
  });
  for (const c of cancelled) ctx.executor.abortLocal(c.run_id, body.multitask_strategy === "rollback" ? "rollback" : "interrupt");
  ctx.executor.kick(threadId);
  return run;
}

/** The value `wait`/`join` return: the thread's values after the run (+ pending interrupts), or `__error__`. */
export async function runResult(ctx: ServerContext, run: RunRow | undefined): Promise<unknown> {
  if (!run) return null;
  if (run.status === "error" || run.status === "timeout") return { __error__: run.error ?? { error: "Error", message: `Run ended with status ${run.status}` } };
  const thread = await ctx.store.getThread(run.thread_id);
  const values = (thread?.values ?? {}) as Record<string, unknown>;
  const interrupts = Object.values(thread?.interrupts ?? {}).flat();
  return interrupts.length ? { ...values, __interrupt__: interrupts } : values;
}

const contentLocation = (run: RunRow) => `/threads/${run.thread_id}/runs/${run.run_id}`;

/** Streams a run's events to `res` as SSE, from after `afterSeq`, filtered to `modes` if given. */
export async function pipeRunEvents(
  ctx: ServerContext,
  req: Request,
  res: Response,
  run: RunRow,
  opts: { afterSeq: number; modes?: string[]; cancelOnDisconnect: boolean },
) {
  const sse = new SseWriter(res, { "Content-Location": contentLocation(run) });
  const disconnect = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) {
      disconnect.abort();
      if (opts.cancelOnDisconnect) void ctx.store.requestCancel(run.run_id, "interrupt", "client disconnected").then(() => ctx.executor.abortLocal(run.run_id, "interrupt")).catch(() => {});
    }
  });
  const allowed = opts.modes?.length ? new Set(opts.modes.map((m) => (m === "messages-tuple" ? "messages" : m))) : undefined;
  try {
    for await (const ev of ctx.executor.subscribe(run.run_id, { afterSeq: opts.afterSeq, signal: disconnect.signal })) {
      if (allowed && ev.event !== "metadata" && ev.event !== "error" && !allowed.has(ev.event)) continue;
      sse.send(ev.event, ev.data, ev.seq);
    }
  } catch (err) {
    ctx.dbHealth.observe(err);
    req.log?.warn({ err, run_id: run.run_id }, "run stream interrupted");
    sse.send("error", JSON.stringify({ error: "StreamError", message: "The event stream was interrupted; re-attach with Last-Event-ID." }));
  }
  sse.end();
}

async function loadRun(ctx: ServerContext, req: Request, need: "read" | "cancel"): Promise<{ run: RunRow; thread: ThreadRow }> {
  const { thread_id, run_id } = parse(RunParams, req.params, "path");
  const thread = await loadThread(ctx, req, thread_id, need === "cancel" ? "cancel" : "read");
  const run = await ctx.store.getRun(run_id);
  if (!run || run.thread_id !== thread_id) throw notFound(`Run ${run_id}`);
  return { run, thread };
}

const flag = (v: string | undefined) => v === "true" || v === "1";

/** Runs: background, stream, wait; get, list, join, re-attach (Last-Event-ID), cancel. */
export function runRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.post("/threads/:thread_id/runs", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const run = await createRun(ctx, req, thread_id, parse(RunCreate, req.body, "body"));
    res.setHeader("Content-Location", contentLocation(run));
    res.json(runResource(run));
  });

  r.post("/threads/:thread_id/runs/stream", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(RunCreate, req.body, "body");
    const run = await createRun(ctx, req, thread_id, body);
    await pipeRunEvents(ctx, req, res, run, { afterSeq: 0, cancelOnDisconnect: body.on_disconnect === "cancel" });
  });

  r.post("/threads/:thread_id/runs/wait", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const body = parse(RunCreate, req.body, "body");
    const run = await createRun(ctx, req, thread_id, body);
    res.setHeader("Content-Location", contentLocation(run));
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const final = await ctx.executor.waitForEnd(run.run_id, gone.signal);
    if (gone.signal.aborted) {
      if (body.on_disconnect === "cancel") {
        await ctx.store.requestCancel(run.run_id, "interrupt", "client disconnected");
        ctx.executor.abortLocal(run.run_id, "interrupt");
      }
      return;
    }
    res.json(await runResult(ctx, final));
  });

  r.get("/threads/:thread_id/runs", async (req, res) => {
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    const q = parse(RunListQuery, req.query, "query");
    await loadThread(ctx, req, thread_id, "read");
    const runs = await ctx.store.listRuns(thread_id, { limit: q.limit ?? 10, offset: q.offset ?? 0, status: q.status });
    res.json(runs.map(runResource));
  });

  r.get("/threads/:thread_id/runs/:run_id", async (req, res) => {
    const { run } = await loadRun(ctx, req, "read");
    res.json(runResource(run));
  });

  r.delete("/threads/:thread_id/runs/:run_id", async (req, res) => {
    const { thread_id } = parse(RunParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "write");
    const { run } = await loadRun(ctx, req, "read");
    if (!isTerminal(run.status)) throw conflict("Run is still in progress; cancel it first.", "run_active");
    await ctx.store.pool.query("DELETE FROM runs WHERE run_id = $1", [run.run_id]);
    res.status(204).end();
  });

  r.get("/threads/:thread_id/runs/:run_id/join", async (req, res) => {
    const q = parse(RunJoinQuery, req.query, "query");
    const { run } = await loadRun(ctx, req, "read");
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const final = await ctx.executor.waitForEnd(run.run_id, gone.signal);
    if (gone.signal.aborted) {
      if (flag(q.cancel_on_disconnect)) await ctx.store.requestCancel(run.run_id, "interrupt", "client disconnected");
      return;
    }
    res.json(await runResult(ctx, final));
  });

  r.get("/threads/:thread_id/runs/:run_id/stream", async (req, res) => {
    const q = parse(RunStreamQuery, req.query, "query");
    const { run } = await loadRun(ctx, req, "read");
    const lastEventId = req.headers["last-event-id"];
    const afterSeq = typeof lastEventId === "string" && /^\d{1,9}$/.test(lastEventId.trim()) ? Number(lastEventId) : 0;
    const modes = q.stream_mode === undefined ? undefined : Array.isArray(q.stream_mode) ? q.stream_mode : [q.stream_mode];
    await pipeRunEvents(ctx, req, res, run, { afterSeq, modes, cancelOnDisconnect: flag(q.cancel_on_disconnect) });
  });

  r.post("/threads/:thread_id/runs/:run_id/cancel", async (req, res) => {
    const q = parse(RunCancelQuery, req.query, "query");
    const { run } = await loadRun(ctx, req, "cancel");
    const action = q.action ?? "interrupt";
    if (!isTerminal(run.status)) {
      await ctx.store.requestCancel(run.run_id, action, q.reason ?? "cancelled");
      ctx.executor.abortLocal(run.run_id, action);
    }
    if (flag(q.wait)) {
      await ctx.executor.waitForEnd(run.run_id);
      res.status(204).end();
    } else {
      res.status(202).end();
    }
  });

  // Stateless runs (no thread) are not part of Aisle: every turn belongs to a conversation.
  r.all(["/runs", "/runs/*path"], () => {
    throw new HttpError(404, "not_supported", "Stateless runs are not supported: create a thread and run on it (POST /threads/{thread_id}/runs).");
  });

  return r;
}
