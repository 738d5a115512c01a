/** Monitoring: throughput, per-node latency, route/tier/verdict mix, tokens and cost, seven layers. */
import type { Ctx } from "../context.ts";
import type { MonitoringSummary } from "../api.ts";
import { barList, layerComparison, timeChart } from "../charts.ts";
import { clear, fmtMs, h } from "../dom.ts";
import { errorPanel, nodeChip } from "../ui.ts";

const WINDOWS = [15, 60, 360, 1440];

export async function renderMonitoringView(ctx: Ctx): Promise<HTMLElement> {
  let windowMinutes = Number(localStorage.getItem("aisle.studio.window") ?? 60);
  const body = h("div", { id: "monitoring-body", class: "stack" });
  const stamp = h("span", { class: "faint small" });
  const windowSel = h("select", { id: "window", "aria-label": "Time window" }, WINDOWS.map((w) => h("option", { value: w, selected: w === windowMinutes }, w < 60 ? `last ${w} min` : `last ${w / 60} h`)));
  windowSel.addEventListener("change", () => {
    windowMinutes = Number(windowSel.value);
    localStorage.setItem("aisle.studio.window", String(windowMinutes));
    void refresh();
  });

  async function refresh() {
    try {
      const m = await ctx.api.monitoring(windowMinutes);
      clear(body);
      body.append(render(m));
      stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      clear(body);
      body.append(errorPanel(err, "Monitoring unavailable."));
    }
  }
  await refresh();
  const timer = setInterval(() => void refresh(), 5000);
  ctx.onLeave(() => clearInterval(timer));

  return h(
    "section",
    { "data-view": "monitoring" },
    h("div", { class: "view-head" }, h("h1", null, "Monitoring"), h("p", null, "From Aisle's own traffic: per-node timings, routes and verdicts of every turn, read from the audit log."), h("span", { class: "spacer" }), stamp, windowSel, h("a", { class: "btn", href: "/metrics", target: "_blank" }, "Prometheus /metrics")),
    body,
  );
}

function render(m: MonitoringSummary): HTMLElement {
  const money = (n: number) => (n < 0.01 && n > 0 ? `$${n.toFixed(5)}` : `$${n.toFixed(2)}`);
  const card = (title: string, ...children: Array<HTMLElement | null>) => h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, title)), h("div", { class: "card-pad" }, ...children));
  const maxP95 = Math.max(1e-9, ...m.per_node.map((n) => n.p95_ms ?? 0));
  return h(
    "div",
    { class: "stack" },
    h(
      "div",
      { class: "grid-4" },
      stat("Turns / second", m.turns_per_second.toFixed(3), `${m.turns} turns in ${m.window_minutes} min`, "turns-per-second"),
      stat("Turns", String(m.turns), `window ${m.window_minutes} min`, "turns"),
      stat("Tokens", m.tokens.toLocaleString(), "prompt + completion", "tokens"),
      stat("Cost", money(m.cost_usd), "LLM tier at configured prices", "cost"),
    ),
    h(
      "div",
      { class: "grid-2" },
      card(
        "Seven-layer breakdown",
        h("p", { class: "small muted", style: { marginTop: "0" } }, `Share of orchestration time (${fmtMs(m.layers.total_ms)} measured; model and tool time excluded). Solid: Aisle's traffic · faded: retail reference case.`),
        layerComparison(m.layers.ours, m.layers.reference, m.layers.unmeasured),
        m.layers.unmeasured.includes("monitoring") ? h("p", { class: "small faint" }, "Monitoring is a wrapper around every node, not a node: its bookkeeping is not timed separately, so it shows as n/m (not measured).") : null,
      ),
      card(
        "Latency per node",
        m.per_node.length
          ? h(
              "table",
              { id: "node-latency" },
              h("thead", null, h("tr", null, h("th", null, "node"), h("th", { class: "num" }, "p50"), h("th", { class: "num" }, "p95"), h("th", null, ""), h("th", { class: "num" }, "runs"))),
              h(
                "tbody",
                null,
                m.per_node.map((n) =>
                  h(
                    "tr",
                    { "data-node": n.node },
                    h("td", null, nodeChip(n.node)),
                    h("td", { class: "num" }, fmtMs(n.p50_ms)),
                    h("td", { class: "num" }, fmtMs(n.p95_ms)),
                    h("td", { style: { width: "30%" } }, h("div", { class: "bar-row", style: { gridTemplateColumns: "1fr" } }, h("span", { class: "track" }, h("span", { class: "fill", style: { display: "block", width: `${((n.p95_ms ?? 0) / maxP95) * 100}%` } })))),
                    h("td", { class: "num" }, String(n.count)),
                  ),
                ),
              ),
            )
          : h("div", { class: "faint small" }, "No turns in this window."),
      ),
    ),
    h("div", { class: "grid-3" }, card("Intents", barList(m.intents, { id: "intent-mix" })), card("Route (agent) and tier", barList(m.routes, { id: "route-mix" }), h("div", { style: { height: "12px" } }), barList(m.tiers, { id: "tier-mix" })), card("Governance verdicts", barList(m.verdicts, { id: "verdict-counts" }))),
    h(
      "div",
      { class: "grid-3" },
      card("Turns over time", timeChart(m.series.map((p) => ({ t: p.t, v: p.turns })), { label: "turns per bucket" })),
      card("Tokens over time", timeChart(m.series.map((p) => ({ t: p.t, v: p.tokens })), { label: "tokens per bucket" })),
      card("Cost over time", timeChart(m.series.map((p) => ({ t: p.t, v: p.cost_usd })), { label: "cost per bucket", format: (n) => `$${n.toFixed(4)}` })),
    ),
  );
}

function stat(label: string, value: string, sub: string, id: string): HTMLElement {
  return h("div", { class: "card stat", id: `stat-${id}` }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), h("div", { class: "sub" }, sub));
}
