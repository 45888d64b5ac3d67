import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { passSummarySchema, type PassSummary } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { OWNER_FILE } from "./index";

// Two real `npm start` processes on one data directory: the second refuses before it touches
// anything, so the first one's running pass keeps running; a crashed first one's claim is taken over.

let sandbox: Sandbox;
const apps: RunningApp[] = [];
const dataDir = tempDir("instance-lock");

beforeAll(async () => {
  sandbox = await startTestSandbox();
});

afterAll(async () => {
  for (const app of apps) await app.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => {
    for (const app of apps) console.error(`app ${app.pid} output (tail):\n${app.output().slice(-3000)}`);
  });
});

function launch(): Promise<RunningApp> {
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  return startApp({ dataDir, sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
}

async function summary(app: RunningApp, id: string): Promise<PassSummary> {
  const res = await fetch(`${app.url}/api/passes/${id}`);
  expect(res.status).toBe(200);
  return passSummarySchema.parse(await res.json());
}

describe("one server per data directory", () => {
  it("refuses a second server naming the first (pid, port), and leaves the first one's running pass alone", async () => {
    const first = await launch();
    apps.push(first);
    // 30 pages at 300 ms each: the pass is running while the second server tries to start.
    sandbox.faults.configure({ latencyMs: 300, bucket: "demo" });
    const created = await fetch(`${first.url}/api/passes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", pageSize: 100 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const before = await summary(first, id);
    expect(before.status).toBe("running");

    const port = new URL(first.url).port;
    await expect(launch()).rejects.toThrow(
      new RegExp(`another bucketscope server \\(pid ${first.pid}, port ${port}, started [^)]+\\) is already using the data directory`),
    );

    const during = await summary(first, id);
    expect(during.status).toBe("running");
    expect(during.totals.pages).toBeGreaterThanOrEqual(before.totals.pages);
    sandbox.faults.clear();
    let after = await summary(first, id);
    while (after.status === "running") {
      await sleep(100);
      after = await summary(first, id);
    }
    expect(after).toMatchObject({ status: "complete", totals: { keys: 3000 } });
  });

  it("takes over the claim of a server that died without releasing it", async () => {
    const first = apps.pop();
    if (!first) throw new Error("the first test did not start a server");
    await first.kill();
    const second = await launch();
    apps.push(second);
    const owner = JSON.parse(readFileSync(path.join(dataDir, OWNER_FILE), "utf8")) as { pid: number };
    expect(owner.pid).toBe(second.pid);
    expect((await fetch(`${second.url}/api/passes`)).status).toBe(200);
  });
});
