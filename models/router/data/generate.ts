/**
 * Deterministic seed-corpus generator: `npx tsx models/router/data/generate.ts` rewrites
 * `generated.jsonl`. Templates (templates.ts) are filled from the τ-bench catalogue, customers and
 * orders, then wrapped in varied voices (customers and store associates, terse and rambling) and
 * roughened (typos, casing, punctuation), so the model learns words, not sentence shapes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { INTENT_LIST, type Intent, type LabelledUtterance } from "../intents.ts";
import { rng } from "../train.ts";
import { GENERIC_PRODUCTS, loadLexicon, type Lexicon } from "./lexicon.ts";
import { TEMPLATES } from "./templates.ts";

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const CUSTOMER_OPENERS = ["", "", "", "", "hi", "hello,", "hey", "hi there,", "good morning.", "excuse me,", "quick question:", "so", "ok so", "um", "yo", "sorry to bother you but", "i have a question.", "hi, it's <name>.", "hello this is <name>, <email>.", "hey, me again.", "help!"];
const ASSOCIATE_OPENERS = ["customer asking:", "cust wants to know", "guest at register:", "got a customer here -", "for a shopper:", "assoc here,", "<store> here,", "hey team,", "quick one from the floor:", "ringing someone up,", "on the floor with a customer:", "CS desk:", "guest on the phone,", "pickup counter here,", "from the service desk -", "team lead here,", "cashier here, guest says", "msg from <store>:", "shift lead at <store>,", "have a lady here, she says", "older gentleman at the counter says", "customer on line 2:"];
const RAMBLE = [
  "i've been shopping with you guys for years and",
  "so this is a bit of a long story but",
  "i'm kind of in a hurry,",
  "i tried the website already and it didn't help, so",
  "not sure if this is the right place but",
  "i hope you can help me because",
  "first time using this chat thing,",
  "my wife told me to ask here,",
  "i'm on my lunch break so quick one,",
  "ok i have been going back and forth with this for days and",
  "sorry if this is a dumb question but",
  "i called yesterday and nobody picked up so",
  "my english not so good, sorry,",
  "i'm asking for my mom, she doesn't use computers,",
  "posting here because the phone line is always busy,",
];
// Irrelevant context real people wrap around their ask: the model must learn to look past it.
const CONTEXT = [
  "it's been a crazy week.",
  "sorry i'm typing on my phone.",
  "my daughter is visiting this weekend so i'm trying to get things sorted.",
  "i already tried the app and the website.",
  "we just moved house and everything is chaos lol.",
  "i'm at work so i can't call.",
  "this is the first time i've had to contact you.",
  "english is not my first language, sorry.",
  "my husband usually handles this stuff.",
  "the weather has been awful here.",
  "i've been a customer for a long time.",
  "i'm writing from my sister's account.",
  "sorry for the long message.",
  "not a big deal but",
  "i'm a bit frustrated honestly.",
  "just got home from work.",
];
const CLOSERS = ["", "", "", "", "thanks", "thx", "pls", "please", "asap", "thank you!", "appreciate it", "?", "!!", "cheers", "ty", "thanks in advance", "if you can", "lol"];

function slotValue(slot: string, r: Rand, lex: Lexicon, ctx: { product: Lexicon["products"][number]; opts: string[] }): string {
  switch (slot) {
    case "product": {
      const n = ctx.product.name;
      const v = r();
      return v < 0.55 ? n.toLowerCase() : v < 0.85 ? n : n.toLowerCase().replace(/-/g, " ");
    }
    case "opt":
      return ctx.opts[0];
    case "opt2":
      return ctx.opts[1] ?? ctx.opts[0];
    case "order": {
      const id = pick(r, lex.orderIds);
      const v = r();
      // Mostly τ-bench ids, but other retailers number orders differently: the model must read
      // "order" and the context, not the id format.
      if (v < 0.85) return v < 0.5 ? id : v < 0.7 ? id.slice(1) : `number ${id}`;
      const digits = String(Math.floor(r() * 1e9)).padStart(9, "0");
      return pick(r, [`#${digits.slice(0, 8)}`, `${digits.slice(0, 3)}-${digits.slice(3)}`, `ORD-${digits.slice(0, 6)}`, `no. ${digits.slice(0, 7)}`]);
    }
    case "rma":
      return pick(r, [`RMA-${10000 + Math.floor(r() * 89999)}`, `RMA ${100000 + Math.floor(r() * 899999)}`, `R${1000000 + Math.floor(r() * 8999999)}`]);
    case "tracking":
      return pick(r, [`1Z${Math.floor(r() * 1e6)}A${Math.floor(r() * 1e9)}`, `9400${Math.floor(r() * 1e9)}${Math.floor(r() * 1e9)}`, `TBA${Math.floor(r() * 1e9)}X`]);
    case "phone":
      return pick(r, [`555-${String(Math.floor(r() * 1000)).padStart(3, "0")}-${String(Math.floor(r() * 10000)).padStart(4, "0")}`, `(555) ${100 + Math.floor(r() * 899)}-${1000 + Math.floor(r() * 8999)}`]);
    case "sku":
      return pick(r, [`SKU ${100000 + Math.floor(r() * 899999)}`, `sku ${Math.floor(r() * 1e8)}`, `DPCI ${100 + Math.floor(r() * 899)}-${10 + Math.floor(r() * 89)}-${1000 + Math.floor(r() * 8999)}`, `UPC ${Math.floor(r() * 1e12)}`]);
    case "item":
      return pick(r, ctx.product.itemIds.length ? ctx.product.itemIds : pick(r, lex.products).itemIds);
    case "email":
      return pick(r, lex.emails);
    case "zip":
      return pick(r, lex.zips);
    case "city":
      return pick(r, lex.cities);
    case "name":
      return pick(r, lex.firstNames);
    case "store": {
      const n = 1 + Math.floor(r() * 1600);
      return pick(r, [`store ${n}`, `store #${n}`, `the ${pick(r, lex.cities)} store`, `S-${String(n).padStart(4, "0")}`, `our ${pick(r, lex.cities)} location`, `store ${String(n).padStart(4, "0")}`]);
    }
    case "wh":
      return pick(r, [`WH-${String(1 + Math.floor(r() * 12)).padStart(2, "0")}`, `wh-${1 + Math.floor(r() * 12)}`, `DC ${1 + Math.floor(r() * 6)}`, `warehouse ${1 + Math.floor(r() * 12)}`]);
    case "qty":
      return String(2 + Math.floor(r() * 40));
    case "n":
      return String(2 + Math.floor(r() * 28));
    case "day":
      return pick(r, ["sunday", "saturday", "monday", "christmas eve", "new year's day", "thanksgiving", "black friday", "the 4th of july", "memorial day", "labor day"]);
    case "tier":
    case "tier2":
      return pick(r, ["gold", "silver", "platinum", "bronze", "vip", "elite"]);
    case "code":
      return pick(r, ["SAVE20", "FALL15", "WELCOME10", "FREESHIP", "BF2024", "SPRING25", "take10", "vip30"]);
    case "pay":
      return pick(r, ["my visa", "paypal", "my gift card", "the mastercard ending 4321", "my amex", "the card on file", "my credit card", "store credit"]);
    case "carrier":
      return pick(r, ["ups", "fedex", "usps", "dhl"]);
    case "country":
      return pick(r, ["canada", "mexico", "the uk", "puerto rico", "alaska", "hawaii", "germany", "australia"]);
    default:
      throw new Error(`unknown slot <${slot}>`);
  }
}

/** Fills one template: alternatives first, then slots (all from one product for coherence). */
export function fill(template: string, r: Rand, lex: Lexicon): string {
  // Four in ten products come from outside the catalogue (generic goods with generic options).
  const product = r() < 0.4 ? pick(r, GENERIC_PRODUCTS) : pick(r, lex.products);
  const optValues = Object.values(product.options).flat().filter((v) => !["yes", "no", "none"].includes(v));
  const o1 = pick(r, optValues);
  const rest = optValues.filter((v) => v !== o1);
  const ctx = { product, opts: [o1, rest.length ? pick(r, rest) : o1] };
  return template
    .replace(/\{([^{}]*)\}/g, (_, alts: string) => pick(r, alts.split("|")))
    .replace(/<(\w+)>/g, (_, slot: string) => slotValue(slot, r, lex, ctx))
    .replace(/\s+/g, " ")
    .trim();
}

const KEYBOARD_NEIGHBOURS: Record<string, string> = { a: "s", s: "d", e: "r", r: "t", i: "o", o: "p", n: "m", t: "y", u: "i", l: "k", d: "f", c: "v" };

/** A realistic typo in one word: swap, drop, double or fat-finger a letter. */
function typo(word: string, r: Rand): string {
  if (word.length < 4 || /\d|[<#@]/.test(word)) return word;
  const i = 1 + Math.floor(r() * (word.length - 2));
  const v = r();
  if (v < 0.3) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (v < 0.55) return word.slice(0, i) + word.slice(i + 1);
  if (v < 0.75) return word.slice(0, i) + word[i] + word.slice(i);
  const n = KEYBOARD_NEIGHBOURS[word[i]];
  return n ? word.slice(0, i) + n + word.slice(i + 1) : word;
}

const SLANG: [RegExp, string][] = [
  [/\byou\b/g, "u"],
  [/\bplease\b/g, "pls"],
  [/\bare\b/g, "r"],
  [/\bwant to\b/g, "wanna"],
  [/\bgoing to\b/g, "gonna"],
  [/\bthanks\b/g, "thx"],
  [/\bwhat's\b/g, "whats"],
  [/\bdon't\b/g, "dont"],
  [/\bi'm\b/g, "im"],
  [/\byour\b/g, "ur"],
  [/\bbecause\b/g, "cuz"],
  [/\bright now\b/g, "rn"],
  [/\bbefore\b/g, "b4"],
  [/\btomorrow\b/g, "tmrw"],
  [/\bthank you\b/g, "ty"],
  [/\bwith\b/g, "w/"],
  [/\bcustomer\b/g, "cx"],
  [/\bquantity\b/g, "qty"],
  [/\bthough\b/g, "tho"],
  [/\bpeople\b/g, "ppl"],
  [/\bsomeone\b/g, "some1"],
  [/\bto be honest\b/g, "tbh"],
  [/\bi don't know\b/g, "idk"],
];

// Function words that terse writers, handheld shorthand and non-native speakers drop.
const DROPPABLE = new Set(["the", "a", "an", "to", "my", "is", "are", "it", "for", "of", "do", "i", "you", "can", "please", "that"]);

/** Drops a few function words ("want return the shoes", "where my order"). */
function dropWords(s: string, r: Rand, p: number): string {
  const words = s.split(" ");
  const kept = words.filter((w) => !(DROPPABLE.has(w.toLowerCase()) && r() < p));
  return kept.length ? kept.join(" ") : s;
}

/** Wraps and roughens an utterance the way real chat and handheld messages look. */
export function voice(text: string, r: Rand, lex: Lexicon, intent: Intent): string {
  let s = text;
  const social = intent === "greeting" || intent === "out_of_scope";
  if (!social) {
    const v = r();
    const opener = v < 0.2 ? pick(r, ASSOCIATE_OPENERS) : v < 0.3 ? pick(r, RAMBLE) : pick(r, CUSTOMER_OPENERS);
    if (opener) s = `${fill(opener, r, lex)} ${s}`;
    const closer = pick(r, CLOSERS);
    if (closer) s = closer === "?" || closer === "!!" ? s + closer : `${s}${r() < 0.5 ? "," : "."} ${closer}`;
    // Long messages: one or two sentences of irrelevant context before or after the ask.
    const c = r();
    if (c < 0.12) s = `${pick(r, CONTEXT)} ${s}`;
    else if (c < 0.18) s = `${s}. ${pick(r, CONTEXT)}`;
    else if (c < 0.22) s = `${pick(r, CONTEXT)} ${pick(r, CONTEXT)} ${s}`;
  }
  if (r() < 0.3) for (const [re, rep] of SLANG) if (r() < 0.5) s = s.replace(re, rep);
  if (r() < 0.15) s = dropWords(s, r, 0.5);
  if (r() < 0.35) {
    const words = s.split(" ");
    const n = r() < 0.7 ? 1 : 2;
    for (let k = 0; k < n; k++) {
      const j = Math.floor(r() * words.length);
      words[j] = typo(words[j], r);
    }
    s = words.join(" ");
  }
  const c = r();
  if (c < 0.3) s = s.charAt(0).toUpperCase() + s.slice(1);
  else if (c < 0.35) s = s.toUpperCase();
  // Chat-style: all lower case, no punctuation at all.
  if (r() < 0.15) s = s.toLowerCase().replace(/[.,!?;:]+/g, " ");
  if (r() < 0.25 && !s.endsWith("?") && /^(where|what|how|can|is|do|does|are|when|has|have|did|which|any|could)\b/i.test(s)) s += "?";
  return s.replace(/\s+/g, " ").trim();
}

/** `perIntent` distinct utterances per intent, identical for identical arguments. */
export function generateCorpus(perIntent = 1800, seed = 20240601): LabelledUtterance[] {
  return generateTagged(perIntent, seed).map(({ text, intent }) => ({ text, intent }));
}

/**
 * The same corpus with the index of the template behind each line, so experiments can hold out
 * whole templates (generalisation to sentence shapes never seen) rather than lines.
 */
export function generateTagged(perIntent = 1800, seed = 20240601): (LabelledUtterance & { template: number })[] {
  const lex = loadLexicon();
  const out: (LabelledUtterance & { template: number })[] = [];
  for (const intent of INTENT_LIST) {
    const r = rng(seed ^ (INTENT_LIST.indexOf(intent) * 0x9e3779b1));
    const seen = new Set<string>();
    const templates = TEMPLATES[intent];
    // Small intents (greeting) have few distinct surface forms: stop when new ones run dry.
    for (let attempt = 0; seen.size < perIntent && attempt < perIntent * 20; attempt++) {
      const template = attempt % templates.length;
      const t = templates[template];
      const text = voice(fill(t, r, lex), r, lex, intent);
      const key = text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ text, intent, template });
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const corpus = generateCorpus();
  const file = fileURLToPath(new URL("./generated.jsonl", import.meta.url));
  writeFileSync(file, corpus.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const counts: Record<string, number> = {};
  for (const e of corpus) counts[e.intent] = (counts[e.intent] ?? 0) + 1;
  process.stderr.write(`wrote ${corpus.length} utterances to ${file}\n${JSON.stringify(counts)}\n`);
}
