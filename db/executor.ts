import type pg from "pg";

/**
 * What data-access modules need from the database: run a query, and run a unit of work
 * atomically. Backed by a pool (each transaction takes its own client) or by one client that is
 * already inside a transaction (nested units become savepoints), so the same code runs in the
 * server and inside the rolled-back transaction of a conformance replay.
 */
export interface Db {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

function clientDb(client: pg.PoolClient | pg.Client, depth: number): Db {
  return {
    query: (text, params) => client.query(text, params as unknown[]),
    async transaction(fn) {
      const sp = `aisle_sp_${depth}`;
      await client.query(`SAVEPOINT ${sp}`);
      try {
        const result = await fn(clientDb(client, depth + 1));
        await client.query(`RELEASE SAVEPOINT ${sp}`);
        return result;
      } catch (err) {
        await client.query(`ROLLBACK TO SAVEPOINT ${sp}`);
        throw err;
      }
    },
  };
}

/** A Db on a pool: queries auto-commit; `transaction` runs BEGIN…COMMIT on one client. */
export function poolDb(pool: pg.Pool): Db {
  return {
    query: (text, params) => pool.query(text, params as unknown[]),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(clientDb(client, 0));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/** A Db on a client that is already inside a transaction (units of work become savepoints). */
export function transactionDb(client: pg.PoolClient | pg.Client): Db {
  return clientDb(client, 0);
}
