import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** The system Chromium the browser tests drive (.ci/run installs Debian's; override with AISLE_CHROMIUM). */
export const CHROMIUM = process.env.AISLE_CHROMIUM ?? "/usr/bin/chromium";

/** Whether a browser test file can run; says why once when it cannot. */
export function chromiumAvailable(what: string): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok) console.warn(`${what} skipped: no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; or set AISLE_CHROMIUM).`);
  return ok;
}

/** Headless Chromium with the flags a sandboxed CI box needs. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
