import type { ErrorRequestHandler, Request } from "express";
import { ZodError, type z } from "zod";

/** An error with an HTTP status and a JSON body `{error, message, details?}` safe to show clients. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
export const forbidden = (message: string) => new HttpError(403, "forbidden", message);
export const conflict = (message: string, code = "conflict") => new HttpError(409, code, message);

/** Parses `value` with `schema` or throws a 400 naming every problem. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw invalid(result.error, where);
  return result.data;
}

export function invalid(err: ZodError, where: string): HttpError {
  const details = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message }));
  const summary = details.slice(0, 3).map((d) => `${d.path}: ${d.message}`).join("; ");
  return new HttpError(400, "invalid_request", `Invalid ${where}: ${summary}`, details);
}

const DB_UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "57P01", "57P02", "57P03", "53300"]);

/** True when `err` means PostgreSQL is unreachable (down, restarting, connection lost, pool timeout). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.code && (DB_UNAVAILABLE_CODES.has(e.code) || e.code.startsWith("08"))) return true;
  const msg = e.message ?? "";
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|database is unavailable/i.test(msg)) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

export class DatabaseUnavailableError extends HttpError {
  constructor() {
    super(503, "database_unavailable", "The database is unavailable; retry shortly.");
  }
}

/** Converts any error into an HTTP status and a JSON body without internals (no stack, no SQL). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return invalid(err, "request");
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
  // body-parser errors carry a `type`; report them as the client mistake they are.
  switch (e?.type) {
    case "entity.parse.failed":
      return new HttpError(400, "invalid_json", "The request body is not valid JSON.");
    case "entity.too.large":
      return new HttpError(413, "payload_too_large", "The request body is too large.");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpError(415, "unsupported_encoding", "Unsupported content encoding or charset.");
    case "request.aborted":
      return new HttpError(400, "request_aborted", "The request was aborted by the client.");
  }
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError();
  const status = e?.status ?? e?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new HttpError(status, "bad_request", e.message ?? "Bad request");
  }
  return new HttpError(500, "internal_error", "Internal server error");
}

export function errorBody(err: HttpError, req?: Request) {
  return {
    error: err.code,
    message: err.message,
    ...(err.details !== undefined ? { details: err.details } : {}),
    ...(err.status >= 500 && req?.id !== undefined ? { request_id: String(req.id) } : {}),
  };
}

/** Last middleware: every failure becomes JSON; 5xx are logged with their cause, never sent. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const httpErr = toHttpError(err);
  if (httpErr.status >= 500) req.log?.error({ err }, "request failed");
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(httpErr.status).json(errorBody(httpErr, req));
};
