/** Widgets several views share: error panels, badges, chat transcript, step diff, timeline. */
import { ApiError } from "./api.ts";
import { diffJson, type Change } from "./diff.ts";
import { fmtMs, fmtTime, h, jsonView } from "./dom.ts";
import { layerOf } from "./layers.ts";
import { normaliseMessage, type ChatMessage, type TimelineStep } from "./timeline.ts";

export function errorPanel(err: unknown, what = "Could not load this view."): HTMLElement {
  const status = err instanceof ApiError ? err.status : 0;
  const hint =
    status === 401
      ? "The API key was not accepted. Pick or add another key (top right)."
      : status === 403
        ? "This key's role may not do that."
        : status === 404
          ? "Not found — or not visible to this key."
          : "";
  return h("div", { class: "notice bad", role: "alert" }, h("b", null, what + " "), String((err as Error)?.message ?? err), hint ? h("div", { class: "small" }, hint) : null);
}

export function statusBadge(status: string | undefined | null): HTMLElement {
  const cls = status === "idle" ? "ok" : status === "interrupted" ? "warn" : status === "error" ? "bad" : status === "busy" ? "accent" : "";
  return h("span", { class: `badge ${cls}`, "data-status": status ?? "" }, status ?? "unknown");
}

export function verdictBadge(verdict: string): HTMLElement {
  const cls = verdict === "allow" ? "ok" : verdict === "block" ? "bad" : verdict === "escalate" || verdict === "confirm" ? "warn" : "accent";
  return h("span", { class: `badge ${cls}` }, verdict);
}

export function nodeChip(node: string, metadata?: unknown): HTMLElement {
  const label = node === "__start__" ? "start" : node === "__end__" ? "end" : node;
  return h("span", { class: `chip layer-${layerOf(node, metadata)}` }, label);
}

/** The conversation with tool calls (arguments and results) shown inline. */
export function transcript(rawMessages: unknown[]): HTMLElement {
  const messages = rawMessages.map(normaliseMessage);
  const results = new Map(messages.filter((m) => m.type === "tool" && m.tool_call_id).map((m) => [m.tool_call_id!, m]));
  const shown = new Set<string>();
  const out = h("div", { class: "chat" });
  for (const m of messages) {
    if (m.type === "tool" && m.tool_call_id && shown.has(m.tool_call_id)) continue;
    if (m.content || m.tool_calls.length === 0) out.appendChild(h("div", { class: `msg ${bubbleClass(m)}`, "data-type": m.type }, m.content || h("span", { class: "faint" }, "(empty)")));
    for (const call of m.tool_calls) {
      const result = call.id ? results.get(call.id) : undefined;
      if (call.id) shown.add(call.id);
      out.appendChild(toolCallCard(call.name, call.args, result?.content));
    }
  }
  if (!messages.length) out.appendChild(h("div", { class: "empty" }, "No messages yet."));
  return out;
}

function bubbleClass(m: ChatMessage): string {
  return m.type === "human" ? "human" : m.type === "ai" ? "ai" : m.type === "tool" ? "tool" : "system";
}

export function toolCallCard(name: string, args: unknown, result?: string): HTMLElement {
  return h(
    "div",
    { class: "toolcall", "data-tool": name },
    h("div", null, "→ ", h("span", { class: "name" }, name), "(", h("span", null, compactJson(args)), ")"),
    result !== undefined ? h("div", { class: "muted", style: { marginTop: "4px", whiteSpace: "pre-wrap" } }, "← ", truncate(result, 600)) : h("div", { class: "faint" }, "← (no result: not run)"),
  );
}

export function compactJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return String(v);
  }
}

export function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + "…" : s;
}

export function diffView(changes: Change[]): HTMLElement {
  if (!changes.length) return h("div", { class: "faint small" }, "No state change.");
  const rows = changes.slice(0, 300).map((c) => {
    if (c.kind === "added") return h("div", { class: "add" }, "+ ", h("span", { class: "path" }, c.path), " = ", truncate(compactJson(c.after), 400));
    if (c.kind === "removed") return h("div", { class: "del" }, "− ", h("span", { class: "path" }, c.path), " (was ", truncate(compactJson(c.before), 300), ")");
    return h("div", { class: "chg" }, "~ ", h("span", { class: "path" }, c.path), ": ", truncate(compactJson(c.before), 200), " → ", truncate(compactJson(c.after), 300));
  });
  if (changes.length > 300) rows.push(h("div", { class: "faint" }, `…and ${changes.length - 300} more`));
  return h("div", { class: "diff" }, rows);
}

/** A one-line summary of what a step did, from the node's update (the interesting fields only). */
export function stepSummary(step: TimelineStep): string {
  if (step.nodes[0] === "input") {
    // The input checkpoint holds the message as the pending write of its __start__ task.
    const start = (step.state.tasks ?? []).find((t) => t.name === "__start__")?.result as { messages?: unknown[] } | undefined;
    const msgs = start?.messages ?? [];
    const last = msgs.length ? normaliseMessage(msgs[msgs.length - 1]) : null;
    return last?.content ? `“${truncate(last.content, 90)}”` : "new input";
  }
  const parts: string[] = [];
  for (const [node, update] of Object.entries(step.updates)) {
    const u = (update ?? {}) as Record<string, unknown>;
    const route = u.route as { intent?: string; agent?: string; tier?: string } | undefined;
    if (route?.intent) parts.push(`${route.intent} → ${route.agent ?? "?"} (${route.tier ?? "?"})`);
    const verdicts = u.verdicts as Array<{ verdict: string; rule: string }> | undefined;
    if (Array.isArray(verdicts) && verdicts.length) parts.push(verdicts.map((v) => `${v.verdict}:${v.rule}`).join(", "));
    const timings = u.timings as Array<{ node: string; ms: number }> | undefined;
    const mine = Array.isArray(timings) ? timings.filter((t) => t.node === node).at(-1) : undefined;
    if (mine) parts.push(fmtMs(mine.ms));
    const msgs = u.messages as unknown[] | undefined;
    if (Array.isArray(msgs) && msgs.length) {
      const m = normaliseMessage(msgs[msgs.length - 1]);
      if (m.tool_calls.length) parts.push(`calls ${m.tool_calls.map((c) => c.name).join(", ")}`);
      else if (m.content) parts.push(`“${truncate(m.content, 70)}”`);
    }
    if (typeof u.reply === "string" && !parts.some((p) => p.startsWith("“"))) parts.push(`reply “${truncate(u.reply, 70)}”`);
  }
  if (step.interrupts.length) parts.push("waiting for approval");
  if (step.errors.length) parts.push(`error: ${step.errors[0]!.error}`);
  if (!parts.length && Object.keys(step.updates).length) parts.push(`updated ${Object.values(step.updates).flatMap((u) => Object.keys((u ?? {}) as object)).join(", ")}`);
  return parts.join(" · ");
}

export interface TimelineOptions {
  onFork?: (step: TimelineStep) => void;
  open?: string | null;
}

/** The checkpoint timeline grouped by turn; each step expands to its update, diff and state. */
export function timelineView(steps: TimelineStep[], opts: TimelineOptions = {}): HTMLElement {
  const root = h("div", { class: "timeline" });
  steps.forEach((step, i) => {
    if (step.nodes[0] === "input" || i === 0) {
      // dataPrep raises the turn number, so a turn's number is the highest one seen before the next input.
      let turn: number | null = null;
      for (let j = i; j < steps.length && (j === i || steps[j]!.nodes[0] !== "input"); j++) {
        const t = steps[j]!.turn;
        if (t != null) turn = Math.max(turn ?? t, t);
      }
      root.appendChild(h("div", { class: "turn-head" }, turn != null ? `Turn ${turn}` : "Turn", h("span", { class: "rule" }), h("span", { class: "faint" }, fmtTime(step.createdAt))));
    }
    const details = h("details", { class: "step", "data-checkpoint": step.checkpointId, "data-nodes": step.nodes.join(",") });
    if (opts.open === step.checkpointId) details.open = true;
    const summary = h(
      "summary",
      null,
      h("span", { class: "stepno" }, step.step != null ? `#${step.step}` : ""),
      step.nodes.map((n) => nodeChip(n)),
      h("span", { class: "sum" }, stepSummary(step)),
      step.interrupts.length ? h("span", { class: "badge warn" }, "interrupt") : null,
      opts.onFork
        ? h(
            "button",
            {
              class: "small fork-btn",
              title: "Fork the thread from this checkpoint",
              onclick: (ev: Event) => {
                ev.preventDefault();
                ev.stopPropagation();
                opts.onFork!(step);
              },
            },
            "Fork",
          )
        : null,
    );
    details.appendChild(summary);
    let filled = false;
    details.addEventListener("toggle", () => {
      if (!details.open || filled) return;
      filled = true;
      details.appendChild(stepBody(step));
    });
    if (details.open) {
      filled = true;
      details.appendChild(stepBody(step));
    }
    root.appendChild(details);
  });
  if (!steps.length) root.appendChild(h("div", { class: "empty" }, "No checkpoints."));
  return root;
}

function stepBody(step: TimelineStep): HTMLElement {
  const changes = step.before ? diffJson(step.before, step.values) : [];
  return h(
    "div",
    { class: "step-body" },
    h("div", { class: "row small muted" }, "checkpoint ", h("code", null, step.checkpointId), step.next.length ? h("span", null, " · next: ", step.next.join(", ")) : null, h("span", null, " · source: ", step.source)),
    step.interrupts.length ? h("div", null, h("h3", null, "Interrupt"), jsonView(step.interrupts.map((i) => i.value))) : null,
    Object.keys(step.updates).length ? h("div", null, h("h3", null, "Node output"), jsonView(step.updates, 4)) : null,
    h("div", null, h("h3", null, "Diff from previous checkpoint"), step.before ? diffView(changes) : h("div", { class: "faint small" }, "First checkpoint.")),
    h("details", null, h("summary", { class: "muted small" }, "Full state at this step"), jsonView(step.values, 2)),
  );
}
