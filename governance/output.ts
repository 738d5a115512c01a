/**
 * Output rails: the reply is checked before it leaves. PII of anyone but the authenticated customer
 * is masked; commitments the policy did not grant (guaranteed dates, price guarantees, discounts,
 * free upgrades, policy exceptions) and claims that contradict the tool results (stock the context
 * says is zero) are removed and the reply says so.
 */
import { applyConfiguredAction, type GovernanceConfig } from "./config.ts";
import { redactPII, type PiiMatch } from "./pii.ts";
import { combine, OutputContext, type RailResult, type Verdict } from "./types.ts";

const digits = (s: string) => s.replace(/\D/g, "");
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

function isOwn(m: PiiMatch, own: OutputContext["own"] & object): boolean {
  switch (m.kind) {
    case "email":
      return (own.emails ?? []).some((e) => e.toLowerCase() === m.value.toLowerCase());
    case "phone":
      return (own.phones ?? []).some((p) => digits(p).slice(-10) === digits(m.value).slice(-10));
    case "address":
      return (own.addresses ?? []).some((a) => squash(m.value).startsWith(squash(a)) || squash(a).startsWith(squash(m.value)));
    // Full card numbers and SSNs are never repeated back, even to their owner.
    case "card":
    case "ssn":
      return false;
  }
}

const NEGATED = /\b(?:can'?t|cannot|won'?t|unable to|not able to|don'?t|do not|no way to|isn'?t|aren'?t|not)\s+(?:\w+\s+){0,2}?(?:promise|guarantee|commit|offer|give|apply|match|waive|make)/;

interface PromiseRule {
  id: string;
  reason: string;
  test: (sentence: string, ctx: OutputContext & object) => boolean;
}

const WHEN = "(?:arrive|arrival|deliver(?:ed|y)?|ship(?:ped|s)?|get there|be there|in your account|refund(?:ed)?|reach you|on your doorstep)";

const PROMISE_RULES: PromiseRule[] = [
  {
    id: "output.promise.delivery_date",
    reason: "guaranteed delivery or refund timing the tools do not support",
    test: (s) =>
      new RegExp(`\\b(?:guarantee[ds]?|promise[ds]?|for sure|definitely|certainly|100%|without fail|i assure you|rest assured)\\b[^.!?]{0,60}\\b${WHEN}|\\b${WHEN}\\b[^.!?]{0,60}\\b(?:guarantee[ds]?|promise[ds]?|for sure|definitely|certainly|100%|without fail)\\b`).test(s),
  },
  {
    id: "output.promise.price_guarantee",
    reason: "price guarantee, price match or price protection not in policy",
    test: (s) =>
      /\b(?:price[- ]match(?:ing)?|match (?:any|a|the) (?:lower|cheaper|better|competitor'?s?)? ?price|lowest price(?: anywhere| guaranteed)?|price (?:is |will be )?locked|locked[- ]in|price (?:guarantee|protection)|refund (?:you )?the difference|(?:never|won'?t) (?:go|be) (?:up|higher)|best price guaranteed)\b/.test(s),
  },
  {
    id: "output.promise.discount",
    reason: "a discount, coupon or credit the policy engine did not grant",
    test: (s, ctx) => {
      if (!/\b(?:give|giving|offer|offering|apply|applied|applying|add|added|grant|granting|here'?s|take|send|sending|issue|issuing|credit|comp)\b/.test(s)) return false;
      const pct = [...s.matchAll(/(\d{1,3})\s?(?:%|percent)/g)].map((m) => Number(m[1]));
      if (pct.length && /\b(?:off|discount|coupon|code|credit|savings?)\b/.test(s)) return pct.some((p) => p > (ctx.granted_discount_pct ?? 0));
      // The giving verb must govern the coupon/credit ("I'll send you a $20 gift card"), not merely
      // share a sentence with one ("the refund goes to your gift card … instructions for sending the
      // items back").
      return GIVES_CREDIT.test(s) && !(ctx.granted_discount_pct ?? 0);
    },
  },
  {
    id: "output.promise.free_shipping",
    reason: "free or upgraded shipping the customer's tier and order do not qualify for",
    test: (s, ctx) => {
      const offered = /\b(?:waive[ds]?|waiving|free|on the house|complimentary|no charge|upgrade[ds]?|upgrading)\b[^.!?]{0,40}\b(?:shipping|delivery|express|overnight|expedited|next[- ]day)\b|\b(?:shipping|delivery)(?: fee)?\b[^.!?]{0,20}\b(?:waived|on the house|free of charge|(?:is|are|will be) (?:free|on us))\b/.test(s);
      if (!offered) return false;
      const effects = ctx.effects ?? [];
      const expedited = /\b(?:express|overnight|expedited|next[- ]day|upgrade)/.test(s);
      return expedited ? !effects.includes("free_expedited_shipping") : !effects.includes("free_standard_shipping") && !effects.includes("free_expedited_shipping");
    },
  },
  {
    id: "output.promise.policy_exception",
    reason: "an exception to store policy the assistant cannot grant",
    test: (s) =>
      /\b(?:make an exception|bend the rules|extend(?:ed|ing)? (?:your|the) (?:return|exchange|warranty) (?:window|period)|waive (?:the|your) (?:restocking |return )?(?:fee|policy)|lifetime (?:warranty|guarantee)|no questions asked|refund (?:you )?(?:in full )?without (?:returning|a return))\b/.test(s),
  },
];

const GIVES_CREDIT =
  /\b(?:give|giving|offer|offering|apply|applied|applying|add|added|grant|granting|here'?s|send|sending|issue|issuing|comp|credit)\b(?:\s+(?!(?:to|back|the items?)\b)[\w$.,'-]+){0,5}?\s+(?:a|an|one|some|another|free|bonus|\$?\d+(?:\.\d+)?%?)?\s*(?:\$?\d+(?:\.\d+)?\s*)?(?:discount code|coupon|promo code|store credit|gift card|voucher)s?\b/;

const IN_STOCK = /\b(?:in stock|available|plenty|ready to ship|(?:we|they) (?:have|'ve got|got) (?:some|plenty|them|it|lots|a few|\d+)|reserve|set aside|hold (?:one|a pair|it)|can ship|ships? today|left on the shelf)\b/;
// "I found no leather watch in stock": a negation a few plain words before the claim (no punctuation
// in between, so "No problem, it's in stock" still counts as a claim).
const OUT = /\bno\s+(?:[\w-]+\s+){0,6}(?:in stock|available)\b|\bnone of (?:them|these|those|the)\b|\b(?:out of stock|not (?:currently )?(?:in stock|available)|unavailable|sold out|no longer (?:available|carried|stocked)|none (?:left|available)|(?:don'?t|do not|doesn'?t) have|isn'?t available|aren'?t available|zero|0 units|backorder)/;

function ungroundedStock(sentence: string, ctx: OutputContext & object): string | null {
  for (const [name, qty] of Object.entries(ctx.stock ?? {})) {
    if (qty > 0) continue;
    const base = name.toLowerCase();
    // "hiking boots" also matches "a pair of boots" only via the full name or its last word.
    const last = base.split(/\s+/).pop()!;
    if (!(sentence.includes(base) || (last.length > 3 && new RegExp(`\\b${last}\\b`).test(sentence)))) continue;
    if (IN_STOCK.test(sentence) && !OUT.test(sentence)) return name;
  }
  return null;
}

export interface OutputRailOptions {
  config?: GovernanceConfig;
}

/**
 * Checks a reply. `text` in the result is what may be sent: PII masked, off-policy sentences removed
 * with a short note. Action is the strongest of redact / fix.
 */
export function runOutputRails(reply: string, context: OutputContext = {}, opts: OutputRailOptions = {}): RailResult {
  const ctx = OutputContext.parse(context);
  const verdicts: Verdict[] = [];
  const { text: redacted, found } = redactPII(reply, { keep: (m) => isOwn(m, ctx.own) });
  if (found.length) {
    verdicts.push(
      applyConfiguredAction(
        {
          action: "redact",
          rail: "output",
          rule_id: `output.pii.${[...new Set(found.map((f) => f.kind))].join("_")}`,
          reason: `masked ${found.map((f) => f.kind).join(", ")} that is not the authenticated customer's`,
          fixed: redacted,
          severity: "high",
        },
        opts.config?.actions,
      ),
    );
  }
  const sentences = redacted.split(/(?<=[.!?])\s+|\n+/);
  const kept: string[] = [];
  let removed = false;
  for (const s of sentences) {
    const lower = s.toLowerCase().replace(/[’‘]/g, "'");
    const hits: Verdict[] = [];
    if (!NEGATED.test(lower)) {
      for (const r of PROMISE_RULES) if (r.test(lower, ctx)) hits.push({ action: "fix", rail: "output", rule_id: r.id, reason: r.reason, severity: "medium" });
    }
    const item = ungroundedStock(lower, ctx);
    if (item) hits.push({ action: "fix", rail: "output", rule_id: "output.grounding.stock", reason: `claims "${item}" is available but the tools report zero stock`, severity: "medium" });
    if (hits.length) {
      removed = true;
      verdicts.push(...hits.map((h) => applyConfiguredAction(h, opts.config?.actions)));
    } else kept.push(s);
  }
  let text = redacted;
  if (removed) {
    const note = "I've left out a commitment I'm not able to make; I can only confirm what our systems and policy support.";
    text = kept.length ? `${kept.join(" ")} ${note}` : note;
    for (const v of verdicts) if (v.action === "fix") v.fixed = text;
  }
  return combine(verdicts, text);
}
