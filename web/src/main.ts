/** Aisle Studio entry: the shell (key picker, assistant picker, theme, hash routing) and views. */
import { Api, ApiError } from "./api.ts";
import { Ctx } from "./context.ts";
import { clear, h, toast } from "./dom.ts";
import { errorPanel } from "./ui.ts";
import { describeKey } from "./keys.ts";
import { renderGraphView } from "./views/graph.ts";
import { renderThreadsView } from "./views/threads.ts";
import { renderTimeTravelView } from "./views/timetravel.ts";
import { renderPlaygroundView } from "./views/playground.ts";
import { renderMonitoringView } from "./views/monitoring.ts";
import { renderLabellingView } from "./views/labelling.ts";

type View = (ctx: Ctx, params: string[]) => HTMLElement | Promise<HTMLElement>;
const VIEWS: Record<string, View> = {
  graph: renderGraphView,
  threads: renderThreadsView,
  timetravel: renderTimeTravelView,
  playground: renderPlaygroundView,
  monitoring: renderMonitoringView,
  labelling: renderLabellingView,
};

const ctx = new Ctx();

function applyTheme(theme: string | null) {
  const t = theme ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.dataset.theme = t;
}

async function route() {
  ctx.leave();
  const main = document.getElementById("view")!;
  const [name = "graph", ...params] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const view = VIEWS[name] ?? VIEWS.graph!;
  document.querySelectorAll<HTMLAnchorElement>(".sidenav a").forEach((a) => a.classList.toggle("active", a.dataset.view === (VIEWS[name] ? name : "graph")));
  clear(main);
  if (!ctx.keys.activeKey()) {
    main.appendChild(
      h("div", { class: "card card-pad empty" }, h("h2", null, "Add an API key to begin"), h("p", { class: "muted" }, "The studio uses Aisle's API with the same keys and roles. `npm start` prints a development key; `aisle keys create --role manager` makes more."), h("button", { class: "primary", onclick: () => openKeyDialog() }, "Add API key")),
    );
    return;
  }
  main.appendChild(h("div", { class: "empty" }, "Loading…"));
  const token = Symbol();
  currentRender = token;
  try {
    const el = await view(ctx, params);
    if (currentRender !== token) return;
    clear(main);
    main.appendChild(el);
  } catch (err) {
    if (currentRender !== token) return;
    clear(main);
    main.appendChild(errorPanel(err));
  }
}
let currentRender: symbol | null = null;

function renderKeyPicker() {
  const host = document.getElementById("key-picker")!;
  clear(host);
  const keys = ctx.keys.list();
  const active = ctx.keys.active();
  const select = h(
    "select",
    {
      id: "key-select",
      "aria-label": "API key",
      onchange: (ev: Event) => {
        const v = (ev.target as HTMLSelectElement).value;
        if (v === "__add__") {
          (ev.target as HTMLSelectElement).value = active?.key ?? "";
          openKeyDialog();
        } else ctx.keys.use(v);
      },
    },
    keys.map((k) => h("option", { value: k.key, selected: k.key === active?.key }, describeKey(k))),
    h("option", { value: "__add__" }, "+ Add API key…"),
  );
  if (!keys.length) select.prepend(h("option", { value: "", selected: true }, "No API key"));
  const role = active?.role ? h("span", { class: `badge ${active.role === "manager" || active.role === "admin" ? "accent" : ""}`, id: "active-role" }, active.role) : null;
  host.append(h("span", { class: "field-inline" }, "Key"), select, role ?? "");
  if (active) host.append(h("button", { class: "small", title: "Forget this key in this browser", onclick: () => ctx.keys.remove(active.key) }, "Forget"));
}

export function openKeyDialog() {
  const input = h("input", { name: "key", id: "key-input", placeholder: "aisle_…", autocomplete: "off", required: true, spellcheck: "false" });
  const label = h("input", { name: "label", id: "key-label", placeholder: "e.g. manager (optional)" });
  const error = h("div", { class: "notice bad", hidden: true });
  const dialog = h("dialog", { id: "key-dialog" });
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", null, "Add an API key"),
    h("p", { class: "muted small", style: { margin: "0" } }, "Stored in this browser only (localStorage) and sent as x-api-key to this Aisle server."),
    h("label", null, "API key", input),
    h("label", null, "Label", label),
    error,
    h("div", { class: "row", style: { justifyContent: "flex-end" } }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), h("button", { class: "primary", type: "submit", id: "key-save" }, "Check & save")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    try {
      const who = await new Api(() => key).whoami();
      const name = label.value.trim() || [who.role, who.customer_id ?? (who.store_id ? `store ${who.store_id}` : "")].filter(Boolean).join(" ");
      ctx.keys.add({ key, label: name, role: who.role, customer_id: who.customer_id ?? null, store_id: who.store_id ?? null });
      dialog.close();
      toast(`Using key for ${name}`, "ok");
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError && err.status === 401 ? "That key was not accepted by this server." : String((err as Error).message);
    }
  });
  dialog.appendChild(form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  input.focus();
}

async function loadAssistants() {
  const select = document.getElementById("assistant-select") as HTMLSelectElement;
  clear(select);
  select.appendChild(h("option", { value: ctx.assistantId }, ctx.assistantId));
  if (!ctx.keys.activeKey()) return;
  try {
    const list = await ctx.api.searchAssistants();
    if (!list.length) return;
    clear(select);
    const ids = list.map((a) => a.assistant_id);
    const graphIds = list.map((a) => a.graph_id);
    if (!ids.includes(ctx.assistantId) && !graphIds.includes(ctx.assistantId)) ctx.setAssistant(list[0]!.graph_id ?? list[0]!.assistant_id);
    for (const a of list) {
      const value = a.graph_id ?? a.assistant_id;
      select.appendChild(h("option", { value, selected: value === ctx.assistantId }, a.name ? `${a.name}` : value));
    }
  } catch {
    /* the select keeps the default; views report errors themselves */
  }
}

async function boot() {
  applyTheme(localStorage.getItem("aisle.studio.theme"));
  document.getElementById("theme-toggle")!.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    localStorage.setItem("aisle.studio.theme", next);
    applyTheme(next);
  });
  (document.getElementById("assistant-select") as HTMLSelectElement).addEventListener("change", (ev) => {
    ctx.setAssistant((ev.target as HTMLSelectElement).value);
    void route();
  });
  ctx.keys.onChange(() => {
    renderKeyPicker();
    void loadAssistants();
    void route();
  });
  window.addEventListener("hashchange", () => void route());
  renderKeyPicker();
  void refreshActiveRole();
  // The assistant list decides which graph the views draw: know it before the first view.
  await loadAssistants();
  void route();
}

/** Re-checks the active key's role with the server (keys saved earlier may have been revoked). */
async function refreshActiveRole() {
  const active = ctx.keys.active();
  if (!active) return;
  try {
    const who = await ctx.api.whoami();
    if (who.role !== active.role) ctx.keys.add({ ...active, role: who.role, customer_id: who.customer_id ?? null, store_id: who.store_id ?? null });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) toast("The saved API key is no longer accepted; add a new one.", "error");
  }
}

void boot();
