import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { startSandbox, type Sandbox } from "@/lib/sandbox";
import { startApp, type RunningApp } from "./app";
import { launchBrowser, type Browser } from "./browser";

export interface Stack {
  dataDir: string;
  sandbox: Sandbox;
  app: RunningApp;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * What a browser test stands on: a seeded sandbox in its own temp dir, the app started as `npm start`
 * runs it (no `aws` probe), and Chromium. `prepare` runs on the sandbox before the app starts; `env`
 * adds app settings that depend on the sandbox (extra connections pointing at it, say).
 */
export async function startStack(
  name: string,
  opts: { prepare?: (sandbox: Sandbox) => void; env?: (sandbox: Sandbox, dataDir: string) => Record<string, string> } = {},
): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `bucketscope-${name}-`));
  const sandbox = await startSandbox({ dataDir: path.join(dataDir, "sandbox"), port: 0, seed: true });
  opts.prepare?.(sandbox);
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  const app = await startApp({
    dataDir: path.join(dataDir, "app"),
    sandbox: { endpoint, accessKeyId, secretAccessKey, region },
    env: { BUCKETSCOPE_AWS: "off", ...opts.env?.(sandbox, dataDir) },
  });
  const browser = await launchBrowser();
  return {
    dataDir,
    sandbox,
    app,
    browser,
    page: browser.page,
    async close() {
      await browser.close();
      await app.stop();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
