/** Draws a laid-out graph as SVG; nodes are buttons (keyboard and mouse) and can be lit up. */
import { edgePath, layoutGraph, type GraphJson, type Layout } from "./graphLayout.ts";
import { layerOf } from "./layers.ts";
import { svg } from "./dom.ts";

export type NodeStatus = "active" | "done" | "interrupted" | "error";

export interface GraphView {
  el: SVGSVGElement;
  layout: Layout;
  setStatus(node: string, status: NodeStatus | null): void;
  reset(): void;
  select(node: string | null): void;
  setStat(node: string, text: string): void;
}

export function drawGraph(graph: GraphJson, opts: { onSelect?: (node: string) => void; compact?: boolean } = {}): GraphView {
  const layout = layoutGraph(graph, opts.compact ? { layerGap: 40, nodeHeight: 36 } : {});
  const meta = new Map(graph.nodes.map((n) => [String(n.id), n.metadata]));
  const root = svg("svg", {
    class: "graph",
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    style: `max-width:100%;height:auto`,
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    role: "group",
    "aria-label": "Compiled turn graph",
  });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
  defs.appendChild(marker);
  root.appendChild(defs);

  const edgeEls = new Map<string, SVGPathElement[]>();
  for (const e of layout.edges) {
    const path = svg("path", {
      d: edgePath(e),
      class: `edge${e.conditional ? " conditional" : ""}${e.back ? " back" : ""}`,
      "marker-end": "url(#arrow)",
      "data-source": e.source,
      "data-target": e.target,
    });
    root.appendChild(path);
    for (const end of [e.source, e.target]) (edgeEls.get(end) ?? edgeEls.set(end, []).get(end)!).push(path);
  }

  const nodeEls = new Map<string, SVGGElement>();
  const statEls = new Map<string, SVGTextElement>();
  for (const n of layout.nodes) {
    const layer = layerOf(n.id, meta.get(n.id));
    const terminal = layer === "terminal";
    const g = svg("g", {
      class: `node layer-${layer}${terminal ? " terminal" : ""}`,
      transform: `translate(${n.x - n.w / 2},${n.y - n.h / 2})`,
      "data-node": n.id,
      tabindex: terminal ? null : 0,
      role: terminal ? null : "button",
      "aria-label": terminal ? null : `Node ${n.label}`,
    });
    g.appendChild(svg("rect", { class: "box", width: n.w, height: n.h, rx: terminal ? n.h / 2 : 8 }));
    if (!terminal) g.appendChild(svg("rect", { class: "stripe", x: 0, y: 8, width: 3.5, height: n.h - 16, rx: 1.75 }));
    const name = svg("text", { class: "name", x: n.w / 2, y: opts.compact || terminal ? n.h / 2 + 4.5 : n.h / 2 - 1, "text-anchor": "middle" }, n.label);
    g.appendChild(name);
    if (!opts.compact && !terminal) {
      const stat = svg("text", { class: "stat", x: n.w / 2, y: n.h / 2 + 12.5, "text-anchor": "middle" }, "");
      g.appendChild(stat);
      statEls.set(n.id, stat);
    }
    if (opts.onSelect && !terminal) {
      g.addEventListener("click", () => opts.onSelect!(n.id));
      g.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          opts.onSelect!(n.id);
        }
      });
    }
    root.appendChild(g);
    nodeEls.set(n.id, g);
  }

  const statuses: NodeStatus[] = ["active", "done", "interrupted", "error"];
  return {
    el: root,
    layout,
    setStatus(node, status) {
      const g = nodeEls.get(node);
      if (!g) return;
      for (const s of statuses) g.classList.remove(s);
      if (status) g.classList.add(status);
      for (const p of edgeEls.get(node) ?? []) {
        const other = p.dataset.source === node ? p.dataset.target! : p.dataset.source!;
        const hot = status === "active" && nodeEls.get(other)?.classList.contains("done");
        p.classList.toggle("hot", Boolean(hot));
      }
    },
    reset() {
      for (const g of nodeEls.values()) for (const s of statuses) g.classList.remove(s);
      root.querySelectorAll(".edge.hot").forEach((p) => p.classList.remove("hot"));
    },
    select(node) {
      for (const [id, g] of nodeEls) g.classList.toggle("selected", id === node);
    },
    setStat(node, text) {
      const t = statEls.get(node);
      if (t) t.textContent = text;
    },
  };
}
