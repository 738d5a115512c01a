import { redactDeep, SECRET_KINDS, type PiiKind } from "../governance/pii.ts";

/**
 * Every place the trace store and its exports mask personal data goes through here, so one
 * redactor (governance's) decides what counts as PII everywhere.
 *
 * Storage masks every PII kind by default (privacy by default: ML teams can hold the traces).
 * AISLE_TRACE_PII=secrets keeps contact details (emails, phones, addresses) in stored traces for
 * deployments that need them; card numbers and SSNs are masked in every mode — a pasted full card
 * number is never stored. Exports mask every kind again, whatever the storage mode was.
 */
export type TraceMaskMode = "all" | "secrets";

export function traceMaskMode(env: NodeJS.ProcessEnv = process.env): TraceMaskMode {
  const raw = env.AISLE_TRACE_PII ?? "all";
  if (raw !== "all" && raw !== "secrets") throw new Error(`AISLE_TRACE_PII must be "all" or "secrets", got "${raw}"`);
  return raw;
}

const kindsFor = (mode: TraceMaskMode): readonly PiiKind[] | undefined => (mode === "secrets" ? SECRET_KINDS : undefined);

/** Masks PII in any JSON-like value (strings inside objects and arrays included). */
export function maskPersonalData<T>(value: T, mode: TraceMaskMode = "all"): T {
  return redactDeep(value, { kinds: kindsFor(mode) });
}
