/** Time travel: fork a thread from any checkpoint with edited state and re-run; resolve escalations. */
import type { Ctx } from "../context.ts";
import { ApiError, type Thread } from "../api.ts";
import { changedTopLevelKeys } from "../diff.ts";
import { clear, fmtTime, h, jsonView, shortId, toast } from "../dom.ts";
import { drawGraph, type GraphView } from "../graphView.ts";
import { watchRun, type RunOutcome } from "../runner.ts";
import { buildTimeline, type ThreadState, type TimelineStep } from "../timeline.ts";
import { errorPanel, nodeChip, statusBadge, stepSummary, transcript, verdictBadge } from "../ui.ts";
import { threadTitle } from "./threads.ts";

export async function renderTimeTravelView(ctx: Ctx, params: string[]): Promise<HTMLElement> {
  const [threadId, checkpointId] = params;
  const head = h("div", { class: "view-head" }, h("h1", null, "Time travel"), h("p", null, "Fork from any checkpoint with edited state and re-run; approve or reject an escalated turn."));
  if (!threadId) return h("section", { "data-view": "timetravel" }, head, await threadPicker(ctx));

  const [thread, history] = await Promise.all([ctx.api.getThread(threadId), ctx.api.history(threadId, 500)]);
  const steps = buildTimeline(history);
  const headState = history[0] ?? null;
  const graph = await ctx.graph();
  let selected: TimelineStep | null = steps.find((s) => s.checkpointId === checkpointId) ?? steps.at(-1) ?? null;

  const stepList = h("div", { class: "list scroll", id: "checkpoints" });
  const forkPanel = h("div", { class: "card", id: "fork-panel" });
  const result = h("div", { id: "run-result" });

  function drawSteps() {
    clear(stepList);
    for (const s of steps) {
      stepList.append(
        h(
          "a",
          {
            class: `list-item${s === selected ? " active" : ""}`,
            href: `#/timetravel/${threadId}/${s.checkpointId}`,
            "data-checkpoint": s.checkpointId,
            "data-nodes": s.nodes.join(","),
            onclick: (ev: Event) => {
              ev.preventDefault();
              selected = s;
              history_replace(`#/timetravel/${threadId}/${s.checkpointId}`);
              drawSteps();
              drawFork();
            },
          },
          h("div", { class: "line1" }, h("span", { class: "faint mono small" }, s.step != null ? `#${s.step}` : ""), s.nodes.map((n) => nodeChip(n)), s.turn != null ? h("span", { class: "faint small", style: { marginLeft: "auto" } }, `turn ${s.turn}`) : null),
          h("div", { class: "line2" }, stepSummary(s) || `next: ${s.next.join(", ") || "—"}`),
        ),
      );
    }
  }

  function drawFork() {
    clear(forkPanel);
    if (!selected) {
      forkPanel.append(h("div", { class: "empty" }, "This thread has no checkpoints."));
      return;
    }
    const step = selected;
    const original = step.values;
    const editor = h("textarea", { id: "fork-state", rows: 18, spellcheck: "false" });
    editor.value = JSON.stringify(original, null, 2);
    // LangGraph applies an edit as some node's output. Written as the node this checkpoint is
    // waiting for, the edit stands in for that node's result and the run continues after it
    // (written as the node that already ran, LangGraph 1.7 re-applies that node's stored writes).
    const asNode = step.next.length === 1 ? step.next[0]! : null;
    const forkBtn = h("button", { class: "primary", id: "fork-run" }, "Fork & re-run");
    forkBtn.addEventListener("click", async () => {
      let edited: Record<string, unknown>;
      try {
        edited = JSON.parse(editor.value);
      } catch (err) {
        toast(`State is not valid JSON: ${(err as Error).message}`, "error");
        return;
      }
      const changed = changedTopLevelKeys(original, edited);
      forkBtn.disabled = true;
      try {
        let from = step.checkpointId;
        if (changed.length) {
          const values = Object.fromEntries(changed.map((k) => [k, edited[k]]));
          const body: { values: Record<string, unknown>; checkpoint_id: string; as_node?: string } = { values, checkpoint_id: step.checkpointId };
          if (asNode) body.as_node = asNode;
          const written = await ctx.api.updateState(threadId!, body);
          from = written.checkpoint.checkpoint_id;
          toast(`Forked at ${shortId(step.checkpointId)} with edited ${changed.join(", ")}`, "ok");
        }
        await runInto(result, graph, (watchers, signal) => watchRun(ctx.api, threadId!, { assistant_id: ctx.assistantId, input: null, checkpoint_id: from }, watchers, signal), `Re-ran from ${shortId(from)}`, () => ctx.navigate(`#/timetravel/${threadId}`));
      } catch (err) {
        clear(result);
        result.append(errorPanel(err, "Fork failed."));
      } finally {
        forkBtn.disabled = false;
      }
    });
    forkPanel.append(
      h("div", { class: "card-head" }, h("h2", null, "Fork from checkpoint"), h("code", { class: "small" }, shortId(step.checkpointId)), step.nodes.map((n) => nodeChip(n))),
      h(
        "div",
        { class: "card-pad stack" },
        h("div", { class: "small muted" }, `${fmtTime(step.createdAt)} · next: ${step.next.join(", ") || "— (turn finished)"}`, asNode ? ` · edits are written as the output of ${asNode}; the run continues after it` : ""),
        h("div", { class: "small muted" }, "Edit the state, then re-run from this point. Only changed top-level fields are sent; they merge through the graph's reducers (messages by id). With no edits the run replays from the checkpoint."),
        editor,
        h("div", { class: "row" }, forkBtn, h("button", { onclick: () => (editor.value = JSON.stringify(original, null, 2)) }, "Reset edits")),
      ),
    );
  }

  drawSteps();
  drawFork();

  const escalation = escalationPanel(ctx, thread, headState, graph, result);

  return h(
    "section",
    { "data-view": "timetravel", "data-thread": threadId },
    head,
    h("div", { class: "row", style: { marginBottom: "12px" } }, h("code", null, threadId), statusBadge(thread.status), h("a", { class: "btn", href: `#/threads/${threadId}` }, "Open in Threads"), h("a", { class: "btn", href: "#/timetravel" }, "Other thread")),
    escalation,
    h("div", { class: "split-left" }, h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Checkpoints"), h("span", { class: "faint small" }, String(steps.length))), stepList), h("div", { class: "stack" }, forkPanel, result)),
  );
}

function history_replace(hash: string) {
  history.replaceState(null, "", hash);
}

async function threadPicker(ctx: Ctx): Promise<HTMLElement> {
  let interrupted: Thread[] = [];
  let recent: Thread[] = [];
  try {
    [interrupted, recent] = await Promise.all([ctx.api.searchThreads({ status: "interrupted", limit: 50 }), ctx.api.searchThreads({ limit: 30 })]);
  } catch (err) {
    return errorPanel(err, "Could not list threads.");
  }
  const item = (t: Thread) =>
    h("a", { class: "list-item", href: `#/timetravel/${t.thread_id}`, "data-thread": t.thread_id }, h("div", { class: "line1" }, h("code", null, shortId(t.thread_id)), statusBadge(t.status), h("span", { class: "faint small", style: { marginLeft: "auto" } }, fmtTime(t.updated_at))), h("div", { class: "line2" }, threadTitle(t)));
  const idInput = h("input", { placeholder: "thread id", id: "tt-thread-id", style: { flex: "1" } });
  return h(
    "div",
    { class: "grid-2" },
    h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Waiting for approval"), h("span", { class: "badge warn" }, String(interrupted.length))), h("div", { class: "list scroll", id: "interrupted-threads" }, interrupted.length ? interrupted.map(item) : h("div", { class: "empty" }, "No escalated threads."))),
    h(
      "div",
      { class: "card" },
      h("div", { class: "card-head" }, h("h2", null, "Recent threads")),
      h("form", { class: "row", style: { padding: "10px" }, onsubmit: (ev: Event) => (ev.preventDefault(), idInput.value.trim() && ctx.navigate(`#/timetravel/${idInput.value.trim()}`)) }, idInput, h("button", { type: "submit" }, "Open")),
      h("div", { class: "list scroll" }, recent.map(item)),
    ),
  );
}

function escalationPanel(ctx: Ctx, thread: Thread, headState: ThreadState | null, graph: Awaited<ReturnType<Ctx["graph"]>>, result: HTMLElement): HTMLElement | null {
  const interrupts = (headState?.tasks ?? []).flatMap((t) => (t.interrupts ?? []).map((i) => ({ node: t.name, value: i.value })));
  if (!interrupts.length && thread.status !== "interrupted") return null;
  const role = ctx.keys.active()?.role ?? "unknown";
  const note = h("input", { id: "resume-note", placeholder: "Note for the audit log (optional)", style: { flex: "1" } });
  const decide = async (approved: boolean) => {
    for (const b of panel.querySelectorAll("button")) b.disabled = true;
    try {
      // Who decided is recorded with the verdict (informational: the server checks the role itself).
      const resume: Record<string, unknown> = { approved, by: ctx.keys.active()?.label ?? role };
      if (note.value.trim()) resume.note = note.value.trim();
      await runInto(result, graph, (w, signal) => watchRun(ctx.api, thread.thread_id, { assistant_id: ctx.assistantId, command: { resume } }, w, signal), approved ? "Approved" : "Rejected", () => ctx.navigate(`#/timetravel/${thread.thread_id}`));
      panel.replaceWith(h("div", { class: "notice", id: "escalation-resolved", style: { marginBottom: "16px" } }, `Escalation ${approved ? "approved" : "rejected"} as ${role}; the turn has resumed (result below).`));
      result.scrollIntoView({ block: "start" });
    } catch (err) {
      clear(result);
      const refused = err instanceof ApiError && (err.status === 403 || err.status === 401);
      result.append(h("div", { id: "resume-refused" }, errorPanel(err, refused ? `Refused: only a manager can resume an escalation (this key is ${role}).` : "Resume failed.")));
    } finally {
      for (const b of panel.querySelectorAll("button")) b.disabled = false;
    }
  };
  const panel = h(
    "div",
    { class: "notice warn stack", id: "escalation", style: { marginBottom: "16px" } },
    h("div", { class: "row" }, h("b", null, "Escalated — waiting for a manager"), h("span", { class: "spacer", style: { flex: "1" } }), h("span", { class: "small muted" }, `acting as ${role}`)),
    interrupts.length ? interrupts.map((i) => h("div", null, nodeChip(i.node), " ", interruptSummary(i.value), h("details", null, h("summary", { class: "small muted" }, "interrupt payload"), jsonView(i.value)))) : h("div", { class: "small" }, "The thread is interrupted."),
    h("div", { class: "row" }, note, h("button", { class: "ok", id: "approve", onclick: () => void decide(true) }, "Approve"), h("button", { class: "danger", id: "reject", onclick: () => void decide(false) }, "Reject")),
  );
  return panel;
}

function interruptSummary(value: unknown): HTMLElement {
  const v = (value ?? {}) as Record<string, unknown>;
  const bits: Array<HTMLElement | string> = [];
  if (typeof v.reason === "string") bits.push(v.reason);
  if (typeof v.tool === "string") bits.push(" · ", h("code", null, v.tool));
  if (typeof v.rule === "string") bits.push(" · ", h("code", null, v.rule));
  if (v.args) bits.push(" ", h("code", { class: "small" }, JSON.stringify(v.args)));
  return h("span", null, ...(bits.length ? bits : [JSON.stringify(value)]));
}

/** Runs with a live mini-graph and shows the outcome (reply, verdicts, new interrupts). */
async function runInto(
  host: HTMLElement,
  graph: Awaited<ReturnType<Ctx["graph"]>>,
  start: (w: Parameters<typeof watchRun>[3], signal: AbortSignal) => Promise<RunOutcome>,
  title: string,
  reload: () => void,
): Promise<void> {
  clear(host);
  const gv: GraphView = drawGraph(graph, { compact: true });
  const reply = h("div", { class: "msg ai streaming", id: "run-reply" }, "");
  const card = h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, title), h("span", { class: "badge accent", id: "run-status" }, "running")), h("div", { class: "card-pad grid-2" }, h("div", { class: "graph-wrap" }, gv.el), h("div", { class: "chat" }, reply)));
  host.append(card);
  const controller = new AbortController();
  const outcome = await start(
    {
      onNode: (n, s) => gv.setStatus(n, s),
      onReply: (t) => (reply.textContent = t),
    },
    controller.signal,
  );
  reply.classList.remove("streaming");
  const values = outcome.values ?? {};
  if (typeof values.reply === "string") reply.textContent = values.reply;
  const status = card.querySelector("#run-status")!;
  status.textContent = outcome.error ? "error" : outcome.interrupts.length ? "interrupted" : "done";
  status.className = `badge ${outcome.error ? "bad" : outcome.interrupts.length ? "warn" : "ok"}`;
  const verdicts = (values.verdicts as Array<{ verdict: string; rule: string; decision?: { approved: boolean } }> | undefined) ?? [];
  const meta = h("div", { class: "meta" }, verdicts.map((v) => verdictBadge(`${v.verdict} · ${v.rule}${v.decision ? (v.decision.approved ? " · approved" : " · rejected") : ""}`)));
  reply.append(meta);
  if (outcome.error) card.append(h("div", { class: "card-pad" }, errorPanel(new Error(outcome.error.message), outcome.error.error)));
  if (Array.isArray(values.messages)) card.append(h("details", { class: "card-pad" }, h("summary", { class: "muted small" }, "Conversation after the run"), transcript(values.messages as unknown[])));
  card.append(h("div", { class: "card-pad row" }, h("button", { onclick: reload, id: "reload-thread" }, "Reload checkpoints")));
}
