import pg from "pg";
import { isDatabaseUnavailable } from "./errors.ts";

/**
 * Tracks whether PostgreSQL is reachable. Once a query fails for lack of a connection, requests
 * are refused at once with 503 (instead of each waiting for a connect timeout) while a probe checks
 * every `probeMs`; the first successful probe restores service, with no restart.
 */
export class DatabaseHealth {
  private down = false;
  private probing?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private url: string,
    private probeMs = 500,
  ) {}

  get isDown() {
    return this.down;
  }

  /** Call with any error: marks the database down if the error is a connectivity failure. */
  observe(err: unknown) {
    if (this.closed || !isDatabaseUnavailable(err) || this.down) return;
    this.down = true;
    this.probing = setInterval(() => void this.probe(), this.probeMs);
    this.probing.unref();
  }

  /** One round trip on a fresh connection, bounded by `timeoutMs`. */
  async check(timeoutMs = 1000): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async probe() {
    if (await this.check()) {
      this.down = false;
      clearInterval(this.probing);
      this.probing = undefined;
    }
  }

  close() {
    this.closed = true;
    clearInterval(this.probing);
  }
}
