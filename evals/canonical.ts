import { createHash } from "node:crypto";

/**
 * The canonical form of a τ-bench record (data/tau-retail/README.md), written by hand so JS
 * reproduces it exactly: keys sorted by code point, no whitespace, numbers rounded to 2 decimals
 * (ints and floats alike). Maps are objects whose key order must not be trusted to JS objects.
 */
export function canon(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") {
    const r = Number(v.toFixed(2));
    return Object.is(r, -0) ? "0" : String(r);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (typeof v === "object") {
    const entries = (v instanceof Map ? [...v.entries()] : Object.entries(v)).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => compareCodePoints(String(a), String(b)));
    return `{${entries.map(([k, x]) => `${JSON.stringify(String(k))}:${canon(x)}`).join(",")}}`;
  }
  throw new TypeError(`cannot canonicalise ${typeof v}`);
}

/** Code point order (JS `<` compares UTF-16 code units, which differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Lowercase hex SHA-256 of the record's canonical form. */
export function canonicalHash(v: unknown): string {
  return createHash("sha256").update(canon(v), "utf8").digest("hex");
}
