import { parseCorsOrigins, type CorsOrigins } from "./cors.ts";

/** Server settings from the environment, with the documented defaults (see docs/API.md). */
export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted JSON body (express `limit` syntax). */
  bodyLimit: string;
  /** Requests per minute per API key (or per IP before authentication). */
  rateLimitPerMinute: number;
  /** HS256 secret for JWT bearer tokens; JWTs are rejected when unset. */
  jwtSecret?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** Runs executing at once in this process (each holds one database session for its thread lock). */
  runConcurrency: number;
  /** How often a replica looks for orphaned runs (crashed replica) and cancellation requests. */
  sweepIntervalMs: number;
  /** Seconds a client waits for a run before the server gives up on a stream/wait/join request. */
  runTimeoutSeconds: number;
  /** How long API-key lookups are cached; a revoked key stops working within this time. */
  keyCacheMs: number;
  defaultMultitaskStrategy: "reject" | "enqueue" | "interrupt" | "rollback";
  /** Origins whose pages may call the API from a browser (`AISLE_CORS_ORIGINS`; default any, `none` for none). */
  corsOrigins: CorsOrigins;
}

const num = (name: string, dflt: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

export function loadServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const strategy = process.env.AISLE_MULTITASK_STRATEGY ?? "enqueue";
  if (!["reject", "enqueue", "interrupt", "rollback"].includes(strategy)) {
    throw new Error(`AISLE_MULTITASK_STRATEGY must be reject, enqueue, interrupt or rollback, got "${strategy}"`);
  }
  return {
    host: process.env.AISLE_HOST ?? "127.0.0.1",
    port: num("AISLE_PORT", 8123),
    bodyLimit: process.env.AISLE_BODY_LIMIT ?? "256kb",
    rateLimitPerMinute: num("AISLE_RATE_LIMIT", 1200),
    jwtSecret: process.env.AISLE_JWT_SECRET || undefined,
    jwtIssuer: process.env.AISLE_JWT_ISSUER || undefined,
    jwtAudience: process.env.AISLE_JWT_AUDIENCE || undefined,
    runConcurrency: num("AISLE_RUN_CONCURRENCY", 16),
    sweepIntervalMs: num("AISLE_SWEEP_INTERVAL_MS", 1000),
    runTimeoutSeconds: num("AISLE_RUN_TIMEOUT_S", 300),
    keyCacheMs: num("AISLE_KEY_CACHE_MS", 10_000),
    defaultMultitaskStrategy: strategy as ServerConfig["defaultMultitaskStrategy"],
    corsOrigins: parseCorsOrigins(process.env.AISLE_CORS_ORIGINS),
    ...overrides,
  };
}
