import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const artifactsDir = path.join(root, "test-results");

const CHROMIUM = "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps dialing Google's hosts, which this
// machine's closed network refuses.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a PNG under test-results/ and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Sets the app's time zone setting (components/format/time.tsx) for `baseUrl` before a page loads, as
 * the switch in the top bar would: "utc", or "local" (the browser context's own zone).
 */
export async function setTimeMode(context: BrowserContext, baseUrl: string, mode: "utc" | "local"): Promise<void> {
  await context.addCookies([{ name: "bucketscope-time", value: mode, url: baseUrl }]);
}

/** Debian's Chromium with a fresh, throwaway profile. */
export async function launchBrowser(opts: { timeZone?: string } = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), "bucketscope-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1400, height: 900 },
    timezoneId: opts.timeZone ?? "Europe/Berlin",
    locale: "en-US",
  });
  // Every wait is for a condition; its budget must hold while a CPU hog shares the two cores with
  // Chromium, the app and the sandbox, where Playwright's 30 s default for an action is tight.
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(artifactsDir, { recursive: true });
  return {
    context,
    page,
    async screenshot(name: string) {
      const file = path.join(artifactsDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
