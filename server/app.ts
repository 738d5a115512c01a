import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { rateLimit, ipKeyGenerator } from "express-rate-limit";
import { pinoHttp } from "pino-http";
import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { Server } from "node:http";
import type pg from "pg";
import { createPool } from "../db/connection.ts";
import { ApiKeyResolver } from "./apiKeys.ts";
import { authenticate } from "./auth.ts";
import { cors } from "./cors.ts";
import { loadServerConfig, type ServerConfig } from "./config.ts";
import type { ServerContext } from "./context.ts";
import { DatabaseHealth } from "./dbHealth.ts";
import { DatabaseUnavailableError, errorBody, errorHandler, HttpError, toHttpError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import { rejectUnstorableInput } from "./jsonGuard.ts";
import { createMetrics } from "./metrics.ts";
import { RunExecutor } from "./runExecutor.ts";
import type { ServedRuntime } from "./runtime.ts";
import { ServerStore } from "./store.ts";
import { assistantRoutes } from "./routes/assistants.ts";
import { chatRoutes } from "./routes/chat.ts";
import { runRoutes } from "./routes/runs.ts";
import { systemRoutes } from "./routes/system.ts";
import { threadRoutes } from "./routes/threads.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { studioApiRoutes, studioStaticRoutes } from "./routes/studio.ts";

export interface AisleServerOptions {
  /** Pool on Aisle's database (migrated, with 0004_server). */
  pool: pg.Pool;
  /** URL of the same database: run locks use their own small pool, readiness probes fresh connections. */
  databaseUrl: string;
  /** The compiled turn graph and its checkpointer (graphs/runtime.ts, or a test graph). */
  runtime: ServedRuntime;
  config?: Partial<ServerConfig>;
  logger?: Logger;
}

export interface AisleServer {
  app: express.Express;
  ctx: ServerContext;
  listen(port?: number, host?: string): Promise<{ server: Server; url: string }>;
  /** Stops accepting, lets in-flight runs finish (up to `graceMs`), closes the server's own pools. */
  close(graceMs?: number): Promise<void>;
}

/** Times checkpoint writes for `aisle_checkpoint_write_seconds` (the saver has no hook for it). */
function instrumentCheckpointer(runtime: ServedRuntime, observe: (op: string, seconds: number) => void) {
  const saver = runtime.checkpointer as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const op of ["put", "putWrites"]) {
    const original = saver[op]?.bind(saver);
    if (!original || (saver[op] as { __timed?: boolean }).__timed) continue;
    const timed = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await original(...args);
      } finally {
        observe(op, (performance.now() - t) / 1000);
      }
    };
    (timed as { __timed?: boolean }).__timed = true;
    saver[op] = timed;
  }
}

export function createAisleServer(opts: AisleServerOptions): AisleServer {
  const config = loadServerConfig(opts.config);
  const log = opts.logger ?? createLogger();
  const lockPool = createPool(opts.databaseUrl, { max: config.runConcurrency + 2 });
  const metrics = createMetrics({ main: opts.pool, locks: lockPool });
  const store = new ServerStore(opts.pool);
  const dbHealth = new DatabaseHealth(opts.databaseUrl);
  const executor = new RunExecutor({
    store,
    lockPool,
    runtime: opts.runtime,
    metrics,
    log,
    concurrency: config.runConcurrency,
    sweepIntervalMs: config.sweepIntervalMs,
    runTimeoutSeconds: config.runTimeoutSeconds,
  });
  const ctx: ServerContext = { store, executor, runtime: opts.runtime, metrics, log, config, dbHealth };
  instrumentCheckpointer(opts.runtime, (op, s) => metrics.checkpointWrite.observe({ op }, s));

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const incoming = req.headers["x-request-id"];
        const id = typeof incoming === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      // Metrics and probes would drown the log.
      autoLogging: { ignore: (req) => ["/health", "/ready", "/metrics", "/ok"].includes(req.url ?? "") },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: String(req.url ?? "").split("?")[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: "cross-origin" } }));
  // Before everything that can refuse a request: a 401/429/503 must reach the page as that error,
  // not as an opaque network failure, and preflights carry no credential.
  app.use(cors(config.corsOrigins));
  app.use((req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, (performance.now() - started) / 1000);
    });
    next();
  });

  app.use(systemRoutes(ctx));
  // Aisle Studio's page is public; its data comes from the authenticated API below.
  app.use(studioStaticRoutes());

  // Everything below touches the database: while it is unreachable, fail fast with 503.
  app.use((_req, _res, next) => {
    if (dbHealth.isDown) {
      metrics.dbUnavailable.inc();
      next(new DatabaseUnavailableError());
      return;
    }
    next();
  });
  app.use((req, _res, next) => {
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    if (hasBody && ["POST", "PATCH", "PUT"].includes(req.method) && !req.is("application/json")) {
      next(new HttpError(415, "unsupported_media_type", "Send the request body as JSON (Content-Type: application/json)."));
      return;
    }
    next();
  });
  app.use(
    express.json({
      limit: config.bodyLimit,
      strict: true,
      // body-parser would silently turn broken UTF-8 into U+FFFD and store the result; refuse it instead.
      verify: (_req, _res, buf, encoding) => {
        if (/^utf-?8$/i.test(encoding) && !isUtf8(buf)) throw new HttpError(400, "invalid_encoding", "The request body is not valid UTF-8.");
      },
    }),
  );
  app.use(rejectUnstorableInput);
  app.use(authenticate({ keys: new ApiKeyResolver(opts.pool, config.keyCacheMs), jwtSecret: config.jwtSecret, jwtIssuer: config.jwtIssuer, jwtAudience: config.jwtAudience }));
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      keyGenerator: (req) => req.caller?.credential ?? ipKeyGenerator(req.ip ?? "unknown"),
      handler: (_req, res) => void res.status(429).json({ error: "rate_limited", message: "Too many requests for this API key; slow down and retry." }),
    }),
  );
  app.use(threadRoutes(ctx));
  app.use(feedbackRoutes(ctx));
  app.use(runRoutes(ctx));
  app.use(assistantRoutes(ctx));
  app.use(chatRoutes(ctx));
  app.use(studioApiRoutes(ctx));
  app.use((req: Request) => {
    throw new HttpError(404, "not_found", `No route for ${req.method} ${req.path}`);
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    dbHealth.observe(err);
    if (toHttpError(err).status === 503) metrics.dbUnavailable.inc();
    errorHandler(err, req, res, next);
  });

  executor.start();
  let server: Server | undefined;
  return {
    app,
    ctx,
    async listen(port = config.port, host = config.host) {
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
      });
      // SSE responses stay open for a whole turn; only idle keep-alive sockets time out.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      const addr = server.address();
      const actualPort = typeof addr === "object" && addr ? addr.port : port;
      return { server, url: `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}` };
    },
    async close(graceMs = 10_000) {
      const closing = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      await executor.close(graceMs);
      server?.closeIdleConnections();
      // Streams of runs that were handed back end now; their clients re-attach elsewhere.
      setTimeout(() => server?.closeAllConnections(), 2000).unref();
      await closing;
      dbHealth.close();
      await lockPool.end().catch(() => {});
    },
  };
}

export { errorBody };
