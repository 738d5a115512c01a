import { normalizeText } from "./normalize.ts";

const AFFIRM = /^(?:yes|yeah|yea|yep|yup|y|sure|ok|okay|confirm(?:ed)?|correct|affirmative|absolutely|definitely|go ahead|please do|do it|proceed|that'?s (?:right|correct)|sounds good|please proceed)\b/;
// Anything that hedges or changes the request means the details were not accepted as listed.
const HEDGE = /\b(?:no|not|don'?t|do not|wait|but|actually|instead|change|hold on|hmm|unless|except|maybe|cancel that|never ?mind)\b|\?/;

/**
 * τ-bench requires an explicit "yes" after the action details were listed. Accepts a plain
 * affirmative ("yes", "yes please", "ok go ahead", "Yes, cancel it") and rejects anything hedged
 * ("yes but change the size", "yes?", "not yet").
 */
export function isExplicitConfirmation(text: string): boolean {
  const t = normalizeText(text).folded.replace(/[.!]+$/g, "").trim();
  if (!AFFIRM.test(t)) return false;
  return !HEDGE.test(t);
}

/**
 * Whether `text` opens with an affirmative at all (hedged or not): a superset of
 * isExplicitConfirmation that does not depend on the rest of the message. Used to decide, before a
 * turn runs, whether it could possibly carry out a consequential action (graphs/durability.ts).
 */
export function mayConfirm(text: string): boolean {
  return AFFIRM.test(normalizeText(text).folded.trim());
}
