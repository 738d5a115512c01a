import type { NextFunction, Request, Response } from "express";

/**
 * Cross-origin access for browser apps (a web shop calling Aisle with the SDK's `useStream` from its
 * own origin). Same behaviour as the LangGraph Agent Server's default: every origin may call the API,
 * any request header may be sent, and `Content-Location` is readable — the SDK takes the run id from it.
 *
 * Allowing every origin is safe here because Aisle never authenticates by cookie: a request carries
 * its key in `x-api-key`/`Authorization`, which a foreign page cannot borrow. Operators who want the
 * browser to enforce a list of their own sites set `AISLE_CORS_ORIGINS`.
 */

/** `"*"` (any origin), a list of exact origins, or `[]` (no cross-origin access at all). */
export type CorsOrigins = "*" | string[];

/** Response headers a browser script may read (the SDK reads Content-Location; the rest are for apps). */
const EXPOSED = ["Content-Location", "X-Request-Id", "X-Pagination-Total", "X-Pagination-Next", "RateLimit", "RateLimit-Policy", "Retry-After"];
const METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/** Browsers re-check a preflight after this many seconds. */
const MAX_AGE_S = 600;
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Parses `AISLE_CORS_ORIGINS`: unset or `*` → any origin; `none` → none; else comma-separated origins. */
export function parseCorsOrigins(raw: string | undefined): CorsOrigins {
  const value = (raw ?? "*").trim();
  if (value === "" || value === "*") return "*";
  if (value.toLowerCase() === "none") return [];
  return value.split(",").map((s) => s.trim()).filter(Boolean).map((origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`AISLE_CORS_ORIGINS: "${origin}" is not an origin like https://shop.example.com`);
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, "")) {
      throw new Error(`AISLE_CORS_ORIGINS: "${origin}" is not an origin like https://shop.example.com (scheme, host and optional port; no path)`);
    }
    return url.origin;
  });
}

/**
 * The CORS response headers for a request from `origin` (pure). `null` when the request is not
 * cross-origin or the origin is not allowed — the browser then refuses to hand the response to the page.
 */
export function corsHeaders(
  allowed: CorsOrigins,
  req: { origin?: string; method: string; requestMethod?: string; requestHeaders?: string },
): { headers: Record<string, string>; preflight: boolean } | null {
  const { origin } = req;
  if (!origin) return null;
  const ok = allowed === "*" || allowed.includes(origin);
  if (!ok) return null;
  const headers: Record<string, string> = {
    // With a list, the answer depends on the Origin header, so caches must key on it.
    "Access-Control-Allow-Origin": allowed === "*" ? "*" : origin,
    ...(allowed === "*" ? {} : { Vary: "Origin" }),
  };
  const preflight = req.method === "OPTIONS" && req.requestMethod !== undefined;
  if (preflight) {
    headers["Access-Control-Allow-Methods"] = METHODS;
    // Whatever headers the app sends (x-api-key, Last-Event-ID, its own defaultHeaders) — as the Agent Server does.
    if (req.requestHeaders && HEADER_LIST.test(req.requestHeaders.trim())) headers["Access-Control-Allow-Headers"] = req.requestHeaders.trim();
    headers["Access-Control-Max-Age"] = String(MAX_AGE_S);
    headers.Vary = allowed === "*" ? "Access-Control-Request-Headers" : "Origin, Access-Control-Request-Headers";
  } else {
    headers["Access-Control-Expose-Headers"] = EXPOSED.join(", ");
  }
  return { headers, preflight };
}

/** Express middleware: answers preflights itself (before authentication — browsers send no key with them). */
export function cors(allowed: CorsOrigins) {
  return (req: Request, res: Response, next: NextFunction) => {
    const decision = corsHeaders(allowed, {
      origin: req.headers.origin,
      method: req.method,
      requestMethod: req.header("access-control-request-method"),
      requestHeaders: req.header("access-control-request-headers"),
    });
    if (decision) for (const [k, v] of Object.entries(decision.headers)) res.setHeader(k, v);
    else if (allowed !== "*" && req.headers.origin) res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS" && req.header("access-control-request-method") !== undefined) {
      // A refused origin gets the same 204 without Allow-* headers: the browser blocks the real request.
      res.status(204).end();
      return;
    }
    next();
  };
}
