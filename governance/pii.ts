/**
 * PII detection and masking. One redactor for every sink (logs, audit rows, traces, exports, eval
 * output) so a pasted card number is masked before it is stored anywhere.
 */

export type PiiKind = "email" | "phone" | "card" | "ssn" | "address";

export interface PiiMatch {
  kind: PiiKind;
  value: string;
  start: number;
  end: number;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// North-American numbers need separators or a +1 prefix: bare 10-digit runs are τ-bench item/product ids.
const PHONE = /(?<![\w#])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)|(?<![\w#])\+\d{1,3}(?:[\s.-]?\d){8,12}(?!\d)/g;
// 13–19 digits, optionally grouped by spaces or dashes; kept only when the Luhn check passes.
const CARD = /(?<![\d#])\d(?:[ -]?\d){12,18}(?!\d)/g;
const SSN = /(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)/g;
const STREET_SUFFIX =
  "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl|alley|row";
// Street names are capitalised words ("88 Cedar Street"): requiring capitals keeps "2 large ways" out.
const SUFFIX_ALT = STREET_SUFFIX.split("|").map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}|${w.toUpperCase()}`).join("|");
const ADDRESS = new RegExp(
  `(?<![\\w#$.])\\d{1,6}\\s+(?:[A-Z][A-Za-z'.-]*\\s+){1,4}(?:${SUFFIX_ALT})\\b\\.?(?:,?\\s+(?:[Aa]pt|[Aa]partment|[Ss]uite|[Uu]nit|#)\\.?\\s*[\\w-]+)?`,
  "g",
);

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Finds PII spans; overlapping matches keep the first (cards before phones, SSNs before phones). */
export function findPii(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  const push = (kind: PiiKind, re: RegExp, accept?: (v: string) => boolean) => {
    for (const m of text.matchAll(re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (accept && !accept(m[0])) continue;
      if (out.some((o) => start < o.end && end > o.start)) continue;
      out.push({ kind, value: m[0], start, end });
    }
  };
  push("email", EMAIL);
  push("card", CARD, (v) => {
    const d = v.replace(/\D/g, "");
    return d.length >= 13 && !/^(\d)\1+$/.test(d) && luhnValid(d);
  });
  push("ssn", SSN);
  push("phone", PHONE);
  push("address", ADDRESS, (v) => /[a-z]/i.test(v.replace(/^\d+\s+/, "").slice(0, 1)));
  return out.sort((a, b) => a.start - b.start);
}

/** Masks keep just enough for a human to recognise their own data (last four digits, email domain). */
export function maskPii(m: PiiMatch): string {
  switch (m.kind) {
    case "card":
      return `[card ****${m.value.replace(/\D/g, "").slice(-4)}]`;
    case "email": {
      const [local, domain] = m.value.split("@");
      return `${local![0]}***@${domain}`;
    }
    case "phone":
      return `[phone ***-${m.value.replace(/\D/g, "").slice(-4)}]`;
    case "ssn":
      return "[ssn]";
    case "address":
      return "[address]";
  }
}

export interface RedactOptions {
  /** Only these kinds are masked (default: all). */
  kinds?: readonly PiiKind[];
  /** Spans for which this returns true are left alone (e.g. the authenticated customer's own data). */
  keep?: (m: PiiMatch) => boolean;
}

export function redactPII(text: string, opts: RedactOptions = {}): { text: string; found: PiiMatch[] } {
  const found = findPii(text).filter((m) => (!opts.kinds || opts.kinds.includes(m.kind)) && !opts.keep?.(m));
  if (found.length === 0) return { text, found };
  let out = "";
  let at = 0;
  for (const m of found) {
    out += text.slice(at, m.start) + maskPii(m);
    at = m.end;
  }
  return { text: out + text.slice(at), found };
}

/**
 * Masks secrets that must never be stored (full card numbers, SSNs) and, by default, every other PII
 * kind too, in any JSON-like value. Use on log lines, audit payloads, traces and exports.
 */
export function redactDeep<T>(value: T, opts: RedactOptions = {}): T {
  if (typeof value === "string") return redactPII(value, opts).text as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, opts)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, opts);
    return out as T;
  }
  return value;
}

/** Secrets only: what the input rail masks in what customers type (emails and phones are needed to authenticate). */
export const SECRET_KINDS: readonly PiiKind[] = ["card", "ssn"];
