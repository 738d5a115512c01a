/** A tiny element builder; the studio has no framework, so views are functions that build DOM. */
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener | Partial<CSSStyleDeclaration>>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else if (k === "class") el.className = String(v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | null | undefined> = {}, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Pretty JSON with keys and value types coloured (safe: built from text nodes, never innerHTML). */
export function jsonView(value: unknown, collapsedDepth = 3): HTMLElement {
  const pre = h("pre", { class: "json" });
  render(pre, value, 0, collapsedDepth);
  return pre;
}

function render(parent: Node, value: unknown, depth: number, collapsedDepth: number): void {
  const indent = "  ".repeat(depth);
  if (value === null || typeof value !== "object") {
    const cls = value === null ? "j-null" : typeof value === "string" ? "j-str" : typeof value === "number" ? "j-num" : "j-bool";
    parent.appendChild(h("span", { class: cls }, typeof value === "string" ? JSON.stringify(value) : String(value)));
    return;
  }
  const isArr = Array.isArray(value);
  const entries = isArr ? (value as unknown[]).map((v, i) => [String(i), v] as const) : Object.entries(value as object);
  const [open, close] = isArr ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    parent.appendChild(document.createTextNode(open + close));
    return;
  }
  if (depth >= collapsedDepth) {
    const details = h("details", { class: "j-fold" }, h("summary", null, `${open}…${close} ${entries.length} ${isArr ? "items" : "keys"}`));
    const inner = h("span");
    renderEntries(inner, entries, isArr, depth, collapsedDepth, indent, open, close);
    details.appendChild(inner);
    parent.appendChild(details);
    return;
  }
  renderEntries(parent, entries, isArr, depth, collapsedDepth, indent, open, close);
}

function renderEntries(parent: Node, entries: ReadonlyArray<readonly [string, unknown]>, isArr: boolean, depth: number, collapsedDepth: number, indent: string, open: string, close: string) {
  parent.appendChild(document.createTextNode(open + "\n"));
  entries.forEach(([k, v], i) => {
    parent.appendChild(document.createTextNode(indent + "  "));
    if (!isArr) {
      parent.appendChild(h("span", { class: "j-key" }, JSON.stringify(k)));
      parent.appendChild(document.createTextNode(": "));
    }
    render(parent, v, depth + 1, collapsedDepth);
    parent.appendChild(document.createTextNode((i < entries.length - 1 ? "," : "") + "\n"));
  });
  parent.appendChild(document.createTextNode(indent + close));
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || Number.isNaN(ms)) return "–";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "";
}

export function toast(message: string, kind: "ok" | "error" | "info" = "info"): void {
  let host = document.getElementById("toasts");
  if (!host) {
    host = h("div", { id: "toasts" });
    document.body.appendChild(host);
  }
  const t = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  host.appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 8000 : 4000);
}
