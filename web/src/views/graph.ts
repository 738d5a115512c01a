/** Graph view: the compiled turn graph; click a node for its configuration, versions and latency. */
import type { Ctx } from "../context.ts";
import type { NodeInfo, StudioNodes } from "../api.ts";
import { clear, fmtMs, h, jsonView } from "../dom.ts";
import { drawGraph } from "../graphView.ts";
import { LAYER_LABELS, layerOf, type Layer } from "../layers.ts";
import { errorPanel, nodeChip } from "../ui.ts";

export async function renderGraphView(ctx: Ctx, params: string[]): Promise<HTMLElement> {
  const graph = await ctx.graph();
  const panel = h("div", { class: "card", id: "node-panel" });
  let info: StudioNodes | null = null;
  let selected: string | null = params[0] ?? null;

  const view = drawGraph(graph, {
    onSelect: (id) => {
      selected = id;
      history.replaceState(null, "", `#/graph/${encodeURIComponent(id)}`);
      view.select(id);
      showNode();
    },
  });
  const meta = new Map(graph.nodes.map((n) => [String(n.id), n.metadata]));
  const layersPresent = [...new Set(graph.nodes.map((n) => layerOf(String(n.id), n.metadata)))].filter((l) => l !== "terminal") as Layer[];

  function showNode() {
    clear(panel);
    if (!selected) {
      panel.append(
        h("div", { class: "card-head" }, h("h2", null, "Node details")),
        h("div", { class: "card-pad muted" }, "Click a node to see its configuration, its rule pack or model version, and its live p50/p95 latency."),
        info ? latencyTable(info.nodes) : "",
      );
      return;
    }
    const node = info?.nodes.find((n) => n.id === selected);
    const layer = layerOf(selected, meta.get(selected));
    panel.append(
      h("div", { class: "card-head" }, nodeChip(selected, meta.get(selected)), h("h2", null, ""), h("span", { class: "badge" }, LAYER_LABELS[layer])),
      h(
        "div",
        { class: "card-pad stack", id: "node-detail", "data-node": selected },
        node?.description ? h("p", { style: { margin: "0" } }, node.description) : null,
        h(
          "dl",
          { class: "kv" },
          h("dt", null, "p50"),
          h("dd", { "data-stat": "p50" }, fmtMs(node?.p50_ms)),
          h("dt", null, "p95"),
          h("dd", { "data-stat": "p95" }, fmtMs(node?.p95_ms)),
          h("dt", null, "runs"),
          h("dd", null, String(node?.count ?? 0), h("span", { class: "faint" }, info ? ` in the last ${info.window_minutes} min` : "")),
          ...Object.entries(node?.versions ?? {}).flatMap(([k, v]) => [h("dt", null, k), h("dd", null, h("code", null, v))]),
        ),
        h("div", null, h("h3", null, "Configuration"), node ? jsonView(node.config, 3) : h("div", { class: "faint small" }, "No configuration reported.")),
        meta.get(selected) ? h("div", null, h("h3", null, "Graph metadata"), jsonView(meta.get(selected))) : null,
      ),
    );
  }

  function latencyTable(nodes: NodeInfo[]) {
    const rows = nodes.filter((n) => n.count > 0);
    if (!rows.length) return h("div", { class: "card-pad faint small" }, "No traffic yet — run a turn in the Playground.");
    return h(
      "table",
      null,
      h("thead", null, h("tr", null, h("th", null, "node"), h("th", { class: "num" }, "p50"), h("th", { class: "num" }, "p95"), h("th", { class: "num" }, "runs"))),
      h("tbody", null, rows.map((n) => h("tr", null, h("td", null, nodeChip(n.id, meta.get(n.id))), h("td", { class: "num" }, fmtMs(n.p50_ms)), h("td", { class: "num" }, fmtMs(n.p95_ms)), h("td", { class: "num" }, String(n.count))))),
    );
  }

  async function refresh() {
    try {
      info = await ctx.api.nodes(ctx.assistantId);
      for (const n of info.nodes) view.setStat(n.id, n.count ? `p50 ${fmtMs(n.p50_ms)} · p95 ${fmtMs(n.p95_ms)}` : "no runs yet");
      showNode();
    } catch (err) {
      clear(panel);
      panel.append(h("div", { class: "card-pad" }, errorPanel(err, "Node details unavailable.")));
    }
  }

  if (selected) view.select(selected);
  showNode();
  void refresh();
  const timer = setInterval(() => void refresh(), 5000);
  ctx.onLeave(() => clearInterval(timer));

  const nodeCount = graph.nodes.filter((n) => !String(n.id).startsWith("__")).length;
  return h(
    "section",
    { "data-view": "graph" },
    h("div", { class: "view-head" }, h("h1", null, "Graph"), h("p", null, `${ctx.assistantId} · ${nodeCount} nodes · ${graph.edges.length} edges · dashed edges are conditional`)),
    h(
      "div",
      { class: "split" },
      h(
        "div",
        { class: "card" },
        h("div", { class: "graph-wrap" }, view.el),
        h("div", { class: "legend" }, layersPresent.map((l) => h("span", { class: `layer-${l}` }, h("i"), LAYER_LABELS[l]))),
      ),
      panel,
    ),
  );
}
