import { pyFloatRepr, pyRound } from "./pythonJson.ts";

/**
 * τ-bench's `calculate`: an arithmetic expression over `0-9 + - * / ( ) . space`, evaluated with
 * Python's semantics (exact integers, true division `/`, floor division `//`, power `**`) and
 * returned as Python `str(round(float(value), 2))`. A small recursive-descent parser — never eval.
 */

type Num = { int: bigint } | { float: number };
class CalcError extends Error {}

const SYNTAX = (line = 1) => new CalcError(`invalid syntax (<string>, line ${line})`);
const MAX_INT_BITS = 1_000_000n; // beyond this Python would take ages and then fail to convert to float

function toFloat(n: Num): number {
  if ("float" in n) return n.float;
  const f = Number(n.int);
  if (!Number.isFinite(f)) throw new CalcError("int too large to convert to float");
  return f;
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function binary(op: string, a: Num, b: Num): Num {
  if ("int" in a && "int" in b && op !== "/") {
    const x = a.int;
    const y = b.int;
    switch (op) {
      case "+": return { int: x + y };
      case "-": return { int: x - y };
      case "*": return { int: x * y };
      case "//":
        if (y === 0n) throw new CalcError("integer division or modulo by zero");
        return { int: floorDivBig(x, y) };
      case "**":
        if (y < 0n) {
          if (x === 0n) throw new CalcError("0.0 cannot be raised to a negative power");
          return { float: toFloat(a) ** toFloat(b) };
        }
        if (x !== 0n && x !== 1n && x !== -1n && BigInt(x.toString(2).length) * y > MAX_INT_BITS) {
          throw new CalcError("int too large to convert to float");
        }
        return { int: x ** y };
    }
  }
  if (op === "/" && "int" in a && "int" in b) {
    if (b.int === 0n) throw new CalcError("division by zero");
    return { float: toFloat(a) / toFloat(b) };
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (op) {
    case "+": return { float: x + y };
    case "-": return { float: x - y };
    case "*": return { float: x * y };
    case "/":
      if (y === 0) throw new CalcError("float division by zero");
      return { float: x / y };
    case "//":
      if (y === 0) throw new CalcError("float floor division by zero");
      return { float: Math.floor(x / y) };
    case "**": {
      if (x === 0 && y < 0) throw new CalcError("0.0 cannot be raised to a negative power");
      if (x < 0 && !Number.isInteger(y)) throw new CalcError("float() argument must be a string or a real number, not 'complex'");
      const r = x ** y;
      if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new CalcError("(34, 'Numerical result out of range')");
      return { float: r };
    }
  }
  throw SYNTAX();
}

type Token = { kind: "num"; text: string } | { kind: "op"; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " ") { i++; continue; }
    if (/[0-9.]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9.]/.test(src[j])) j++;
      const text = src.slice(i, j);
      if ((text.match(/\./g) ?? []).length > 1 || text === ".") throw SYNTAX();
      if (!text.includes(".") && /^0+[1-9]/.test(text)) {
        throw new CalcError("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)");
      }
      out.push({ kind: "num", text });
      i = j;
      continue;
    }
    if ((c === "*" || c === "/") && src[i + 1] === c) { out.push({ kind: "op", text: c + c }); i += 2; continue; }
    out.push({ kind: "op", text: c });
    i++;
  }
  return out;
}

/** Python's grammar for this subset: sum := term (('+'|'-') term)*; term := factor (('*'|'/'|'//') factor)*;
 * factor := ('+'|'-') factor | power; power := atom ['**' factor]; atom := number | '(' sum ')'. */
function parse(tokens: Token[]): Num {
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (t: Token | undefined, ...ops: string[]) => t?.kind === "op" && ops.includes(t.text);
  const sum = (): Num => {
    let v = term();
    while (isOp(peek(), "+", "-")) v = binary(tokens[pos++].text, v, term());
    return v;
  };
  const term = (): Num => {
    let v = factor();
    while (isOp(peek(), "*", "/", "//")) v = binary(tokens[pos++].text, v, factor());
    return v;
  };
  const factor = (): Num => {
    if (isOp(peek(), "+", "-")) {
      const op = tokens[pos++].text;
      const v = factor();
      if (op === "+") return v;
      return "int" in v ? { int: -v.int } : { float: -v.float };
    }
    return power();
  };
  const power = (): Num => {
    const base = atom();
    if (isOp(peek(), "**")) {
      pos++;
      return binary("**", base, factor());
    }
    return base;
  };
  const atom = (): Num => {
    const t = tokens[pos];
    if (!t) throw SYNTAX();
    if (t.kind === "num") {
      pos++;
      return t.text.includes(".") ? { float: Number(t.text) } : { int: BigInt(t.text) };
    }
    if (t.text === "(") {
      pos++;
      if (isOp(peek(), ")")) throw new CalcError("float() argument must be a string or a real number, not 'tuple'");
      const v = sum();
      if (!isOp(peek(), ")")) throw peek() ? SYNTAX() : new CalcError("'(' was never closed (<string>, line 1)");
      pos++;
      return v;
    }
    if (t.text === ")") throw new CalcError("unmatched ')' (<string>, line 1)");
    throw SYNTAX();
  };
  const v = sum();
  if (pos < tokens.length) throw isOp(peek(), ")") ? new CalcError("unmatched ')' (<string>, line 1)") : SYNTAX();
  return v;
}

/** The `calculate` tool's output for `expression`. */
export function calculate(expression: string): string {
  if (![...expression].every((c) => "0123456789+-*/(). ".includes(c))) return "Error: invalid characters in expression";
  try {
    const tokens = tokenize(expression);
    if (tokens.length === 0) throw SYNTAX(0);
    const value = toFloat(parse(tokens));
    return pyFloatRepr(pyRound(value, 2)).replace(/^Infinity$/, "inf").replace(/^-Infinity$/, "-inf").replace(/^NaN$/, "nan");
  } catch (err) {
    if (err instanceof CalcError) return `Error: ${err.message}`;
    throw err;
  }
}
