import type { RequestHandler } from "express";
import { HttpError } from "./errors.ts";

/** Deeper than any request Aisle accepts; keeps recursive code (zod, jsonb, serialisers) off the stack limit. */
export const MAX_JSON_DEPTH = Number(process.env.AISLE_MAX_JSON_DEPTH ?? 100);

// String.prototype.isWellFormed is in Node ≥ 20 but not in the ES2022 lib this project compiles against.
const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const unstorable = (s: string) => s.includes("\u0000") || !wellFormed(s);

/**
 * Finds the first string (value or key) PostgreSQL cannot store — text and jsonb refuse NUL, jsonb
 * refuses unpaired UTF-16 surrogates — or the first place nested deeper than `MAX_JSON_DEPTH`.
 * Iterative, so a hostile body cannot overflow the stack here either.
 */
export function findUnstorable(value: unknown, root: string): string | null {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length) {
    const [v, where, depth] = stack.pop()!;
    if (typeof v === "string") {
      if (unstorable(v)) return `${where}: text must not contain NUL characters or unpaired surrogates`;
    } else if (v && typeof v === "object") {
      if (depth >= MAX_JSON_DEPTH) return `${where}: nested deeper than ${MAX_JSON_DEPTH} levels`;
      for (const [k, child] of Object.entries(v)) {
        if (unstorable(k)) return `${where}: key must not contain NUL characters or unpaired surrogates`;
        stack.push([child, Array.isArray(v) ? `${where}[${k}]` : `${where}.${k}`, depth + 1]);
      }
    }
  }
  return null;
}

/**
 * Refuses, as a 400, request bodies and URLs carrying text the database cannot store, instead of
 * letting the insert fail as a 500 halfway through a request.
 */
export const rejectUnstorableInput: RequestHandler = (req, _res, next) => {
  // Path parameters and query values are decoded later; an encoded NUL is the one thing they can carry that PostgreSQL refuses.
  if (/%00/.test(req.originalUrl)) {
    next(new HttpError(400, "invalid_request", "The URL must not contain NUL characters (%00)."));
    return;
  }
  const problem = req.body === undefined ? null : findUnstorable(req.body, "body");
  next(problem ? new HttpError(400, "invalid_request", `Invalid body: ${problem}`, [{ path: problem.split(":")[0], message: problem.slice(problem.indexOf(":") + 2) }]) : undefined);
};
