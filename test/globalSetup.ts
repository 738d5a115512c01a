import type { TestProject } from "vitest/node";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { prepareTemplateDatabase } from "./support/template.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "../db/embeddedPostgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of a migrated, seeded database that test databases are cloned from. */
    templateDatabaseUrl: string;
  }
}

let embedded: EmbeddedServer | undefined;

/**
 * Real PostgreSQL for the whole run: DATABASE_URL's server when set, otherwise one embedded server
 * started here (so `npm test` needs nothing installed). A seeded template database is built once;
 * each test file clones it (CREATE DATABASE … TEMPLATE) and drops its clone afterwards.
 */
export default async function setup(project: TestProject) {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    embedded = await startEmbeddedPostgres(join(tmpdir(), `aisle-test-pg-${process.getuid?.() ?? "u"}`));
    baseUrl = embedded.url("postgres");
  }
  project.provide("templateDatabaseUrl", await prepareTemplateDatabase(baseUrl));
  return async () => {
    await embedded?.stop();
  };
}
