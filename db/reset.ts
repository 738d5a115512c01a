import type pg from "pg";
import { migrate } from "./migrate.ts";

/** Drops every Aisle table (public schema and its migrations record) and re-applies migrations. */
export async function resetDatabase(pool: pg.Pool, url: string): Promise<void> {
  await pool.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
  await migrate(url);
}
