import pino from "pino";
import { redactDeep, redactPII } from "../governance/index.ts";

/**
 * Structured logs. Credentials are never logged, and free text that reaches a log line (error
 * messages) has e-mail addresses and card-like numbers masked, because turns carry
 * customers' personal data.
 */
export function createLogger(opts: { level?: string } = {}) {
  return pino({
    level: opts.level ?? process.env.AISLE_LOG_LEVEL ?? "info",
    base: { service: "aisle" },
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-api-key"]',
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "*.password",
        "*.api_key",
        "*.token",
      ],
      censor: "[redacted]",
    },
    formatters: {
      log: (obj) => maskPiiDeep(obj) as Record<string, unknown>,
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;

// The governance redactor is the one PII mechanism: logs, audit rows, traces and exports alike.
function maskPiiDeep(value: unknown): unknown {
  if (value instanceof Error) return { type: value.name, message: redactPII(value.message).text, stack: value.stack };
  return redactDeep(value);
}
