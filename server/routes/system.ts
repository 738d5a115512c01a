import { Router } from "express";
import type { ServerContext } from "../context.ts";
import { buildOpenApi } from "../openapi.ts";
import { metricsText } from "../clusterMetrics.ts";

export const AISLE_VERSION = "0.1.0";

/** Unauthenticated operational endpoints: liveness, readiness, metrics, info, OpenAPI. */
export function systemRoutes(ctx: ServerContext): Router {
  const r = Router();
  const openapi = buildOpenApi(AISLE_VERSION);

  r.get("/ok", (_req, res) => void res.json({ ok: true }));
  r.get("/health", (_req, res) => void res.json({ status: "ok" }));
  r.get("/info", (_req, res) =>
    void res.json({ name: "aisle", version: AISLE_VERSION, flags: { assistants: true, crons: false, langsmith: false, stateless_runs: false } }),
  );
  r.get("/ready", async (_req, res) => {
    const ok = await ctx.dbHealth.check(1000);
    if (!ok) ctx.dbHealth.observe(Object.assign(new Error("database is unavailable"), { code: "ECONNREFUSED" }));
    res.status(ok ? 200 : 503).json(ok ? { status: "ready", database: "ok" } : { error: "database_unavailable", message: "The database is unreachable." });
  });
  r.get("/metrics", async (_req, res) => {
    res.setHeader("Content-Type", ctx.metrics.registry.contentType);
    res.send(await metricsText(ctx.metrics.registry));
  });
  r.get("/openapi.json", (_req, res) => void res.json(openapi));
  return r;
}
