import { z } from "zod";
import * as S from "./schemas.ts";

interface RouteDoc {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  stream?: boolean;
  auth?: false;
}

/** Every route, documented from the same zod schemas the handlers validate with. */
export const ROUTES: RouteDoc[] = [
  { method: "get", path: "/ok", summary: "Liveness (Agent Server compatible)", tag: "system", auth: false },
  { method: "get", path: "/info", summary: "Server information", tag: "system", auth: false },
  { method: "get", path: "/health", summary: "Liveness: the process is serving", tag: "system", auth: false },
  { method: "get", path: "/ready", summary: "Readiness: the database is reachable (503 when not)", tag: "system", auth: false },
  { method: "get", path: "/metrics", summary: "Prometheus metrics", tag: "system", auth: false },
  { method: "get", path: "/openapi.json", summary: "This document", tag: "system", auth: false },
  { method: "post", path: "/threads", summary: "Create a thread", tag: "threads", body: S.ThreadCreate },
  { method: "post", path: "/threads/search", summary: "Search the caller's threads", tag: "threads", body: S.ThreadSearch },
  { method: "post", path: "/threads/count", summary: "Count the caller's threads", tag: "threads", body: S.ThreadSearch },
  { method: "get", path: "/threads/{thread_id}", summary: "Get a thread", tag: "threads", params: S.ThreadIdParams },
  { method: "patch", path: "/threads/{thread_id}", summary: "Merge metadata into a thread", tag: "threads", params: S.ThreadIdParams, body: S.ThreadPatch },
  { method: "delete", path: "/threads/{thread_id}", summary: "Delete a thread, its runs and checkpoints", tag: "threads", params: S.ThreadIdParams },
  { method: "get", path: "/threads/{thread_id}/state", summary: "Latest state", tag: "state", params: S.ThreadIdParams, query: S.StateQuery },
  { method: "get", path: "/threads/{thread_id}/state/{checkpoint_id}", summary: "State at a checkpoint", tag: "state", params: S.CheckpointParams, query: S.StateQuery },
  { method: "post", path: "/threads/{thread_id}/state/checkpoint", summary: "State at a checkpoint (body form)", tag: "state", params: S.ThreadIdParams, body: S.StateCheckpointBody },
  { method: "post", path: "/threads/{thread_id}/state", summary: "Update state / fork from a checkpoint (admin)", tag: "state", params: S.ThreadIdParams, body: S.StateUpdate },
  { method: "post", path: "/threads/{thread_id}/history", summary: "State history, newest first", tag: "state", params: S.ThreadIdParams, body: S.HistoryRequest },
  { method: "post", path: "/threads/{thread_id}/runs", summary: "Create a background run", tag: "runs", params: S.ThreadIdParams, body: S.RunCreate },
  { method: "post", path: "/threads/{thread_id}/runs/stream", summary: "Create a run and stream its events (SSE)", tag: "runs", params: S.ThreadIdParams, body: S.RunCreate, stream: true },
  { method: "post", path: "/threads/{thread_id}/runs/wait", summary: "Create a run and wait for its final values", tag: "runs", params: S.ThreadIdParams, body: S.RunCreate },
  { method: "get", path: "/threads/{thread_id}/runs", summary: "List a thread's runs", tag: "runs", params: S.ThreadIdParams, query: S.RunListQuery },
  { method: "get", path: "/threads/{thread_id}/runs/{run_id}", summary: "Get a run", tag: "runs", params: S.RunParams },
  { method: "delete", path: "/threads/{thread_id}/runs/{run_id}", summary: "Delete a finished run", tag: "runs", params: S.RunParams },
  { method: "get", path: "/threads/{thread_id}/runs/{run_id}/join", summary: "Wait for a run and return the thread's final values", tag: "runs", params: S.RunParams, query: S.RunJoinQuery },
  { method: "get", path: "/threads/{thread_id}/runs/{run_id}/stream", summary: "Re-attach to a run's event stream (honours Last-Event-ID)", tag: "runs", params: S.RunParams, query: S.RunStreamQuery, stream: true },
  { method: "post", path: "/threads/{thread_id}/runs/{run_id}/cancel", summary: "Cancel a run (interrupt or rollback)", tag: "runs", params: S.RunParams, query: S.RunCancelQuery },
  { method: "post", path: "/assistants/search", summary: "Search assistants", tag: "assistants", body: S.AssistantSearch },
  { method: "get", path: "/assistants/{assistant_id}", summary: "Get the assistant", tag: "assistants", params: S.AssistantParams },
  { method: "get", path: "/assistants/{assistant_id}/graph", summary: "The graph's nodes and edges", tag: "assistants", params: S.AssistantParams, query: S.AssistantGraphQuery },
  { method: "post", path: "/v1/chat", summary: "One chat turn: JSON, or SSE tokens with Accept: text/event-stream", tag: "chat", body: S.ChatRequest, stream: true },
];

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;

export function buildOpenApi(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: "Error", content: { "application/json": { schema: schema(S.ErrorBody) } } };
  for (const r of ROUTES) {
    const parameters: unknown[] = [];
    for (const [where, obj] of [["path", r.params], ["query", r.query]] as const) {
      if (!obj) continue;
      for (const [name, field] of Object.entries(obj.shape)) {
        parameters.push({ name, in: where, required: where === "path" || !(field as z.ZodType).safeParse(undefined).success, schema: schema(field as z.ZodType) });
      }
    }
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === false ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(r.body) } } } } : {}),
      responses: {
        "200": { description: "OK", content: r.stream ? { "text/event-stream": {}, "application/json": {} } : { "application/json": {} } },
        "400": errorResponse,
        ...(r.auth === false ? {} : { "401": errorResponse, "403": errorResponse, "404": errorResponse }),
        "503": errorResponse,
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Aisle API", version, description: "LangGraph Agent Server–compatible API of Aisle, plus /v1/chat. See docs/API.md." },
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
  };
}
