/**
 * Python's `json.dumps` default output, so Aisle's τ-bench tools return byte-for-byte what
 * upstream returns: ", " and ": " separators, `ensure_ascii` escapes, insertion key order, and
 * Python's float repr. JSON has one number type but Python has two; τ-bench records hold floats
 * for prices and amounts (written `63.0` when integral) and ints elsewhere, so callers name the
 * keys whose values are Python floats. Ordered maps whose keys look like integers are passed as `Map`s.
 */

/** Python `repr(float)`: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // Shortest round-trip digits and decimal exponent from JS (same algorithm class as Python's repr).
  const [mant, expStr] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expStr); // value = d.ddd × 10^exp
  const sign = x < 0 ? "-" : "";
  if (exp >= -5 && exp < 16) {
    // Python uses fixed notation when -4 <= exp < 16 (repr switches to exponent at 1e16 and below 1e-4).
    if (exp < -4) return formatExponent(sign, digits, exp);
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac || "0"}`;
  }
  return formatExponent(sign, digits, exp);
}

function formatExponent(sign: string, digits: string, exp: number): string {
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, "0");
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
}

/** Python `str(int)` for a JS number that holds an integer. */
function pyIntRepr(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
}

/**
 * Python `round(x, ndigits)` for floats: the correctly rounded decimal, ties (exact binary ties
 * only) to even. JS `toFixed` rounds exact ties away from zero, so ties are settled here.
 */
export function pyRound(x: number, ndigits = 2): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let r = Number(a.toFixed(ndigits));
  // toFixed(100) spells out the exact binary value for any amount of money, so a tie is visible
  // as "5" followed only by zeros after the kept digits.
  const exact = a.toFixed(100);
  const rest = exact.slice(exact.indexOf(".") + 1 + ndigits);
  if (/^50*$/.test(rest)) {
    const kept = BigInt(exact.slice(0, exact.indexOf(".") + 1 + ndigits).replace(".", ""));
    const even = kept % 2n === 0n ? kept : kept + 1n;
    r = Number(even) / 10 ** ndigits;
  }
  return x < 0 ? -r : r;
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += s[i];
  }
  return `${out}"`;
}

export interface PyDumpsOptions {
  /** Keys whose numeric values are Python floats (rendered `63.0`, not `63`). */
  floatKeys?: ReadonlySet<string>;
}

/** `json.dumps(value)` as Python writes it. */
export function pyDumps(value: unknown, opts: PyDumpsOptions = {}): string {
  const floatKeys = opts.floatKeys ?? new Set<string>();
  const write = (v: unknown, isFloat: boolean): string => {
    if (v === null || v === undefined) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") return isFloat || !Number.isInteger(v) ? pyFloatRepr(v) : pyIntRepr(v);
    if (typeof v === "string") return escapeString(v);
    if (Array.isArray(v)) return `[${v.map((x) => write(x, isFloat)).join(", ")}]`;
    if (typeof v === "object") {
      // A Map keeps insertion order even for integer-like keys (variant ids), which objects reorder.
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
      const parts = entries
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => `${escapeString(k)}: ${write(x, floatKeys.has(k))}`);
      return `{${parts.join(", ")}}`;
    }
    throw new TypeError(`cannot serialise ${typeof v} as JSON`);
  };
  return write(value, false);
}
