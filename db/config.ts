import { resolve } from "node:path";

/** Where Aisle keeps local state (the embedded PostgreSQL data directory, dev keys). */
export const AISLE_HOME = resolve(process.env.AISLE_HOME ?? ".aisle");

/** Data directory of the embedded PostgreSQL server used when DATABASE_URL is unset. */
export const EMBEDDED_PG_DIR = resolve(process.env.AISLE_PG_DIR ?? `${AISLE_HOME}/pg`);

/** Name of the database Aisle uses on the embedded server. */
export const EMBEDDED_DB_NAME = process.env.AISLE_DB_NAME ?? "aisle";

/** Directory of the τ-bench retail dataset (users, orders, products) Aisle seeds from. */
export const TAU_DATA_DIR = resolve(process.env.AISLE_TAU_DIR ?? "data/tau-retail");
