import type { Command } from "commander";
import type pg from "pg";
import { createPool } from "../../db/connection.ts";
import { createApiKey, listApiKeys, revokeApiKey, Role } from "../../server/apiKeys.ts";
import { action, info, UsageError, withDatabase } from "../runtime.ts";
import { readRunningServer } from "./serverInfo.ts";

/** Runs `fn` on Aisle's database — through a running embedded `aisle serve` if there is one. */
async function withKeysDatabase<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const running = process.env.DATABASE_URL ? undefined : readRunningServer();
  if (!running) return withDatabase((db) => fn(db.pool));
  const pool = createPool(running.databaseUrl, { max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("Manage API keys (stored hashed; a key is shown only when created)");

  keys
    .command("create")
    .description("Create an API key and print it alone on stdout")
    .requiredOption("--role <role>", `one of ${Role.options.join(", ")}`)
    .option("--customer <user_id>", "customer the key acts for (required for --role customer)")
    .option("--store <id>", "store the key is bound to (required for --role associate)")
    .option("--label <text>", "a note shown by `aisle keys list`")
    .action(
      action(async (opts: { role: string; customer?: string; store?: string; label?: string }) => {
        const role = Role.safeParse(opts.role);
        if (!role.success) throw new UsageError(`--role must be one of ${Role.options.join(", ")}`);
        if (role.data === "customer" && !opts.customer) throw new UsageError("--role customer needs --customer <user_id>");
        if (role.data === "associate" && !opts.store) throw new UsageError("--role associate needs --store <id>");
        if (opts.customer && role.data !== "customer") throw new UsageError("--customer only applies to --role customer");
        const created = await withKeysDatabase(async (pool) => {
          try {
            return await createApiKey(pool, { role: role.data, customerId: opts.customer, storeId: opts.store, label: opts.label });
          } catch (err) {
            if ((err as Error).message.startsWith("no customer")) throw new UsageError((err as Error).message);
            throw err;
          }
        });
        info(`Created ${role.data} key ${created.keyId}. Store it now: it is not shown again.`);
        process.stdout.write(`${created.key}\n`);
      }),
    );

  keys
    .command("list")
    .description("List keys (ids, roles and bindings; never the secrets)")
    .action(
      action(async () => {
        const rows = await withKeysDatabase(listApiKeys);
        for (const k of rows) {
          const binding = k.customer_id ? `customer ${k.customer_id}` : k.store_id ? `store ${k.store_id}` : "";
          process.stdout.write(
            `${k.key_id}\t${k.role}\t${binding}\t${k.revoked_at ? "revoked" : "active"}\t${new Date(k.created_at).toISOString()}\t${k.label ?? ""}\n`,
          );
        }
      }),
    );

  keys
    .command("revoke <key_id>")
    .description("Revoke a key (servers stop accepting it within AISLE_KEY_CACHE_MS, default 10 s)")
    .action(
      action(async (keyId: string) => {
        const done = await withKeysDatabase((pool) => revokeApiKey(pool, keyId));
        if (!done) throw new UsageError(`no active key with id ${keyId}`);
        info(`Revoked ${keyId}.`);
      }),
    );
}
