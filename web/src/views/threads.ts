/** Threads view: find a conversation, then read its checkpoint timeline, messages, tools, verdicts. */
import type { Ctx } from "../context.ts";
import type { AuditStatus, Thread } from "../api.ts";
import { clear, fmtTime, h, jsonView, shortId } from "../dom.ts";
import { buildTimeline, normaliseMessage, toolExchanges, type TimelineStep } from "../timeline.ts";
import { errorPanel, statusBadge, timelineView, toolCallCard, transcript, truncate, verdictBadge } from "../ui.ts";

export function threadTitle(t: Thread): string {
  const msgs = (t.values?.messages as unknown[] | undefined) ?? [];
  const firstHuman = msgs.map(normaliseMessage).find((m) => m.type === "human");
  return firstHuman?.content ? truncate(firstHuman.content, 80) : "(no messages)";
}

export function threadMatches(t: Thread, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  const hay = [t.thread_id, JSON.stringify(t.metadata ?? {}), ...((t.values?.messages as unknown[] | undefined) ?? []).map((m) => normaliseMessage(m).content)].join("\n").toLowerCase();
  return hay.includes(needle);
}

export async function renderThreadsView(ctx: Ctx, params: string[]): Promise<HTMLElement> {
  const selectedId = params[0] ?? null;
  const search = h("input", { type: "search", id: "thread-search", placeholder: "Search id, metadata or message text", style: { flex: "1" } });
  const statusSel = h("select", { id: "thread-status", "aria-label": "Status" }, ["", "idle", "busy", "interrupted", "error"].map((s) => h("option", { value: s }, s || "any status")));
  const listBox = h("div", { class: "list scroll", id: "thread-list" });
  const detail = h("div", { id: "thread-detail" });
  let threads: Thread[] = [];

  async function load() {
    try {
      const body: { limit: number; status?: string } = { limit: 200 };
      if (statusSel.value) body.status = statusSel.value;
      threads = await ctx.api.searchThreads(body);
      threads.sort((a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? ""));
      drawList();
    } catch (err) {
      clear(listBox);
      listBox.append(h("div", { class: "card-pad" }, errorPanel(err, "Could not list threads.")));
    }
  }

  function drawList() {
    clear(listBox);
    const shown = threads.filter((t) => threadMatches(t, search.value.trim()));
    for (const t of shown) {
      listBox.append(
        h(
          "a",
          { class: `list-item${t.thread_id === selectedId ? " active" : ""}`, href: `#/threads/${t.thread_id}`, "data-thread": t.thread_id },
          h("div", { class: "line1" }, h("code", null, shortId(t.thread_id)), statusBadge(t.status), h("span", { class: "faint small", style: { marginLeft: "auto" } }, fmtTime(t.updated_at))),
          h("div", { class: "line2" }, threadTitle(t)),
        ),
      );
    }
    if (!shown.length) listBox.append(h("div", { class: "empty" }, threads.length ? "No thread matches." : "No threads yet. Start one in the Playground."));
  }

  search.addEventListener("input", drawList);
  statusSel.addEventListener("change", () => void load());
  await load();
  if (selectedId) void showThread(ctx, selectedId, detail);
  else detail.append(h("div", { class: "card empty" }, "Select a thread to see its timeline."));

  return h(
    "section",
    { "data-view": "threads" },
    h("div", { class: "view-head" }, h("h1", null, "Threads"), h("p", null, "Every conversation is a LangGraph thread; every node step is a checkpoint."), h("span", { class: "spacer" }), h("button", { onclick: () => void load() }, "Refresh")),
    h("div", { class: "split-left" }, h("div", { class: "card" }, h("div", { class: "row", style: { padding: "10px" } }, search, statusSel), listBox), detail),
  );
}

export async function showThread(ctx: Ctx, threadId: string, host: HTMLElement): Promise<void> {
  clear(host);
  host.append(h("div", { class: "card empty" }, "Loading thread…"));
  let thread: Thread;
  let steps: TimelineStep[];
  try {
    const [t, history] = await Promise.all([ctx.api.getThread(threadId), ctx.api.history(threadId, 500)]);
    thread = t;
    steps = buildTimeline(history);
  } catch (err) {
    clear(host);
    host.append(errorPanel(err, "Could not load the thread."));
    return;
  }
  const values = (steps.at(-1)?.values ?? thread.values ?? {}) as Record<string, unknown>;
  const messages = (values.messages as unknown[] | undefined) ?? [];
  const auditBadge = h("span", { class: "badge", id: "audit-status" }, "audit: checking…");
  void ctx.api.audit(threadId).then(
    (a: AuditStatus) => {
      auditBadge.className = `badge ${a.status === "verified" ? "ok" : a.status === "broken" ? "bad" : ""}`;
      auditBadge.textContent = a.status === "verified" ? `audit chain verified · ${a.rows} rows` : a.status === "broken" ? `audit chain BROKEN at row ${a.broken_at ?? "?"}` : "audit: no rows";
      if (a.detail) auditBadge.title = a.detail;
    },
    (err: Error) => {
      auditBadge.textContent = "audit: unavailable";
      auditBadge.title = err.message;
    },
  );

  const tabs: Record<string, () => HTMLElement> = {
    Timeline: () => timelineView(steps, { onFork: (s) => ctx.navigate(`#/timetravel/${threadId}/${s.checkpointId}`) }),
    Messages: () => transcript(messages),
    "Tool calls": () => toolsTab(messages, steps),
    Governance: () => governanceTab(steps),
    State: () => jsonView(values, 2),
  };
  const body = h("div", { class: "tab-body" });
  const tabBar = h("div", { class: "tabs", role: "tablist" });
  const open = (name: string) => {
    tabBar.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.textContent === name));
    clear(body);
    body.append(tabs[name]!());
  };
  for (const name of Object.keys(tabs)) tabBar.append(h("button", { role: "tab", "data-tab": name, onclick: () => open(name) }, name));
  const route = values.route as { intent?: string; tier_used?: string; agent?: string } | null | undefined;

  clear(host);
  host.append(
    h(
      "div",
      { class: "card", "data-thread-detail": threadId },
      h(
        "div",
        { class: "card-head" },
        h("h2", null, h("code", null, threadId)),
        statusBadge(thread.status),
        auditBadge,
        h("a", { class: "btn", href: `#/timetravel/${threadId}` }, "Time travel"),
        h("a", { class: "btn", href: `#/labelling/${threadId}` }, "Label"),
      ),
      h(
        "div",
        { class: "row small muted", style: { padding: "8px 16px", borderBottom: "1px solid var(--border)" } },
        `created ${fmtTime(thread.created_at)} · ${steps.length} checkpoints · ${messages.length} messages`,
        route?.intent ? h("span", null, ` · last intent ${route.intent} → ${route.agent} (${route.tier_used ?? "?"})`) : null,
        thread.metadata && Object.keys(thread.metadata).length ? h("span", { class: "mono" }, ` · ${truncate(JSON.stringify(thread.metadata), 120)}`) : null,
      ),
      tabBar,
      body,
    ),
  );
  open("Timeline");
}

function toolsTab(messages: unknown[], steps: TimelineStep[]): HTMLElement {
  const exchanges = toolExchanges(messages.map(normaliseMessage));
  const vetted = governanceRecords(steps).filter((v) => v.stage === "tool_call");
  const out = h("div", { class: "stack" });
  if (!exchanges.length) out.append(h("div", { class: "empty" }, "No tool calls in this thread."));
  for (const ex of exchanges) {
    const verdict = vetted.find((v) => v.tool_call_id && v.tool_call_id === ex.id);
    const card = toolCallCard(ex.name, ex.args, ex.result);
    if (verdict) card.prepend(h("div", { class: "row", style: { marginBottom: "4px" } }, verdictBadge(verdict.verdict), h("code", { class: "small" }, verdict.rule)));
    out.append(card);
  }
  return out;
}

interface VerdictRow {
  turn?: number;
  stage?: string;
  tool?: string;
  tool_call_id?: string;
  verdict: string;
  rule: string;
  reason?: string;
  args?: unknown;
  fixed_args?: unknown;
  decision?: { approved: boolean; by?: string; note?: string };
}

/** Verdicts are kept per turn in state, so the whole thread's are collected across checkpoints. */
export function governanceRecords(steps: TimelineStep[]): VerdictRow[] {
  const seen = new Map<string, VerdictRow>();
  for (const s of steps) {
    const vs = s.values.verdicts;
    if (!Array.isArray(vs)) continue;
    for (const v of vs as VerdictRow[]) {
      const key = JSON.stringify([v.turn, v.stage, v.tool_call_id, v.tool, v.rule, v.verdict, v.reason]);
      seen.set(key, v); // later checkpoints carry the decision of a resumed escalation
    }
  }
  return [...seen.values()];
}

function governanceTab(steps: TimelineStep[]): HTMLElement {
  const rows = governanceRecords(steps);
  if (!rows.length) return h("div", { class: "empty" }, "No governance verdicts recorded.");
  return h(
    "table",
    { id: "verdicts" },
    h("thead", null, h("tr", null, ["turn", "stage", "verdict", "rule", "tool", "reason", "decision"].map((c) => h("th", null, c)))),
    h(
      "tbody",
      null,
      rows.map((v) =>
        h(
          "tr",
          null,
          h("td", null, String(v.turn ?? "")),
          h("td", null, v.stage ?? ""),
          h("td", null, verdictBadge(v.verdict)),
          h("td", null, h("code", null, v.rule)),
          h("td", null, v.tool ? h("code", null, v.tool) : ""),
          h("td", null, v.reason ?? "", v.fixed_args ? h("div", { class: "small faint mono" }, "fixed → ", JSON.stringify(v.fixed_args)) : null),
          h("td", null, v.decision ? h("span", { class: `badge ${v.decision.approved ? "ok" : "bad"}` }, `${v.decision.approved ? "approved" : "rejected"}${v.decision.by ? ` by ${v.decision.by}` : ""}`) : ""),
        ),
      ),
    ),
  );
}
