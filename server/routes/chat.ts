import { Router } from "express";
import { requireCaller } from "../auth.ts";
import { assertCanConverse } from "../access.ts";
import { HttpError, parse } from "../errors.ts";
import type { ServerContext } from "../context.ts";
import { ChatRequest } from "../schemas.ts";
import { SseWriter } from "../sse.ts";
import { summarizeTurn } from "../turnSummary.ts";
import { createRun } from "./runs.ts";
import { GRAPH_ID } from "../runtime.ts";

/**
 * `POST /v1/chat {thread_id?, message}` — one turn for clients without the LangGraph SDK.
 * With `Accept: text/event-stream`: `metadata`, then `token` events `{text}` as the reply is
 * generated, then one `final` event; otherwise one JSON object. Both end with
 * `{thread_id, run_id, reply, intent, tier, verdicts, interrupted}`.
 */
export function chatRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.post("/v1/chat", async (req, res) => {
    const caller = requireCaller(req);
    const body = parse(ChatRequest, req.body, "body");
    assertCanConverse(caller);
    let threadId = body.thread_id;
    if (!threadId) {
      const { thread } = await ctx.store.createThread({ owner: caller.principal, metadata: { channel: "chat" }, ifExists: "raise" });
      threadId = thread.thread_id;
    }
    const run = await createRun(ctx, req, threadId, {
      assistant_id: GRAPH_ID,
      input: { messages: [{ role: "user", content: body.message }] },
      stream_mode: ["messages-tuple"],
    });
    const final = async () => {
      const ended = await ctx.executor.waitForEnd(run.run_id);
      const thread = await ctx.store.getThread(run.thread_id);
      if (!ended || ended.status === "error" || ended.status === "timeout") {
        throw new HttpError(502, "turn_failed", ended?.error?.message ? `The turn failed: ${ended.error.message}` : `The turn ended with status ${ended?.status ?? "deleted"}.`);
      }
      const interrupted = Object.keys(thread?.interrupts ?? {}).length > 0;
      const s = summarizeTurn(thread?.values ?? {}, interrupted);
      return { thread_id: run.thread_id, run_id: run.run_id, reply: s.reply, intent: s.intent, tier: s.tier, verdicts: s.verdicts, interrupted: s.interrupted };
    };

    if (!req.accepts(["application/json", "text/event-stream"]) || !/text\/event-stream/.test(req.headers.accept ?? "")) {
      res.setHeader("Content-Location", `/threads/${run.thread_id}/runs/${run.run_id}`);
      res.json(await final());
      return;
    }
    const sse = new SseWriter(res, { "Content-Location": `/threads/${run.thread_id}/runs/${run.run_id}` });
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    sse.send("metadata", JSON.stringify({ thread_id: run.thread_id, run_id: run.run_id }));
    try {
      for await (const ev of ctx.executor.subscribe(run.run_id, { afterSeq: 0, signal: gone.signal })) {
        if (ev.event !== "messages") continue;
        const [chunk, meta] = JSON.parse(ev.data) as [{ type?: string; content?: unknown }, { tags?: string[] }];
        if (meta?.tags?.includes("nostream")) continue;
        if (chunk?.type !== "ai" && chunk?.type !== "AIMessageChunk") continue;
        const text = typeof chunk.content === "string" ? chunk.content : "";
        if (text) sse.send("token", JSON.stringify({ text }));
      }
      if (!gone.signal.aborted) sse.send("final", JSON.stringify(await final()));
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, "internal_error", "The turn could not be completed.");
      if (!(err instanceof HttpError)) req.log?.error({ err }, "chat stream failed");
      sse.send("error", JSON.stringify({ error: e.code, message: e.message }));
    }
    sse.end();
  });

  return r;
}
