#!/usr/bin/env node
// Launcher so `npx aisle` works without a build step: registers tsx in-process (one process, so
// signals such as SIGTERM reach the server directly) and loads the TypeScript CLI.
import { register } from "tsx/esm/api";

register();
await import("../cli/aisle.ts");
