/**
 * Labelling: mark a turn's correct intent. Turns come from the trace store (`turn_traces`, one row
 * per turn, via `/studio/api/threads/:id/turns`); a label is `POST /threads/:id/feedback` with the
 * turn's run id and `corrected_intent`, which the server also writes to `route_labels`, the
 * router's training inbox. After saving, the row is re-read from the server, so "labelled: X" is
 * what was recorded, not what was clicked.
 */
import type { Ctx } from "../context.ts";
import type { Thread, TurnRecord } from "../api.ts";
import { clear, fmtTime, h, shortId, toast } from "../dom.ts";
import { errorPanel, statusBadge } from "../ui.ts";
import { threadTitle } from "./threads.ts";

export async function renderLabellingView(ctx: Ctx, params: string[]): Promise<HTMLElement> {
  const threadId = params[0] ?? null;
  const meta = await ctx.meta();
  const list = h("div", { class: "list scroll", id: "label-threads" });
  const detail = h("div", { id: "label-detail" });
  let threads: Thread[] = [];
  try {
    threads = await ctx.api.searchThreads({ limit: 100 });
    threads.sort((a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? ""));
  } catch (err) {
    list.append(h("div", { class: "card-pad" }, errorPanel(err, "Could not list threads.")));
  }
  for (const t of threads) {
    list.append(
      h(
        "a",
        { class: `list-item${t.thread_id === threadId ? " active" : ""}`, href: `#/labelling/${t.thread_id}`, "data-thread": t.thread_id },
        h("div", { class: "line1" }, h("code", null, shortId(t.thread_id)), statusBadge(t.status), h("span", { class: "faint small", style: { marginLeft: "auto" } }, fmtTime(t.updated_at))),
        h("div", { class: "line2" }, threadTitle(t)),
      ),
    );
  }
  if (!threads.length && !list.childNodes.length) list.append(h("div", { class: "empty" }, "No threads yet."));

  if (threadId) await drawTurns(ctx, threadId, meta.intents, detail);
  else detail.append(h("div", { class: "card empty" }, "Pick a thread to label its turns."));

  return h(
    "section",
    { "data-view": "labelling" },
    h(
      "div",
      { class: "view-head" },
      h("h1", null, "Labelling"),
      h("p", null, "Correct the router: pick each turn's true intent. Labels are saved as feedback on that turn and added to the router's training labels (", h("code", null, "route_labels"), ")."),
    ),
    h("div", { class: "split-left" }, h("div", { class: "card" }, list), detail),
  );
}

async function drawTurns(ctx: Ctx, threadId: string, intents: string[], host: HTMLElement) {
  let turns: TurnRecord[];
  try {
    turns = (await ctx.api.turns(threadId)).turns;
  } catch (err) {
    host.append(h("div", { class: "card card-pad", id: "label-error" }, errorPanel(err, "Could not load this thread's turns.")));
    return;
  }
  const latest = turns.reduce((m, t) => Math.max(m, t.turn), -1);
  const summary = h("span", { class: "muted small", id: "label-summary" });
  const tbody = h("tbody", null);
  const refreshSummary = () => {
    const labelled = turns.filter((t) => t.label).length;
    summary.textContent = `${turns.length} turn${turns.length === 1 ? "" : "s"} · ${labelled} labelled`;
  };
  refreshSummary();

  // Shown 1-based, in order; `data-turn` keeps the trace's own turn number.
  const ordinal = (t: TurnRecord) => turns.findIndex((x) => x.turn === t.turn) + 1;
  const drawRow = (t: TurnRecord, status?: HTMLElement): HTMLTableRowElement => {
    // The feedback API names a turn by its run; a turn recorded without one is only reachable as the latest.
    const addressable = Boolean(t.run_id) || t.turn === latest;
    const current = t.label?.intent ?? t.intent ?? "";
    const select = h(
      "select",
      { "aria-label": `Correct intent for turn ${t.turn}`, "data-turn": t.turn, disabled: !addressable },
      t.intent ? null : h("option", { value: "", selected: !current }, "choose…"),
      intents.map((i) => h("option", { value: i, selected: i === current }, i)),
    );
    const note = h("input", { class: "label-note", placeholder: "note (optional)", "aria-label": `Note for turn ${t.turn}`, maxlength: 2000, disabled: !addressable });
    const save = h("button", { class: "small primary", "data-save": t.turn, disabled: !addressable }, "Save");
    const syncButton = () => {
      save.textContent = select.value === t.intent && !t.label ? "Confirm" : "Save";
      save.disabled = !addressable || !select.value;
    };
    select.addEventListener("change", syncButton);
    syncButton();
    const statusCell = h("div", { class: "label-status", "data-status-for": t.turn }, status ?? null);
    if (!addressable) statusCell.append(h("span", { class: "faint small" }, "No run id was recorded for this turn, so the feedback API can only reach it while it is the latest."));

    save.addEventListener("click", async () => {
      save.disabled = true;
      select.disabled = true;
      clear(statusCell);
      statusCell.append(h("span", { class: "faint small" }, "Saving…"));
      const intent = select.value;
      try {
        const body: { corrected_intent: string; run_id?: string; label?: string } = { corrected_intent: intent };
        if (t.run_id) body.run_id = t.run_id;
        if (note.value.trim()) body.label = note.value.trim();
        const recorded = await ctx.api.feedback(threadId, body);
        if (recorded.turn !== t.turn) throw new Error(`the server recorded the label on turn ${recorded.turn}, not turn ${t.turn}`);
        // Read the turn back: the row shows what the server holds.
        const fresh = (await ctx.api.turns(threadId)).turns;
        turns = fresh;
        refreshSummary();
        const updated = fresh.find((x) => x.turn === t.turn) ?? t;
        const ok = h(
          "div",
          { class: "notice ok small", role: "status", "data-saved": recorded.id },
          `Saved as feedback #${recorded.id}. `,
          recorded.route_label ? "Added to the router's training labels." : "Not added to training labels: the turn has no user text.",
        );
        row.replaceWith(drawRow(updated, ok));
        toast(`Turn ${ordinal(t)} labelled ${intent}`, "ok");
      } catch (err) {
        clear(statusCell);
        statusCell.append(errorPanel(err, "Label not saved."));
        select.disabled = !addressable;
        syncButton();
      }
    });

    const row = h(
      "tr",
      { "data-turn": t.turn, "data-run": t.run_id ?? "", "data-labelled": t.label?.intent ?? "" },
      h("td", { class: "num turn-no", title: `trace ${t.trace_id}${t.run_id ? `, run ${t.run_id}` : ""}` }, String(ordinal(t))),
      h(
        "td",
        { class: "turn-text" },
        t.text ? h("div", { class: "said" }, t.text) : h("span", { class: "faint" }, "(no user message)"),
        h("div", { class: "faint small" }, fmtTime(t.started_at), t.outcome !== "completed" ? ` · ${t.outcome}` : ""),
      ),
      h(
        "td",
        { class: "predicted" },
        t.intent ? h("span", { class: "badge accent", "data-predicted": t.intent }, t.intent) : h("span", { class: "faint" }, "not routed"),
        h("div", { class: "faint small" }, [t.confidence != null ? `${(t.confidence * 100).toFixed(0)}%` : null, t.agent, t.tier].filter(Boolean).join(" · ")),
      ),
      h(
        "td",
        { class: "label-cell" },
        t.label
          ? [
              h("span", { class: `badge ${t.label.intent === t.intent ? "ok" : "warn"}`, "data-label": t.label.intent }, `labelled: ${t.label.intent}`),
              h("div", { class: "faint small" }, [t.label.author, fmtTime(t.label.at), t.label.count > 1 ? `${t.label.count} labels` : null].filter(Boolean).join(" · ")),
            ]
          : h("span", { class: "faint small" }, "unlabelled"),
      ),
      h("td", { class: "label-edit" }, h("div", { class: "label-controls" }, select, save, note), statusCell),
    );
    return row;
  };

  for (const t of turns) tbody.append(drawRow(t));
  host.append(
    h(
      "div",
      { class: "card" },
      h(
        "div",
        { class: "card-head" },
        h("h2", null, "Thread ", h("code", null, shortId(threadId))),
        summary,
        h("a", { class: "btn", href: `#/threads/${threadId}` }, "Open thread"),
      ),
      turns.length
        ? h(
            "table",
            { id: "label-turns", class: "label-table" },
            h(
              "thead",
              null,
              h("tr", null, h("th", { class: "num" }, "#"), h("th", null, "user said"), h("th", null, "router predicted"), h("th", null, "label"), h("th", null, "correct intent")),
            ),
            tbody,
          )
        : h("div", { class: "empty" }, "No recorded turns in this thread yet. Turns are recorded by the audit node at the end of each turn (unless AISLE_TRACES=off)."),
    ),
  );
}
