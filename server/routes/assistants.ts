import { Router } from "express";
import { createHash } from "node:crypto";
import { HttpError, notFound, parse } from "../errors.ts";
import type { ServerContext } from "../context.ts";
import { AssistantGraphQuery, AssistantParams, AssistantSearch } from "../schemas.ts";
import { GRAPH_ID } from "../runtime.ts";

/** Aisle serves one graph; its assistant id is a stable UUID derived from the graph id (as the Agent Server does). */
function uuidFromName(name: string): string {
  const h = createHash("sha1").update(`aisle-assistant:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const ASSISTANT_ID = uuidFromName(GRAPH_ID);
const CREATED_AT = new Date("2026-01-01T00:00:00Z").toISOString();

/** Accepts the graph id ("aisle") or the assistant UUID, like the Agent Server. */
export function resolveAssistantId(id: string): string {
  if (id === GRAPH_ID || id === ASSISTANT_ID) return ASSISTANT_ID;
  throw new HttpError(404, "not_found", `Assistant "${id}" not found; Aisle serves the assistant "${GRAPH_ID}" (${ASSISTANT_ID}).`);
}

export const assistantResource = () => ({
  assistant_id: ASSISTANT_ID,
  graph_id: GRAPH_ID,
  name: GRAPH_ID,
  description: "Aisle retail orchestration turn graph",
  config: {},
  context: {},
  metadata: { created_by: "system" },
  version: 1,
  created_at: CREATED_AT,
  updated_at: CREATED_AT,
});

export function assistantRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.post("/assistants/search", (req, res) => {
    const body = parse(AssistantSearch, req.body, "body");
    const a = assistantResource();
    const matches =
      (!body.graph_id || body.graph_id === a.graph_id) &&
      (!body.name || a.name.includes(body.name)) &&
      Object.entries(body.metadata ?? {}).every(([k, v]) => (a.metadata as Record<string, unknown>)[k] === v);
    res.json(matches && (body.offset ?? 0) === 0 ? [a] : []);
  });

  r.post("/assistants/count", (req, res) => {
    const body = parse(AssistantSearch, req.body, "body");
    res.json(!body.graph_id || body.graph_id === GRAPH_ID ? 1 : 0);
  });

  r.get("/assistants/:assistant_id", (req, res) => {
    const { assistant_id } = parse(AssistantParams, req.params, "path");
    resolveAssistantId(assistant_id);
    res.json(assistantResource());
  });

  r.get("/assistants/:assistant_id/graph", async (req, res) => {
    const { assistant_id } = parse(AssistantParams, req.params, "path");
    parse(AssistantGraphQuery, req.query, "query");
    resolveAssistantId(assistant_id);
    const graph = await ctx.runtime.graph.getGraphAsync();
    res.json(graph.toJSON());
  });

  r.get("/assistants/:assistant_id/schemas", (req, res) => {
    const { assistant_id } = parse(AssistantParams, req.params, "path");
    resolveAssistantId(assistant_id);
    res.json({ graph_id: GRAPH_ID, input_schema: null, output_schema: null, state_schema: null, config_schema: null, context_schema: null });
  });

  r.get("/assistants/:assistant_id/subgraphs", (req, res) => {
    const { assistant_id } = parse(AssistantParams, req.params, "path");
    resolveAssistantId(assistant_id);
    res.json({});
  });

  r.all(["/assistants", "/assistants/:assistant_id"], (req) => {
    if (req.method === "GET") throw notFound("Route");
    throw new HttpError(405, "method_not_allowed", "Aisle's assistant is defined by its deployment; assistants cannot be created, changed or deleted over the API.");
  });

  return r;
}
