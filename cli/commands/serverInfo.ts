import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AISLE_HOME } from "../../db/config.ts";

/**
 * While `aisle serve` runs on the embedded database, it records where that database listens in
 * .aisle/server.json, so other commands (`aisle keys create`) connect to it instead of failing on
 * the data directory the server holds.
 */
const FILE = join(AISLE_HOME, "server.json");

export interface RunningServer {
  pid: number;
  databaseUrl: string;
  apiUrl: string;
}

export function writeRunningServer(info: RunningServer): () => void {
  mkdirSync(dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(info), { mode: 0o600 });
  return () => {
    try {
      if ((JSON.parse(readFileSync(FILE, "utf8")) as RunningServer).pid === process.pid) rmSync(FILE);
    } catch {
      /* already gone */
    }
  };
}

export function readRunningServer(): RunningServer | undefined {
  if (!existsSync(FILE)) return undefined;
  try {
    const info = JSON.parse(readFileSync(FILE, "utf8")) as RunningServer;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
