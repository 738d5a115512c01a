/**
 * A small layered ("Sugiyama") layout for the compiled graph JSON that `GET /assistants/:id/graph`
 * returns. Aisle's turn graph has about a dozen nodes, so a hand-sized layout (cycle breaking,
 * longest-path layers, dummy nodes for long edges, barycentre ordering, neighbour-pulled x) draws
 * it cleanly without shipping a 3 MB diagram library to the browser. Pure: no DOM.
 */
export interface GraphJson {
  nodes: Array<{ id: string | number; type?: string; data?: unknown; metadata?: unknown; name?: string }>;
  edges: Array<{ source: string | number; target: string | number; conditional?: boolean; data?: string }>;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidNode {
  id: string;
  label: string;
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
  layer: number;
}

export interface LaidEdge {
  source: string;
  target: string;
  points: Point[];
  conditional: boolean;
  /** Goes against the flow (a loop back, e.g. tools → agent); drawn around the right side. */
  back: boolean;
  label?: string;
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

export interface LayoutOptions {
  nodeHeight?: number;
  layerGap?: number;
  nodeGap?: number;
  margin?: number;
  /** Approximate width of one label character in px (the page uses a 13px sans font). */
  charWidth?: number;
}

interface Vertex {
  id: string;
  dummy: boolean;
  layer: number;
  w: number;
  x: number;
  order: number;
}

export function layoutGraph(graph: GraphJson, options: LayoutOptions = {}): Layout {
  const nodeHeight = options.nodeHeight ?? 40;
  const layerGap = options.layerGap ?? 52;
  const nodeGap = options.nodeGap ?? 28;
  const margin = options.margin ?? 24;
  const charWidth = options.charWidth ?? 7.6;

  const ids = graph.nodes.map((n) => String(n.id));
  const known = new Set(ids);
  const seen = new Set<string>();
  const edges = graph.edges
    .map((e) => ({ source: String(e.source), target: String(e.target), conditional: Boolean(e.conditional), data: e.data }))
    .filter((e) => {
      const key = `${e.source}\u0000${e.target}`;
      if (!known.has(e.source) || !known.has(e.target) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });

  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  const incoming = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of edges) {
    out.get(e.source)!.push(e.target);
    incoming.set(e.target, incoming.get(e.target)! + 1);
  }

  // 1. Break cycles by breadth-first depth from __start__: an edge that does not lead deeper
  //    (governance → agent, tools → agent) is a loop back. Unlike DFS order, this keeps siblings
  //    such as the five agents on one row whatever order their edges were added in.
  const depth = new Map<string, number>();
  const discovery: string[] = [];
  const bfs = (root: string) => {
    if (depth.has(root)) return;
    depth.set(root, 0);
    const q = [root];
    while (q.length) {
      const u = q.shift()!;
      discovery.push(u);
      for (const v of out.get(u)!) {
        if (depth.has(v)) continue;
        depth.set(v, depth.get(u)! + 1);
        q.push(v);
      }
    }
  };
  for (const r of [...ids.filter((id) => id === "__start__"), ...ids.filter((id) => incoming.get(id) === 0), ...ids]) bfs(r);
  const backEdges = new Set(edges.filter((e) => depth.get(e.target)! <= depth.get(e.source)!).map((e) => `${e.source}\u0000${e.target}`));
  const isBack = (e: { source: string; target: string }) => backEdges.has(`${e.source}\u0000${e.target}`);
  // 2. Longest-path layering on the forward edges; __end__ sits alone at the bottom.
  const forward = edges.filter((e) => !isBack(e));
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of forward) indeg.set(e.target, indeg.get(e.target)! + 1);
  const queue = discovery.filter((id) => indeg.get(id) === 0);
  while (queue.length) {
    const u = queue.shift()!;
    for (const e of forward) {
      if (e.source !== u) continue;
      layer.set(e.target, Math.max(layer.get(e.target)!, layer.get(u)! + 1));
      indeg.set(e.target, indeg.get(e.target)! - 1);
      if (indeg.get(e.target) === 0) queue.push(e.target);
    }
  }
  if (known.has("__end__")) {
    const others = ids.filter((id) => id !== "__end__").map((id) => layer.get(id)!);
    layer.set("__end__", others.length ? Math.max(...others) + 1 : 0);
  }

  // 3. Dummy vertices along edges that skip layers, so long edges get routed between nodes.
  const vertices = new Map<string, Vertex>();
  for (const id of ids) {
    vertices.set(id, { id, dummy: false, layer: layer.get(id)!, w: labelWidth(id, charWidth), x: 0, order: 0 });
  }
  const chains: Array<{ edge: (typeof edges)[number]; path: string[] }> = [];
  const adjDown = new Map<string, string[]>();
  const adjUp = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    (adjDown.get(a) ?? adjDown.set(a, []).get(a)!).push(b);
    (adjUp.get(b) ?? adjUp.set(b, []).get(b)!).push(a);
  };
  let dummyCount = 0;
  for (const e of forward) {
    const path = [e.source];
    for (let l = layer.get(e.source)! + 1; l < layer.get(e.target)!; l++) {
      const id = `\u0000d${dummyCount++}`;
      vertices.set(id, { id, dummy: true, layer: l, w: 8, x: 0, order: 0 });
      path.push(id);
    }
    path.push(e.target);
    for (let i = 0; i + 1 < path.length; i++) link(path[i]!, path[i + 1]!);
    chains.push({ edge: e, path });
  }

  // 4. Order within layers: start from discovery order, then barycentre sweeps.
  const layerCount = Math.max(0, ...[...vertices.values()].map((v) => v.layer)) + 1;
  const layers: Vertex[][] = Array.from({ length: layerCount }, () => []);
  const rank = new Map(discovery.map((id, i) => [id, i]));
  const initial = [...vertices.values()].sort((a, b) => (rank.get(a.id) ?? 1e9) - (rank.get(b.id) ?? 1e9));
  for (const v of initial) layers[v.layer]!.push(v);
  const renumber = (row: Vertex[]) => row.forEach((v, i) => (v.order = i));
  layers.forEach(renumber);
  const barycentre = (v: Vertex, adj: Map<string, string[]>) => {
    const ns = adj.get(v.id) ?? [];
    if (ns.length === 0) return v.order;
    return ns.reduce((s, n) => s + vertices.get(n)!.order, 0) / ns.length;
  };
  for (let pass = 0; pass < 8; pass++) {
    for (let l = 1; l < layerCount; l++) {
      const bc = new Map(layers[l]!.map((v) => [v.id, barycentre(v, adjUp)]));
      layers[l]!.sort((a, b) => bc.get(a.id)! - bc.get(b.id)! || a.order - b.order);
      renumber(layers[l]!);
    }
    for (let l = layerCount - 2; l >= 0; l--) {
      const bc = new Map(layers[l]!.map((v) => [v.id, barycentre(v, adjDown)]));
      layers[l]!.sort((a, b) => bc.get(a.id)! - bc.get(b.id)! || a.order - b.order);
      renumber(layers[l]!);
    }
  }

  // 5. x: pack each layer, then pull every vertex toward its neighbours' centres while keeping
  //    order and spacing (a few alternating passes converge for graphs this size).
  const gapFor = (a: Vertex, b: Vertex) => (a.w + b.w) / 2 + (a.dummy || b.dummy ? nodeGap / 2 : nodeGap);
  for (const row of layers) {
    let x = 0;
    row.forEach((v, i) => {
      if (i > 0) x += gapFor(row[i - 1]!, v);
      v.x = x;
    });
  }
  for (let pass = 0; pass < 12; pass++) {
    const order = pass % 2 === 0 ? layers : [...layers].reverse();
    for (const row of order) {
      const desired = row.map((v) => {
        const ns = [...(adjUp.get(v.id) ?? []), ...(adjDown.get(v.id) ?? [])];
        return ns.length ? ns.reduce((s, n) => s + vertices.get(n)!.x, 0) / ns.length : v.x;
      });
      // Left-to-right and right-to-left placements honouring minimum gaps; average them.
      const ltr = desired.slice();
      for (let i = 1; i < row.length; i++) ltr[i] = Math.max(ltr[i]!, ltr[i - 1]! + gapFor(row[i - 1]!, row[i]!));
      const rtl = desired.slice();
      for (let i = row.length - 2; i >= 0; i--) rtl[i] = Math.min(rtl[i]!, rtl[i + 1]! - gapFor(row[i]!, row[i + 1]!));
      row.forEach((v, i) => (v.x = (ltr[i]! + rtl[i]!) / 2));
      for (let i = 1; i < row.length; i++) {
        row[i]!.x = Math.max(row[i]!.x, row[i - 1]!.x + gapFor(row[i - 1]!, row[i]!));
      }
    }
  }
  const all = [...vertices.values()];
  const minX = Math.min(...all.map((v) => v.x - v.w / 2));
  for (const v of all) v.x += margin - minX;
  const yOf = (l: number) => margin + l * (nodeHeight + layerGap) + nodeHeight / 2;

  const nodes: LaidNode[] = ids.map((id) => {
    const v = vertices.get(id)!;
    return { id, label: displayLabel(id), x: v.x, y: yOf(v.layer), w: v.w, h: nodeHeight, layer: v.layer };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let right = Math.max(...all.map((v) => v.x + v.w / 2));

  // 6. Edges. Several edges leaving one node fan out along its bottom edge, ordered by where
  //    they go, so they do not start on top of each other.
  const laid: LaidEdge[] = [];
  const fan = new Map<string, typeof chains>();
  for (const c of chains) (fan.get(c.edge.source) ?? fan.set(c.edge.source, []).get(c.edge.source)!).push(c);
  for (const [source, list] of fan) {
    const src = byId.get(source)!;
    const sorted = list.slice().sort((a, b) => vertices.get(a.path[1]!)!.x - vertices.get(b.path[1]!)!.x);
    sorted.forEach((c, i) => {
      const spread = Math.min(src.w - 24, 18 * (sorted.length - 1));
      const offset = sorted.length > 1 ? -spread / 2 + (spread * i) / (sorted.length - 1) : 0;
      const tgt = byId.get(c.edge.target)!;
      const points: Point[] = [{ x: src.x + offset, y: src.y + nodeHeight / 2 }];
      for (const d of c.path.slice(1, -1)) points.push({ x: vertices.get(d)!.x, y: yOf(vertices.get(d)!.layer) });
      points.push({ x: tgt.x, y: tgt.y - nodeHeight / 2 });
      laid.push(edgeOut(c.edge, points, false));
    });
  }
  // Back edges share one "bus" per source: out of the source's right side to a lane beyond
  // everything in between, up to just under the target row, then into each target from below.
  const lanes = new Map<string, number>();
  for (const e of edges.filter(isBack)) {
    const src = byId.get(e.source)!;
    const tgt = byId.get(e.target)!;
    if (e.source === e.target) {
      const x = src.x + src.w / 2;
      laid.push(edgeOut(e, [{ x, y: src.y - 8 }, { x: x + 22, y: src.y - 8 }, { x: x + 22, y: src.y + 8 }, { x, y: src.y + 8 }], true));
      right = Math.max(right, x + 22);
      continue;
    }
    if (!lanes.has(e.source)) lanes.set(e.source, lanes.size);
    const lane = lanes.get(e.source)!;
    const lo = Math.min(src.layer, tgt.layer);
    const hi = Math.max(src.layer, tgt.layer);
    const span = nodes.filter((n) => n.layer >= lo && n.layer <= hi);
    // Leave on the side with no neighbour in the source's row, so the bus crosses no node.
    const row = nodes.filter((n) => n.layer === src.layer);
    const left = row.some((n) => n.x > src.x) && !row.some((n) => n.x < src.x);
    const x = left ? Math.min(...span.map((n) => n.x - n.w / 2)) - 22 - 14 * lane : Math.max(...span.map((n) => n.x + n.w / 2)) + 22 + 14 * lane;
    const busY = tgt.y + nodeHeight / 2 + 10 + 8 * lane;
    const entryX = tgt.x + (left ? -1 : 1) * (tgt.w / 4 + 6 * lane);
    right = Math.max(right, x);
    laid.push(
      edgeOut(e, [
        { x: src.x + ((left ? -1 : 1) * src.w) / 2, y: src.y },
        { x, y: src.y },
        { x, y: busY },
        { x: entryX, y: busY },
        { x: entryX, y: tgt.y + nodeHeight / 2 },
      ], true),
    );
  }
  // Left-side lanes may reach past the margin: shift everything right to make room.
  const minEdgeX = Math.min(margin, ...laid.flatMap((e) => e.points.map((p) => p.x)));
  if (minEdgeX < margin) {
    const dx = margin - minEdgeX;
    for (const n of nodes) n.x += dx;
    for (const e of laid) for (const p of e.points) p.x += dx;
    right += dx;
  }
  return { width: right + margin + 8, height: yOf(layerCount - 1) + nodeHeight / 2 + margin, nodes, edges: laid };
}

function edgeOut(e: { source: string; target: string; conditional: boolean; data?: string }, points: Point[], back: boolean): LaidEdge {
  const edge: LaidEdge = { source: e.source, target: e.target, points, conditional: e.conditional, back };
  if (e.data) edge.label = e.data;
  return edge;
}

export function displayLabel(id: string): string {
  if (id === "__start__") return "start";
  if (id === "__end__") return "end";
  return id;
}

function labelWidth(id: string, charWidth: number): number {
  const label = displayLabel(id);
  if (id === "__start__" || id === "__end__") return Math.max(64, label.length * charWidth + 28);
  return Math.max(96, Math.ceil(label.length * charWidth + 40));
}

/** SVG path data through laid-out points: vertical S-curves for forward edges, a bulge for loops. */
export function edgePath(edge: LaidEdge): string {
  const p = edge.points;
  if (edge.back) return roundedPolyline(p, 7);
  let path = `M${p[0]!.x},${p[0]!.y}`;
  for (let i = 1; i < p.length; i++) {
    const a = p[i - 1]!;
    const b = p[i]!;
    const my = (a.y + b.y) / 2;
    path += ` C${a.x},${my} ${b.x},${my} ${b.x},${b.y}`;
  }
  return path;
}

/** An orthogonal polyline with rounded corners. */
function roundedPolyline(p: Point[], radius: number): string {
  let d = `M${p[0]!.x},${p[0]!.y}`;
  for (let i = 1; i < p.length - 1; i++) {
    const a = p[i - 1]!;
    const b = p[i]!;
    const c = p[i + 1]!;
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const ux = Math.sign(b.x - a.x);
    const uy = Math.sign(b.y - a.y);
    const vx = Math.sign(c.x - b.x);
    const vy = Math.sign(c.y - b.y);
    d += ` L${b.x - ux * r},${b.y - uy * r} Q${b.x},${b.y} ${b.x + vx * r},${b.y + vy * r}`;
  }
  const last = p[p.length - 1]!;
  return `${d} L${last.x},${last.y}`;
}
