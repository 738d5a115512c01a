import { previousAssistantText } from "./conversation.ts";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { runInputRails } from "../governance/index.ts";
import type { Db } from "../db/executor.ts";
import type { AisleStateValue, AisleUpdate, Caller, Entities, VerdictRecord } from "../graphs/state.ts";
import { Entities as EntitiesSchema } from "../graphs/state.ts";
import { ensureConfiguration } from "../graphs/configuration.ts";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";

/**
 * Data-prep: make the raw user message safe and readable (Unicode NFKC, no invisible or control
 * characters, a length cap) and pull out the entities the rest of the turn needs, matching
 * product names and option values against the live catalogue.
 */

/** Longest user message Aisle reads (AISLE_MAX_INPUT_CHARS, default 4000 — a long email). */
const MAX_INPUT_CHARS = Number(process.env.AISLE_MAX_INPUT_CHARS ?? 4000);

// Zero-width, bidi controls, Unicode tag characters and C0/C1 controls except \n and \t: they hide
// text from people while models still read it (a classic injection carrier).
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]|[\u{E0000}-\u{E007F}]/gu;

export function normaliseText(raw: string): { text: string; truncated: boolean; removed_chars: number } {
  const nfkc = raw.normalize("NFKC");
  const stripped = nfkc.replace(INVISIBLE, "");
  const removed = nfkc.length - stripped.length;
  const collapsed = stripped.replace(/[ \t]+/g, " ").trim();
  const truncated = collapsed.length > MAX_INPUT_CHARS;
  return { text: truncated ? collapsed.slice(0, MAX_INPUT_CHARS) : collapsed, truncated, removed_chars: removed };
}

/** Product names and option values of the catalogue, loaded once per runtime. */
export interface CatalogueIndex {
  products: { product_id: string; name: string; pattern: RegExp }[];
  /** lower-case option value → option name(s) it belongs to, longest values first. */
  optionValues: { value: string; keys: string[]; pattern: RegExp }[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** "T-Shirt" also matches "t shirt", "tshirt", "t-shirts". */
function productPattern(name: string): RegExp {
  const words = name.toLowerCase().split(/[\s-]+/).map(escapeRe);
  return new RegExp(`(?<![\\w])${words.join("[\\s-]?")}(?:e?s)?(?![\\w])`, "i");
}

export async function loadCatalogueIndex(db: Db): Promise<CatalogueIndex> {
  const { rows: products } = await db.query<{ product_id: string; name: string }>("SELECT product_id, name FROM products ORDER BY ordinal");
  const { rows: opts } = await db.query<{ key: string; value: string }>(
    "SELECT DISTINCT o.key, o.value FROM variants v, json_each_text(v.options) o",
  );
  const byValue = new Map<string, Set<string>>();
  for (const { key, value } of opts) {
    const v = value.toLowerCase();
    // Short or yes/no values ("M", "8", "no") are only meaningful next to their option name; the
    // embedded model matches those per product. Here they would fire on ordinary words.
    if (v.length < 3 || ["yes", "no", "none"].includes(v)) continue;
    if (!byValue.has(v)) byValue.set(v, new Set());
    byValue.get(v)!.add(key);
  }
  return {
    products: products.map((p) => ({ ...p, pattern: productPattern(p.name) })),
    optionValues: [...byValue]
      .sort((a, b) => b[0].length - a[0].length)
      .map(([value, keys]) => ({ value, keys: [...keys], pattern: new RegExp(`(?<![\\w-])${escapeRe(value)}(?![\\w-])`, "i") })),
  };
}

const YES = /^(?:yes|yeah|yep|yup|y|sure|ok|okay|confirm(?:ed)?|correct|that'?s (?:right|correct)|go ahead|please do|do it|proceed|absolutely|affirmative)\b[\s,.!]*(?:please|go ahead|do it|proceed|thanks?|thank you|that'?s (?:right|correct|fine))?[\s,.!]*$/i;
const NO = /^(?:no|nope|nah|n|don'?t|do not|never ?mind|stop|wait|cancel that|not now)\b[^?]{0,60}$/i;

const US_STATE = /^(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])$/;

/** "12 Oak St, Apt 3, Austin, TX 78701, USA" (address2 and country optional). */
export function extractAddress(text: string): Entities["address"] {
  // A question or sentence may end right after the zip ("…, IL 62701?").
  const parts = text.split(/[,\n]/).map((p) => p.trim().replace(/[?!.]+$/, "")).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const street = parts[i].match(/(\d+[A-Za-z]?\s+[A-Za-z0-9 .'-]+)$/);
    if (!street) continue;
    let j = i + 1;
    let address2 = "";
    if (parts[j] && /^(?:apt|apartment|suite|ste|unit|#|floor|fl|room|building|bldg)\b/i.test(parts[j])) address2 = parts[j++];
    const city = parts[j];
    if (!city || /\d/.test(city)) continue;
    const stateZip = parts[j + 1]?.match(/^([A-Za-z]{2})\s+(\d{5})(?:-\d{4})?$/);
    let state: string | undefined;
    let zip: string | undefined;
    let next = j + 2;
    if (stateZip) {
      state = stateZip[1].toUpperCase();
      zip = stateZip[2];
    } else if (parts[j + 1] && /^[A-Za-z]{2}$/.test(parts[j + 1]) && /^\d{5}$/.test(parts[j + 2] ?? "")) {
      state = parts[j + 1].toUpperCase();
      zip = parts[j + 2];
      next = j + 3;
    }
    if (!state || !zip || !US_STATE.test(state)) continue;
    const country = parts[next] && /^(?:usa|us|united states(?: of america)?)\.?$/i.test(parts[next]) ? "USA" : "USA";
    return { address1: street[1].trim(), address2, city, state, country, zip };
  }
  return undefined;
}

const NAME_WORD = "[A-Z][a-zA-Z'-]+";
const NAME_PATTERNS = [
  new RegExp(`\\b(?:my name is|name's|i am|i'm|this is|it's|name:)\\s+(${NAME_WORD})\\s+(${NAME_WORD})`, "i"),
  new RegExp(`^(${NAME_WORD})\\s+(${NAME_WORD})\\s*,?\\s*(?:zip(?: code)?\\s*)?\\d{5}\\b`),
];

export function extractEntities(text: string, catalogue: CatalogueIndex): Entities {
  const lower = text.toLowerCase();
  const e: Record<string, unknown> = {};
  e.order_ids = orderIdsIn(text);
  e.emails = [...new Set([...text.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)].map((m) => m[0].toLowerCase()))];
  e.user_ids = [...new Set([...lower.matchAll(/\b[a-z]+_[a-z]+_\d{4}\b/g)].map((m) => m[0]))];
  e.item_ids = [...new Set([...text.matchAll(/(?<![\d#W])\b(\d{10})\b/g)].map((m) => m[1]))];
  for (const re of NAME_PATTERNS) {
    const m = text.match(re);
    if (m && !/^(?:looking|trying|here|not|calling|writing|interested|going|sorry)$/i.test(m[1])) {
      e.first_name = m[1][0].toUpperCase() + m[1].slice(1);
      e.last_name = m[2][0].toUpperCase() + m[2].slice(1);
      break;
    }
  }
  const zip = text.match(/\b(?:zip(?:\s*code)?\s*(?:is|:)?\s*)?(?<![\d#W-])(\d{5})(?![\d-])/i);
  if (zip && !/\d{5}\s*(?:ml|mah)/i.test(text)) e.zip = zip[1];
  e.store_ids = [...new Set([...lower.matchAll(/\bstore\s*(?:number|no\.?|#)?\s*#?(\d{1,4})\b/g)].map((m) => m[1].padStart(4, "0")))];
  const products: { product_id: string; name: string }[] = [];
  for (const p of catalogue.products) if (p.pattern.test(text)) products.push({ product_id: p.product_id, name: p.name });
  e.products = products;
  const options: Record<string, string> = {};
  let rest = lower;
  for (const o of catalogue.optionValues) {
    if (!o.pattern.test(rest)) continue;
    const key = o.keys.find((k) => !(k in options));
    if (key) options[key] = o.value;
    rest = rest.replace(o.pattern, " ");
  }
  const size = lower.match(/\bsize\s+(xxl|xl|xs|s|m|l|\d{1,2})\b/);
  if (size) options.size = /^\d+$/.test(size[1]) ? size[1] : size[1].toUpperCase();
  e.options = options;
  const qty = lower.match(/\b(\d{1,3})\s*(?:x\b|units?|pieces?|of (?:them|those|these))/);
  if (qty) e.quantity = Number(qty[1]);
  const payment: string[] = [];
  if (/gift\s*card/.test(lower)) payment.push("gift_card");
  if (/pay\s*pal/.test(lower)) payment.push("paypal");
  if (/credit\s*card|\bvisa\b|master\s*card|\bamex\b|discover card|card ending/.test(lower)) payment.push("credit_card");
  if (/original (?:payment|method|card)|same (?:card|payment|method)|where it came from|how i paid|^\s*(?:the\s+)?original(?:\s+one)?\s*(?:please|pls)?\s*[.!]?\s*$/.test(lower)) payment.push("original");
  e.payment = payment;
  const last4 = lower.match(/(?:ending|ends|last four|last 4)[^\d]{0,12}(\d{4})\b/);
  if (last4) e.card_last_four = last4[1];
  if (/no longer need|don'?t need|do not need|not needed|no need for|changed my mind/.test(lower)) e.cancel_reason = "no longer needed";
  else if (/by mistake|mistaken|by accident|accidental|wrong order|ordered (?:it )?wrong/.test(lower)) e.cancel_reason = "ordered by mistake";
  e.address = extractAddress(text);
  const pct = lower.match(/(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)/);
  if (pct && /discount|off|coupon|promo|deal|reduction/.test(lower)) e.discount_pct = Number(pct[1]);
  e.all_items = /\b(?:all (?:the |of the |my )?items|everything|all of them|whole order|entire order|all of it)\b/.test(lower);
  const short = text.trim();
  if (short.length <= 80 && YES.test(short)) e.confirmation = "yes";
  else if (short.length <= 80 && NO.test(short)) e.confirmation = "no";
  if (e.address || /address|ship (?:it )?to|deliver (?:it )?to/.test(lower)) e.modify_target = "address";
  else if (/payment|pay with|gift\s*card|pay\s*pal|credit\s*card|card ending/.test(lower) && /change|switch|use|modify|update|instead/.test(lower)) e.modify_target = "payment";
  else if (Object.keys(options).length || /size|colou?r|option|different (?:one|model|version)/.test(lower)) e.modify_target = "items";
  return EntitiesSchema.parse(e);
}

const lastHuman = (messages: BaseMessage[]): { message?: BaseMessage; text: string } => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.getType() === "human") {
      const text = typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join(" ");
      return { message: m, text };
    }
  }
  return { text: "" };
};

/** This turn's input rails stopped it (block, or escalate to a person): no routing, agents or tools. */
export function inputStopped(state: AisleStateValue): boolean {
  return state.verdicts.some((v) => v.turn === state.turn && v.stage === "input" && (v.verdict === "block" || v.verdict === "escalate"));
}

// "the second one", "the last order", "first one please" — a pick from a list of orders.
const ORDER_PICK = /^\s*(?:(?:ok(?:ay)?|um+|uh+|yeah|so|well)[\s,]+)?(?:the\s+)?(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b(?!\s+name)(?:\s+(?:one|order))?|\bthe\s+(first|second|third|fourth|fifth|last)\s+order\b/i;
const ORDINALS: Record<string, number> = { first: 0, "1st": 0, second: 1, "2nd": 1, third: 2, "3rd": 2, fourth: 3, "4th": 3, fifth: 4, "5th": 4 };
const ORDER_IDS = /#?\b[Ww](\d{7})\b/g;
/** Order ids in `text` as `#W…`, each once, in order of appearance. */
const orderIdsIn = (text: string) => [...new Set([...text.matchAll(ORDER_IDS)].map((m) => `#W${m[1]}`))];

/**
 * The order a message picks by position from the orders the assistant just listed ("Which order?
 * The orders on your account are #W…, #W…" → "the second one"), so the pick becomes an ordinary
 * order-id entity that every later node and turn sees. Undefined unless the previous reply named
 * two or more orders.
 */
export function orderPickedFromList(text: string, previousReply: string): string | undefined {
  const m = text.match(ORDER_PICK);
  if (!m) return undefined;
  const listed = orderIdsIn(previousReply);
  if (listed.length < 2) return undefined;
  const word = (m[1] ?? m[2])!.toLowerCase();
  return listed[word === "last" ? listed.length - 1 : ORDINALS[word]!];
}

const POSITION_WORDS: Record<string, number> = { first: 1, "1st": 1, second: 2, "2nd": 2, third: 3, "3rd": 3, fourth: 4, "4th": 4, fifth: 5, "5th": 5 };
const ITEM_POSITION = /\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b(?!\s+name)/gi;
const ITEM_NUMBER = /(?:\bitems?|\bnumbers?|\bno\.?|#)\s*([1-9])\b/gi;
const ONLY_POSITIONS = /^\s*(?:items?\s*)?[1-9](?:\s*(?:,|and|&|\+)\s*[1-9])*\s*[.!]?\s*$/i;

/** 1-based positions a message picks from a numbered list of `n` ("the second one", "item 2", "1 and 3", "both" of two, "the last"). */
export function positionsPicked(text: string, n: number): number[] {
  if (n === 2 && /\bboth\b/i.test(text)) return [1, 2];
  const picks = new Set<number>();
  for (const m of text.matchAll(ITEM_POSITION)) {
    const w = m[1]!.toLowerCase();
    picks.add(w === "last" ? n : POSITION_WORDS[w]!);
  }
  for (const m of text.matchAll(ITEM_NUMBER)) picks.add(Number(m[1]));
  if (ONLY_POSITIONS.test(text)) for (const d of text.match(/[1-9]/g) ?? []) picks.add(Number(d));
  return [...picks].filter((p) => p >= 1 && p <= n).sort((a, b) => a - b);
}

/**
 * Item ids a message picks by position from the numbered list of one order's items the assistant
 * just showed ("Which items from order #W…? 1. … 2. …" → "the first one"), so the pick becomes an
 * ordinary item-id entity. Only when that reply named exactly one order whose items (in the
 * stitched context) are as many as the list's entries.
 */
export function itemsPickedFromList(text: string, previousReply: string, orders: Record<string, Record<string, unknown>>): string[] {
  const ids = orderIdsIn(previousReply);
  if (ids.length !== 1) return [];
  const items = orders[ids[0]!]?.items;
  if (!Array.isArray(items)) return [];
  const entries = previousReply.match(/^\s*\d+\.\s/gm)?.length ?? 0;
  if (entries < 1 || entries !== items.length) return [];
  return positionsPicked(text, items.length)
    .map((p) => (items[p - 1] as { item_id?: unknown } | undefined)?.item_id)
    .filter((id): id is string => typeof id === "string");
}


export function createDataPrepNode(catalogue: CatalogueIndex) {
  return async function dataPrep(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const { caller } = ensureConfiguration(config);
    const last = lastHuman(state.messages);
    const turn = (state.turn ?? 0) + 1;
    // Input rails (governance/input.ts) read the raw text — hidden characters are evidence — and
    // mask secrets (full card numbers, SSNs): from here on every node, checkpoint, audit row and
    // trace sees only the masked text.
    const rails = runInputRails(last.text, { role: caller.role });
    const input = normaliseText(rails.text ?? last.text);
    const entities = extractEntities(input.text, catalogue);
    // "the second one", "item 2": picks from the list the last reply showed become ids.
    const previousReply = previousAssistantText(state.messages);
    if (!entities.order_ids.length) {
      const picked = orderPickedFromList(input.text, previousReply);
      if (picked) entities.order_ids = [picked];
    }
    if (!entities.item_ids.length && !entities.all_items) {
      const picked = itemsPickedFromList(input.text, previousReply, state.context.orders);
      if (picked.length) entities.item_ids = picked;
    }
    const verdicts: VerdictRecord[] = rails.verdicts.map((v) => ({ turn, stage: "input", verdict: v.action, rule: v.rule_id, reason: v.reason }));
    // The stored message is the cleaned one (same id replaces it), so no model ever reads the
    // invisible characters or a pasted card number, and the checkpoint holds what Aisle acted on.
    const cleaned: BaseMessage[] = last.message && input.text !== last.text ? [new HumanMessage({ id: last.message.id, content: input.text })] : [];
    const update: AisleUpdate = { messages: cleaned, turn, caller: caller as Caller, input, entities, slots: entities, reply: null, verdicts };
    if (rails.action === "block" || rails.action === "escalate") {
      // The turn ends here with the rail's user-facing message. Escalation (self-harm) hands the
      // conversation to a person, as the rail's message tells the customer.
      const reply = rails.user_message ?? "I can't help with that.";
      update.messages = [...cleaned, new AIMessage({ content: reply, response_metadata: { aisle_node: "dataPrep", aisle_rail: "input" } })];
      update.reply = reply;
      update.route = null;
      update.pending_action = null;
      if (rails.action === "escalate") {
        const rule = rails.verdicts.find((v) => v.action === "escalate")?.rule_id ?? "input";
        update.handoff = { summary: `Escalated by input rail ${rule}: customer needs a person (${caller.role}${caller.customer_id ? ` ${caller.customer_id}` : ""}).`, turn };
      }
    }
    return update;
  };
}
