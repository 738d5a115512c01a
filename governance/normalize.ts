/**
 * Text normalisation shared by every rail. Attackers hide instructions with look-alike and invisible
 * characters; matching on the NFKC-folded, invisible-stripped form defeats the cheap tricks while
 * the original text is kept for redaction offsets.
 */

// Zero-width and bidi controls, soft hyphen, word joiner, BOM, Mongolian vowel separator.
// U+200D (zero-width joiner) is excluded: it glues emoji sequences together in ordinary messages.
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
// Unicode "tag" characters (U+E0000–E007F) can smuggle a whole ASCII instruction invisibly.
const TAG_CHARS = /[\u{E0000}-\u{E007F}]/gu;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export interface NormalizedText {
  /** NFKC, invisible/control characters removed, lower-cased, whitespace collapsed, leetspeak folded. */
  folded: string;
  /** Like `folded` but invisible characters read as spaces; equal to `folded` when there were none. */
  foldedSpaced: string;
  /** NFKC with invisible characters removed but case and digits kept (for PII and tags). */
  clean: string;
  invisibleCount: number;
  tagCharCount: number;
  /** The ASCII text hidden in Unicode tag characters, if any. */
  hiddenTagText: string;
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/** Folds leetspeak only inside words that mix letters and digits, so prices and ids stay intact. */
function foldLeet(s: string): string {
  return s.replace(/[a-z0-9@$]*[a-z][a-z0-9@$]*/g, (w) => (/[0-9@$]/.test(w) && /[a-z]{2}/.test(w) ? w.replace(/[013457@$]/g, (c) => LEET[c]!) : w));
}

export function normalizeText(input: string): NormalizedText {
  let hiddenTagText = "";
  let tagCharCount = 0;
  // Subdivision flags (🏴 + tag letters, e.g. England) are the one legitimate use of tag characters.
  const withoutFlags = input.replace(/\u{1F3F4}[\u{E0020}-\u{E007F}]+/gu, "🏴");
  for (const m of withoutFlags.matchAll(TAG_CHARS)) {
    tagCharCount++;
    const cp = m[0].codePointAt(0)! - 0xe0000;
    if (cp >= 0x20 && cp < 0x7f) hiddenTagText += String.fromCharCode(cp);
  }
  const invisibleCount = (withoutFlags.match(INVISIBLE) ?? []).length;
  // Invisible characters between letters usually split a word ("ig\u200Bnore"): drop them; elsewhere
  // they stand in for a space ("ignore\u200Bprevious"): the folded form uses a space so both match.
  const clean = withoutFlags.normalize("NFKC").replace(TAG_CHARS, "").replace(INVISIBLE, "").replace(CONTROL, " ");
  const folded = fold(clean);
  const foldedSpaced =
    invisibleCount + tagCharCount > 0
      ? fold(withoutFlags.normalize("NFKC").replace(TAG_CHARS, " ").replace(INVISIBLE, " ").replace(CONTROL, " "))
      : folded;
  return { folded, foldedSpaced, clean, invisibleCount, tagCharCount, hiddenTagText };
}

function fold(s: string): string {
  return foldLeet(s.toLowerCase().replace(/[’‘`´]/g, "'").replace(/\s+/g, " ").trim());
}
