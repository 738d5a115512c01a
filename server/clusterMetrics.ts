import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import client, { type Registry } from "prom-client";

/**
 * `/metrics` under `aisle serve --workers N`: each worker process has its own registry, and a
 * scrape lands on whichever worker the primary hands the connection to. The worker that receives
 * the scrape asks the primary, which collects every worker's metrics over IPC and merges them with
 * prom-client's AggregatorRegistry (counters and histograms summed, gauges by their aggregator), so
 * one scrape sees the whole server. A single-process server answers from its own registry.
 */

type Msg =
  | { type: "aisle:metrics:request"; id: string }
  | { type: "aisle:metrics:collect"; id: string }
  | { type: "aisle:metrics:part"; id: string; metrics: unknown }
  | { type: "aisle:metrics:aggregate"; id: string; text?: string; error?: string };

const isMsg = (m: unknown): m is Msg => typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string" && (m as { type: string }).type.startsWith("aisle:metrics:");

const registries = new Set<Registry>();
let responderInstalled = false;
const pending = new Map<string, (m: Msg) => void>();

/** Worker side: lets the primary collect this process's metrics (idempotent). */
export function shareMetricsWithPrimary(registry: Registry) {
  if (!cluster.isWorker) return;
  registries.add(registry);
  if (responderInstalled) return;
  responderInstalled = true;
  process.on("message", (m: unknown) => {
    if (!isMsg(m)) return;
    if (m.type === "aisle:metrics:collect") {
      void Promise.all([...registries].map((r) => r.getMetricsAsJSON())).then((parts) =>
        process.send?.({ type: "aisle:metrics:part", id: m.id, metrics: parts.flat() }),
      );
    } else if (m.type === "aisle:metrics:aggregate") {
      pending.get(m.id)?.(m);
    }
  });
}

/** The text a scrape returns: the whole cluster's metrics in a worker, this registry's otherwise. */
export async function metricsText(registry: Registry): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = randomUUID();
  const reply = await new Promise<Msg | undefined>((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(undefined);
    }, 3000);
    pending.set(id, (m) => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(m);
    });
    process.send!({ type: "aisle:metrics:request", id });
  });
  if (reply?.type === "aisle:metrics:aggregate" && reply.text !== undefined) return reply.text;
  // The primary did not answer: this worker's own numbers are better than none.
  return registry.metrics();
}

/** Primary side: answers workers' scrape requests with every live worker's metrics merged. */
export function aggregateWorkerMetrics(timeoutMs = 2000) {
  cluster.on("message", (from, m: unknown) => {
    if (!isMsg(m)) return;
    if (m.type === "aisle:metrics:part") {
      pending.get(m.id)?.(m);
      return;
    }
    if (m.type !== "aisle:metrics:request") return;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
    const collectId = randomUUID();
    const parts: unknown[][] = [];
    void new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pending.set(collectId, (part) => {
        parts.push((part as { metrics: unknown[] }).metrics);
        if (parts.length === workers.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (const w of workers) w!.send({ type: "aisle:metrics:collect", id: collectId });
    })
      .then(async () => {
        pending.delete(collectId);
        const merged = client.AggregatorRegistry.aggregate(parts as Parameters<typeof client.AggregatorRegistry.aggregate>[0]);
        from.send({ type: "aisle:metrics:aggregate", id: m.id, text: await merged.metrics() });
      })
      .catch((err: Error) => from.send({ type: "aisle:metrics:aggregate", id: m.id, error: err.message }));
  });
}
