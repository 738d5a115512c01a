/** Playground: chat with the graph as a chosen caller, watching nodes light up as the turn runs. */
import type { Ctx } from "../context.ts";
import { Api, ApiError } from "../api.ts";
import { clear, h, toast } from "../dom.ts";
import { drawGraph } from "../graphView.ts";
import { describeKey } from "../keys.ts";
import { watchRun } from "../runner.ts";
import { compactJson, errorPanel, transcript, truncate, verdictBadge } from "../ui.ts";

const THREAD_KEY = "aisle.studio.playgroundThread";

export async function renderPlaygroundView(ctx: Ctx): Promise<HTMLElement> {
  const graph = await ctx.graph();
  const gv = drawGraph(graph, { compact: true });
  const keys = ctx.keys.list();
  const asSelect = h(
    "select",
    { id: "chat-as", "aria-label": "Chat as" },
    keys.map((k) => h("option", { value: k.key, selected: k.key === ctx.keys.activeKey() }, describeKey(k))),
  );
  const callerApi = new Api(() => asSelect.value || ctx.keys.activeKey());
  const chat = h("div", { class: "chat", id: "chat" });
  const scroller = h("div", { class: "chat-scroll" }, chat);
  const events = h("div", { class: "events", id: "events", "aria-live": "off" });
  const input = h("input", { id: "chat-input", placeholder: "Ask Aisle something, e.g. “is the wireless earbuds in stock at store 12?”", autocomplete: "off" });
  const send = h("button", { class: "primary", id: "chat-send", type: "submit" }, "Send");
  const threadLabel = h("span", { class: "small muted", id: "chat-thread" });
  let threadId: string | null = sessionStorage.getItem(THREAD_KEY);
  let running: AbortController | null = null;
  ctx.onLeave(() => running?.abort());

  function setThread(id: string | null) {
    threadId = id;
    if (id) sessionStorage.setItem(THREAD_KEY, id);
    else sessionStorage.removeItem(THREAD_KEY);
    clear(threadLabel);
    threadLabel.append(id ? h("span", null, "thread ", h("a", { href: `#/threads/${id}` }, h("code", null, id.slice(0, 8)))) : "new thread on first message");
  }

  async function restore() {
    if (!threadId) return;
    try {
      const state = await callerApi.getState(threadId);
      clear(chat);
      chat.append(...Array.from(transcript((state.values.messages as unknown[]) ?? []).childNodes));
      scroller.scrollTop = scroller.scrollHeight;
    } catch {
      setThread(null);
    }
  }

  function log(kind: string, text: string) {
    events.append(h("div", null, h("b", null, kind.padEnd(9, " ")), " ", text));
    events.scrollTop = events.scrollHeight;
  }

  async function onSend(ev: Event) {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text || running) return;
    input.value = "";
    send.disabled = true;
    gv.reset();
    clear(events);
    if (chat.querySelector(".empty")) clear(chat);
    chat.append(h("div", { class: "msg human" }, text));
    const bubble = h("div", { class: "msg ai streaming", "data-role": "reply" }, "");
    chat.append(bubble);
    scroller.scrollTop = scroller.scrollHeight;
    running = new AbortController();
    try {
      if (!threadId) setThread((await callerApi.createThread({ source: "studio-playground" })).thread_id);
      const outcome = await watchRun(
        callerApi,
        threadId!,
        { assistant_id: ctx.assistantId, input: { messages: [{ role: "user", content: text }] } },
        {
          onEvent: (e) => log(e.event, truncate(compactJson(e.data), 160)),
          onNode: (node, status) => gv.setStatus(node, status),
          onReply: (reply) => {
            bubble.textContent = reply;
            scroller.scrollTop = scroller.scrollHeight;
          },
        },
        running.signal,
      );
      bubble.classList.remove("streaming");
      const values = outcome.values ?? {};
      const finalReply = typeof values.reply === "string" ? values.reply : null;
      if (finalReply && finalReply !== bubble.textContent) {
        const streamed = bubble.textContent;
        bubble.textContent = finalReply;
        if (streamed) bubble.title = `Streamed by the agent before output rails: ${streamed}`;
      }
      if (!bubble.textContent) bubble.append(h("span", { class: "faint" }, outcome.interrupts.length ? "(waiting for approval)" : "(no reply)"));
      const route = values.route as { intent?: string; agent?: string; tier_used?: string; tier?: string } | null | undefined;
      const verdicts = (values.verdicts as Array<{ verdict: string; rule: string; turn?: number }> | undefined) ?? [];
      const turn = values.turn as number | undefined;
      const meta = h("div", { class: "meta" });
      if (route?.intent) meta.append(h("span", { class: "badge accent", "data-intent": route.intent }, route.intent), h("span", { class: "badge" }, `${route.agent} · ${route.tier_used ?? route.tier}`));
      for (const v of verdicts.filter((v) => v.turn === undefined || v.turn === turn)) meta.append(verdictBadge(`${v.verdict} · ${v.rule}`));
      if (outcome.tokens) meta.append(h("span", { class: "badge" }, `${outcome.tokens} stream chunks`));
      bubble.append(meta);
      if (outcome.interrupts.length) {
        chat.append(
          h("div", { class: "notice warn", id: "escalation-notice" }, "This turn is waiting for a manager's approval. ", h("a", { href: `#/timetravel/${threadId}` }, "Open in Time travel to approve or reject")),
        );
      }
      if (outcome.error) chat.append(errorPanel(new Error(`${outcome.error.error}: ${outcome.error.message}`), "The run failed."));
    } catch (err) {
      bubble.remove();
      chat.append(errorPanel(err, err instanceof ApiError && err.status === 403 ? "Refused." : "The run failed."));
      if (err instanceof ApiError && err.status === 404) setThread(null);
    } finally {
      running = null;
      send.disabled = false;
      scroller.scrollTop = scroller.scrollHeight;
      input.focus();
    }
  }

  asSelect.addEventListener("change", () => {
    // A thread belongs to its caller: a different caller starts a new conversation.
    setThread(null);
    clear(chat);
    chat.append(h("div", { class: "empty" }, "New conversation as this caller."));
    toast("New conversation for the chosen caller");
  });

  setThread(threadId);
  chat.append(h("div", { class: "empty" }, "Say hello. Tokens stream into the reply; graph nodes light up as they run."));
  await restore();

  const form = h("form", { class: "composer", onsubmit: onSend }, input, send);
  return h(
    "section",
    { "data-view": "playground" },
    h(
      "div",
      { class: "view-head" },
      h("h1", null, "Playground"),
      h("p", null, "Chat with the graph as a chosen caller."),
      h("span", { class: "spacer" }),
      h("label", { class: "field-inline" }, "Chat as", asSelect),
      h(
        "button",
        {
          id: "new-thread",
          onclick: () => {
            setThread(null);
            clear(chat);
            gv.reset();
            clear(events);
            chat.append(h("div", { class: "empty" }, "New conversation."));
          },
        },
        "New thread",
      ),
    ),
    h(
      "div",
      { class: "split", style: { gridTemplateColumns: "minmax(0,1fr) minmax(0,1.1fr)" } },
      h("div", { class: "stack" }, h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Live graph")), h("div", { class: "graph-wrap", id: "live-graph" }, gv.el)), h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Stream events")), events)),
      h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Conversation"), threadLabel), scroller, form),
    ),
  );
}
