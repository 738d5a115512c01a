/** Small dependency-free charts: labelled bar lists, a time series, the seven-layer comparison. */
import { h, svg } from "./dom.ts";
import { LAYER_LABELS, LAYERS } from "./layers.ts";

export function barList(values: Record<string, number>, opts: { format?: (n: number) => string; id?: string; layerClass?: (k: string) => string } = {}): HTMLElement {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1e-9, ...entries.map(([, v]) => v));
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const fmt = opts.format ?? ((n: number) => `${n} · ${total ? Math.round((n / total) * 100) : 0}%`);
  if (!entries.length) return h("div", { class: "faint small", id: opts.id }, "No data in this window.");
  return h(
    "div",
    { class: "bars", id: opts.id },
    entries.map(([k, v]) =>
      h(
        "div",
        { class: `bar-row ${opts.layerClass?.(k) ?? ""}`, "data-key": k },
        h("span", { class: "name", title: k }, k),
        h("span", { class: "track" }, h("span", { class: "fill", style: { width: `${(v / max) * 100}%`, display: "block", background: opts.layerClass ? "var(--layer)" : "" } })),
        h("span", { class: "v" }, fmt(v)),
      ),
    ),
  );
}

/** A column-per-bucket chart for one series (turns, tokens or cost over time). */
export function timeChart(points: Array<{ t: string; v: number }>, opts: { height?: number; format?: (n: number) => string; label: string }): HTMLElement {
  const width = 520;
  const height = opts.height ?? 140;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  const fmt = opts.format ?? ((n: number) => String(Math.round(n * 100) / 100));
  if (!points.length) return h("div", { class: "faint small" }, "No data in this window.");
  const max = Math.max(1e-9, ...points.map((p) => p.v));
  const iw = width - pad.l - pad.r;
  const ih = height - pad.t - pad.b;
  const bw = iw / points.length;
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": opts.label });
  for (const f of [0, 0.5, 1]) {
    const y = pad.t + ih - ih * f;
    root.appendChild(svg("line", { class: "grid", x1: pad.l, x2: width - pad.r, y1: y, y2: y }));
    root.appendChild(svg("text", { x: pad.l - 6, y: y + 3.5, "text-anchor": "end" }, fmt(max * f)));
  }
  points.forEach((p, i) => {
    const bh = (p.v / max) * ih;
    const rect = svg("rect", { class: "col", x: pad.l + i * bw + 1, y: pad.t + ih - bh, width: Math.max(1, bw - 2), height: bh, rx: 1.5 });
    rect.appendChild(svg("title", {}, `${new Date(p.t).toLocaleTimeString()} · ${fmt(p.v)}`));
    root.appendChild(rect);
  });
  const labelEvery = Math.ceil(points.length / 6);
  points.forEach((p, i) => {
    if (i % labelEvery) return;
    root.appendChild(svg("text", { x: pad.l + i * bw + bw / 2, y: height - 6, "text-anchor": "middle" }, new Date(p.t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })));
  });
  return h("div", null, root);
}

/** Aisle's measured share of orchestration time per layer beside the retail reference case. */
export function layerComparison(ours: Record<string, number>, reference: Record<string, number>, unmeasured: string[] = []): HTMLElement {
  const pct = (n: number | undefined) => `${((n ?? 0) * 100).toFixed(1)}%`;
  return h(
    "div",
    { class: "layers-chart", id: "layer-breakdown" },
    LAYERS.map((l) =>
      h(
        "div",
        { class: `pair layer-${l}`, "data-layer": l },
        h("span", null, LAYER_LABELS[l]),
        h(
          "div",
          { class: "bars2" },
          h("div", { class: "bl" }, h("div", { class: "b", style: { width: `${(ours[l] ?? 0) * 100}%` } }), unmeasured.includes(l) ? h("span", { "data-share": "ours", class: "faint", title: "No node-level timing for this layer in the window" }, "n/m") : h("span", { "data-share": "ours" }, `${pct(ours[l])}`)),
          h("div", { class: "bl" }, h("div", { class: "b ref", style: { width: `${(reference[l] ?? 0) * 100}%` } }), h("span", { class: "faint" }, `ref ${pct(reference[l])}`)),
        ),
      ),
    ),
  );
}
