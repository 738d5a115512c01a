import { parse as parseYaml } from "yaml";
import { canonicalJson } from "../traces/store.ts";
import type { OpenedBundle } from "./bundle.ts";
import { flatten } from "./install.ts";

/** What changed between two bundles, section by section (empty arrays: nothing changed there). */
export interface BundleDiff {
  meta: { field: string; from: unknown; to: unknown }[];
  files: { added: string[]; removed: string[]; changed: string[] };
  graph: { nodes_added: string[]; nodes_removed: string[]; edges_added: string[]; edges_removed: string[] };
  config: { path: string; from: string | undefined; to: string | undefined }[];
  policies: {
    rules_added: string[];
    rules_removed: string[];
    rules_changed: string[];
    /** Pack parameters (caps, thresholds…) by `<pack>.<path>`. */
    params_changed: { path: string; from: string | undefined; to: string | undefined }[];
    packs: { pack: string; from?: string; to?: string }[];
  };
  router: { from: string | null; to: string | null; metrics: { split: string; metric: string; from: number | undefined; to: number | undefined }[] } | null;
}

const json = (b: OpenedBundle, path: string) => {
  const f = b.files.get(path);
  return f ? JSON.parse(f.toString("utf8")) : undefined;
};

const setDiff = (a: Iterable<string>, b: Iterable<string>) => {
  const A = new Set(a);
  const B = new Set(b);
  return { added: [...B].filter((x) => !A.has(x)).sort(), removed: [...A].filter((x) => !B.has(x)).sort() };
};

function rulesOf(b: OpenedBundle) {
  const rules = new Map<string, string>();
  const packs = new Map<string, string>();
  const params = new Map<string, string>();
  for (const [path, data] of b.files) {
    if (!path.startsWith("policy/")) continue;
    const pack = parseYaml(data.toString("utf8")) as { pack?: string; version?: string; params?: unknown; rules?: { id: string }[] };
    const name = pack.pack ?? path;
    packs.set(name, pack.version ?? "?");
    for (const r of pack.rules ?? []) rules.set(r.id, canonicalJson(r));
    for (const [k, v] of flatten(pack.params ?? {}, name)) params.set(k, v);
  }
  return { rules, packs, params };
}

export function diffBundles(a: OpenedBundle, b: OpenedBundle): BundleDiff {
  const meta = (["aisle_version", "router_version", "policy_version", "schema_migrations"] as const)
    .filter((f) => canonicalJson(a.manifest[f]) !== canonicalJson(b.manifest[f]))
    .map((field) => ({ field, from: a.manifest[field], to: b.manifest[field] }));

  const hashA = new Map(a.manifest.files.map((f) => [f.path, f.sha256]));
  const hashB = new Map(b.manifest.files.map((f) => [f.path, f.sha256]));
  const files = setDiff(hashA.keys(), hashB.keys());
  const changed = [...hashA.keys()].filter((p) => hashB.has(p) && hashB.get(p) !== hashA.get(p)).sort();

  const ga = json(a, "graph/topology.json") ?? { nodes: [], edges: [] };
  const gb = json(b, "graph/topology.json") ?? { nodes: [], edges: [] };
  const edge = (e: { source: string; target: string; conditional: boolean }) => `${e.source} ${e.conditional ? "-.->" : "-->"} ${e.target}`;
  const nodes = setDiff(ga.nodes, gb.nodes);
  const edges = setDiff(ga.edges.map(edge), gb.edges.map(edge));

  const ca = flatten(json(a, "config/runtime.json") ?? {});
  const cb = flatten(json(b, "config/runtime.json") ?? {});
  const config = [...new Set([...ca.keys(), ...cb.keys()])]
    .filter((k) => ca.get(k) !== cb.get(k))
    .sort()
    .map((path) => ({ path, from: ca.get(path), to: cb.get(path) }));

  const ra = rulesOf(a);
  const rb = rulesOf(b);
  const rules = setDiff(ra.rules.keys(), rb.rules.keys());
  const packs = [...new Set([...ra.packs.keys(), ...rb.packs.keys()])]
    .filter((p) => ra.packs.get(p) !== rb.packs.get(p))
    .map((pack) => ({ pack, from: ra.packs.get(pack), to: rb.packs.get(pack) }));

  const ma = json(a, "router/metadata.json");
  const mb = json(b, "router/metadata.json");
  let router: BundleDiff["router"] = null;
  if (ma?.version !== mb?.version || canonicalJson(ma?.metrics) !== canonicalJson(mb?.metrics)) {
    const metrics: NonNullable<BundleDiff["router"]>["metrics"] = [];
    for (const split of new Set([...Object.keys(ma?.metrics ?? {}), ...Object.keys(mb?.metrics ?? {})])) {
      for (const metric of ["accuracy", "macroF1"]) {
        const from = ma?.metrics?.[split]?.[metric];
        const to = mb?.metrics?.[split]?.[metric];
        if (from !== to) metrics.push({ split, metric, from, to });
      }
    }
    router = { from: ma?.version ?? null, to: mb?.version ?? null, metrics };
  }

  return {
    meta,
    files: { ...files, changed },
    graph: { nodes_added: nodes.added, nodes_removed: nodes.removed, edges_added: edges.added, edges_removed: edges.removed },
    config,
    policies: {
      rules_added: rules.added,
      rules_removed: rules.removed,
      rules_changed: [...ra.rules.keys()].filter((id) => rb.rules.has(id) && rb.rules.get(id) !== ra.rules.get(id)).sort(),
      params_changed: [...new Set([...ra.params.keys(), ...rb.params.keys()])]
        .filter((k) => ra.params.get(k) !== rb.params.get(k))
        .sort()
        .map((path) => ({ path, from: ra.params.get(path), to: rb.params.get(path) })),
      packs,
    },
    router,
  };
}

export const isEmptyDiff = (d: BundleDiff) =>
  d.meta.length + d.files.added.length + d.files.removed.length + d.files.changed.length === 0;

/** The diff as text for a terminal. */
export function formatDiff(d: BundleDiff): string {
  if (isEmptyDiff(d)) return "The bundles are identical in content.";
  const out: string[] = [];
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push(`${title}:`, ...lines.map((l) => `  ${l}`), "");
  };
  const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  section("Bundle", d.meta.map((m) => `${m.field}: ${show(m.from)} → ${show(m.to)}`));
  section("Files", [...d.files.added.map((f) => `+ ${f}`), ...d.files.removed.map((f) => `- ${f}`), ...d.files.changed.map((f) => `~ ${f}`)]);
  section("Graph", [
    ...d.graph.nodes_added.map((n) => `+ node ${n}`),
    ...d.graph.nodes_removed.map((n) => `- node ${n}`),
    ...d.graph.edges_added.map((e) => `+ edge ${e}`),
    ...d.graph.edges_removed.map((e) => `- edge ${e}`),
  ]);
  section("Configuration", d.config.map((c) => `${c.path}: ${c.from ?? "(absent)"} → ${c.to ?? "(absent)"}`));
  section("Policies", [
    ...d.policies.packs.map((p) => `pack ${p.pack}: ${p.from ?? "(absent)"} → ${p.to ?? "(absent)"}`),
    ...d.policies.rules_added.map((r) => `+ rule ${r}`),
    ...d.policies.rules_removed.map((r) => `- rule ${r}`),
    ...d.policies.rules_changed.map((r) => `~ rule ${r}`),
    ...d.policies.params_changed.map((p) => `~ param ${p.path}: ${p.from ?? "(absent)"} → ${p.to ?? "(absent)"}`),
  ]);
  if (d.router) {
    section("Router", [
      `version: ${d.router.from ?? "(none)"} → ${d.router.to ?? "(none)"}`,
      ...d.router.metrics.map((m) => `${m.split} ${m.metric}: ${m.from?.toFixed(4) ?? "–"} → ${m.to?.toFixed(4) ?? "–"}`),
    ]);
  }
  return out.join("\n").trimEnd();
}
