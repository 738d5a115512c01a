import { describe, expect, it } from "vitest";
import { layoutGraph, type GraphJson } from "../web/src/graphLayout.ts";
import { changedTopLevelKeys, diffJson } from "../web/src/diff.ts";
import { SseParser } from "../web/src/sse.ts";
import { buildTimeline, normaliseMessage, toolExchanges, type ThreadState } from "../web/src/timeline.ts";
import { layerOfNode, REFERENCE_LAYERS } from "../server/routes/studio.ts";

// The shape of Aisle's turn graph: a chain, a fan-out to agents, and agent ⇄ governance ⇄ tools loops.
const agents = ["orders_agent", "payments_agent", "inventory_agent", "info_agent", "handoff_agent"];
const turnGraph: GraphJson = {
  nodes: ["__start__", "dataPrep", "router", "contextStitch", "policy", ...agents, "governance", "tools", "audit", "__end__"].map((id) => ({ id })),
  edges: [
    { source: "__start__", target: "dataPrep" },
    { source: "dataPrep", target: "router" },
    { source: "router", target: "contextStitch" },
    { source: "contextStitch", target: "policy" },
    ...agents.map((a) => ({ source: "policy", target: a, conditional: true })),
    ...agents.map((a) => ({ source: a, target: "governance" })),
    { source: "governance", target: "tools", conditional: true },
    { source: "governance", target: "audit", conditional: true },
    ...agents.map((a) => ({ source: "governance", target: a, conditional: true })),
    ...agents.map((a) => ({ source: "tools", target: a, conditional: true })),
    { source: "audit", target: "__end__" },
  ],
};

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  return Math.abs(a.x - b.x) < (a.w + b.w) / 2 && Math.abs(a.y - b.y) < (a.h + b.h) / 2;
}

describe("graph layout", () => {
  const layout = layoutGraph(turnGraph);
  const at = (id: string) => layout.nodes.find((n) => n.id === id)!;

  it("places every node once, none overlapping, inside the drawing", () => {
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(turnGraph.nodes.map((n) => String(n.id)).sort());
    for (const a of layout.nodes) {
      expect(a.x - a.w / 2).toBeGreaterThanOrEqual(0);
      expect(a.x + a.w / 2).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.h / 2).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) if (a !== b) expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
    }
  });

  it("flows top-down along forward edges and keeps sibling agents on one row", () => {
    const order = ["__start__", "dataPrep", "router", "contextStitch", "policy", "orders_agent", "governance", "tools", "__end__"];
    for (let i = 1; i < order.length; i++) expect(at(order[i]!).y).toBeGreaterThan(at(order[i - 1]!).y);
    expect(new Set(agents.map((a) => at(a).y)).size).toBe(1);
    expect(at("__end__").layer).toBe(Math.max(...layout.nodes.map((n) => n.layer)));
  });

  it("draws loops back to the agents as back edges, everything else as forward edges ending on their target", () => {
    const back = layout.edges.filter((e) => e.back).map((e) => `${e.source}>${e.target}`).sort();
    expect(back).toEqual([...agents.map((a) => `governance>${a}`), ...agents.map((a) => `tools>${a}`)].sort());
    expect(layout.edges).toHaveLength(turnGraph.edges.length);
    for (const e of layout.edges.filter((x) => !x.back)) {
      const end = e.points.at(-1)!;
      expect(end.y).toBeCloseTo(at(e.target).y - at(e.target).h / 2);
    }
  });

  it("lays out graphs with cycles that have no __start__, self loops and duplicate edges", () => {
    const l = layoutGraph({ nodes: [{ id: "a" }, { id: "b" }, { id: 3 }], edges: [{ source: "a", target: "b" }, { source: "b", target: "a" }, { source: "b", target: "b" }, { source: "a", target: "b" }, { source: "b", target: 3 }] });
    expect(l.nodes).toHaveLength(3);
    expect(l.edges).toHaveLength(4);
    expect(l.edges.filter((e) => e.back)).toHaveLength(2);
  });
});

describe("state diff", () => {
  it("reports additions, removals and changes with paths", () => {
    const changes = diffJson(
      { turn: 1, route: { intent: "greeting", tier: "local" }, messages: [{ c: "hi" }], gone: 1 },
      { turn: 2, route: { intent: "order_status", tier: "local" }, messages: [{ c: "hi" }, { c: "yo" }] },
    );
    expect(changes).toEqual([
      { kind: "changed", path: "turn", before: 1, after: 2 },
      { kind: "changed", path: "route.intent", before: "greeting", after: "order_status" },
      { kind: "added", path: "messages[1]", after: { c: "yo" } },
      { kind: "removed", path: "gone", before: 1 },
    ]);
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it("finds which top-level channels an edit touched", () => {
    expect(changedTopLevelKeys({ a: 1, b: { c: 2 }, d: [1] }, { a: 1, b: { c: 3 }, d: [1], e: null })).toEqual(["b", "e"]);
  });
});

describe("SSE parsing", () => {
  it("parses events split at arbitrary points, with CRLF, comments and multi-line data", () => {
    const text = 'event: metadata\r\ndata: {"run_id":"r1"}\r\nid: 1\r\n\r\n: heartbeat\n\nevent: messages\ndata: [{"content":"Hel"},\ndata: {}]\nid: 2\n\nevent: end\ndata: \n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...p.push(text.slice(i, i + size)));
      events.push(...p.end());
      expect(events).toEqual([
        { event: "metadata", data: { run_id: "r1" }, id: "1" },
        { event: "messages", data: [{ content: "Hel" }, {}], id: "2" },
        { event: "end", data: null, id: "2" },
      ]);
    }
  });

  it("keeps non-JSON data as text and flushes a final event without a blank line", () => {
    const p = new SseParser();
    expect(p.push("event: error\ndata: boom")).toEqual([]);
    expect(p.end()).toEqual([{ event: "error", data: "boom" }]);
  });
});

const cp = (id: string, parent: string | null, values: Record<string, unknown>, extra: Partial<ThreadState> = {}): ThreadState => ({
  values,
  next: [],
  checkpoint: { checkpoint_id: id },
  parent_checkpoint: parent ? { checkpoint_id: parent } : null,
  metadata: { source: "loop", step: 0 },
  tasks: [],
  ...extra,
});

describe("timeline", () => {
  // History as the API returns it: newest first.
  const history: ThreadState[] = [
    cp("c3", "c2", { turn: 1, input: { text: "where is my order" }, route: { intent: "order_status", agent: "orders", tier_used: "local", confidence: 0.9 } }, { metadata: { source: "loop", step: 2 } }),
    cp("c2", "c1", { turn: 1, input: { text: "where is my order" } }, { next: ["router"], metadata: { source: "loop", step: 1 }, tasks: [{ id: "t2", name: "router", result: { route: { intent: "order_status" } } }] }),
    cp("c1", null, { turn: 0 }, { next: ["dataPrep"], metadata: { source: "input", step: -1 }, tasks: [{ id: "t1", name: "dataPrep", result: { turn: 1 } }] }),
  ];

  it("orders steps oldest first and names the node that produced each checkpoint with its output", () => {
    const steps = buildTimeline(history);
    expect(steps.map((s) => s.checkpointId)).toEqual(["c1", "c2", "c3"]);
    expect(steps.map((s) => s.nodes)).toEqual([["input"], ["dataPrep"], ["router"]]);
    expect(steps[2]!.updates).toEqual({ router: { route: { intent: "order_status" } } });
    expect(steps[2]!.before).toEqual(history[1]!.values);
  });

  it("reads messages in dict and lc-constructor form and pairs tool calls with results", () => {
    const msgs = [
      { lc: 1, type: "constructor", id: ["langchain_core", "messages", "HumanMessage"], kwargs: { content: "cancel #W1" } },
      { type: "ai", content: "", tool_calls: [{ id: "call1", name: "cancel_pending_order", args: { order_id: "#W1" } }] },
      { type: "tool", content: "ok", tool_call_id: "call1" },
      { type: "AIMessageChunk", content: [{ type: "text", text: "Done" }] },
    ].map(normaliseMessage);
    expect(msgs.map((m) => [m.type, m.content])).toEqual([["human", "cancel #W1"], ["ai", ""], ["tool", "ok"], ["ai", "Done"]]);
    expect(toolExchanges(msgs)).toEqual([{ id: "call1", name: "cancel_pending_order", args: { order_id: "#W1" }, result: "ok" }]);
  });
});

describe("seven-layer accounting", () => {
  it("counts only orchestration nodes toward a layer, and the reference adds up to 100%", () => {
    expect(["dataPrep", "router", "contextStitch", "policy", "governance", "audit"].map(layerOfNode)).toEqual(["data-prep", "routing", "context", "policy", "governance", "audit"]);
    expect(layerOfNode("orders_agent")).toBeNull();
    expect(layerOfNode("tools")).toBeNull();
    expect(Object.values(REFERENCE_LAYERS).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});
