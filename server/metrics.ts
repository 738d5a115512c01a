import type pg from "pg";
import client from "prom-client";
import { shareMetricsWithPrimary } from "./clusterMetrics.ts";

/**
 * Prometheus metrics for one server process (`GET /metrics`). Names are documented in docs/API.md.
 * A registry per server instance, so tests and several in-process servers do not collide.
 */
export function createMetrics(pools: Record<string, pg.Pool>) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "aisle_process_" });
  const latency = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const m = {
    registry,
    httpRequests: new client.Counter({ name: "aisle_http_requests_total", help: "HTTP requests by method, route and status", labelNames: ["method", "route", "status"], registers: [registry] }),
    httpDuration: new client.Histogram({ name: "aisle_http_request_duration_seconds", help: "HTTP request latency (time to response headers for streams)", labelNames: ["method", "route"], buckets: latency, registers: [registry] }),
    runDuration: new client.Histogram({ name: "aisle_run_duration_seconds", help: "Run (turn) latency by outcome", labelNames: ["status"], buckets: latency, registers: [registry] }),
    runsActive: new client.Gauge({ name: "aisle_runs_active", help: "Runs executing in this process", registers: [registry] }),
    nodeDuration: new client.Histogram({ name: "aisle_node_duration_seconds", help: "Graph node latency", labelNames: ["node"], buckets: latency, registers: [registry] }),
    turns: new client.Counter({ name: "aisle_turns_total", help: "Completed turns by routed intent and model tier", labelNames: ["intent", "tier"], registers: [registry] }),
    turnDuration: new client.Histogram({ name: "aisle_turn_duration_seconds", help: "Turn latency by intent and tier", labelNames: ["intent", "tier"], buckets: latency, registers: [registry] }),
    tokens: new client.Counter({ name: "aisle_tokens_total", help: "Model tokens by tier and kind (input/output)", labelNames: ["tier", "kind"], registers: [registry] }),
    cost: new client.Counter({ name: "aisle_cost_usd_total", help: "Model cost in USD by tier", labelNames: ["tier"], registers: [registry] }),
    verdicts: new client.Counter({ name: "aisle_governance_verdicts_total", help: "Governance verdicts by rail and verdict", labelNames: ["rail", "verdict"], registers: [registry] }),
    toolErrors: new client.Counter({ name: "aisle_tool_errors_total", help: "Tool calls that returned an error", labelNames: ["tool"], registers: [registry] }),
    escalations: new client.Counter({ name: "aisle_escalations_total", help: "Turns that stopped for a manager's approval", registers: [registry] }),
    checkpointWrite: new client.Histogram({ name: "aisle_checkpoint_write_seconds", help: "Checkpoint write latency (put and putWrites)", labelNames: ["op"], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1], registers: [registry] }),
    dbUnavailable: new client.Counter({ name: "aisle_db_unavailable_total", help: "Requests refused with 503 because the database was unreachable", registers: [registry] }),
  };
  new client.Gauge({
    name: "aisle_db_pool_connections",
    help: "Database pool connections by pool and state (total, idle, waiting clients); waiting > 0 means saturation",
    labelNames: ["pool", "state"],
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, state: "total" }, pool.totalCount);
        this.set({ pool: name, state: "idle" }, pool.idleCount);
        this.set({ pool: name, state: "waiting" }, pool.waitingCount);
      }
    },
  });
  // Under `aisle serve --workers N` a scrape reports every worker (server/clusterMetrics.ts).
  shareMetricsWithPrimary(registry);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
