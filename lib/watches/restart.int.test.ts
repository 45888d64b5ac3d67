import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { putKeys, sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { passListResponseSchema, watchListResponseSchema, watchSchema, type PassSummary } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";

// A watch across restarts of the built app (scripts/start.ts, as `npm start` runs it): the schedule
// is in the database, and the start script starts it with the server, before anyone asks for it.

let sandbox: Sandbox;
let app: RunningApp | null = null;
const dataDir = tempDir("watch-restart");

async function launch(): Promise<RunningApp> {
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  return startApp({ dataDir, sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off", BUCKETSCOPE_MIN_WATCH_SECONDS: "1" } });
}

async function passesOf(bucket: string): Promise<PassSummary[]> {
  if (app === null) throw new Error("app not started");
  const res = await fetch(`${app.url}/api/passes?connection=sandbox&bucket=${bucket}&limit=1000`);
  return passListResponseSchema.parse(await res.json()).passes;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("watched");
  putKeys(sandbox, "watched", ["one", "two", "three"]);
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app?.output().slice(-4000) ?? ""}`));
});

describe("a watch and a restart of the server", () => {
  it("keeps producing passes after a crash (SIGKILL) and after a clean stop, without anyone opening the watches", async () => {
    app = await launch();
    const res = await fetch(`${app.url}/api/watches`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "watched", everySeconds: 2, pageSize: 1, keepPasses: 50 }),
    });
    expect(res.status).toBe(201);
    const watch = watchSchema.parse(await res.json());
    await until("two passes", () => passesOf("watched"), (ps) => ps.filter((p) => p.status === "complete").length >= 2);

    await app.kill();
    app = await launch();
    const started = app;
    await until("the schedule to start", () => Promise.resolve(started.output()), (out) => /watch schedule started \(1 watches\)/.test(out));
    // Only the passes API is read from here on: the schedule must have started by itself.
    const afterCrash = (await passesOf("watched")).length;
    await until("passes after the crash", () => passesOf("watched"), (ps) => ps.length >= afterCrash + 2 && ps[0]?.status !== "running");

    await app.stop();
    app = await launch();
    const afterStop = (await passesOf("watched")).length;
    const ps = await until("passes after the stop", () => passesOf("watched"), (xs) => xs.length >= afterStop + 2);
    // Never two at once: at most one of the watch's passes is running at any time.
    expect(ps.filter((p) => p.status === "running").length).toBeLessThanOrEqual(1);
    const starts = ps.map((p) => Date.parse(p.createdAt)).sort((x, y) => x - y);
    const ends = ps.map((p) => (p.endedAt !== null ? Date.parse(p.endedAt) : Number.POSITIVE_INFINITY)).sort((x, y) => x - y);
    for (let i = 1; i < starts.length; i++) expect(starts[i] as number).toBeGreaterThanOrEqual((ends[i - 1] as number) - 1);

    const list = watchListResponseSchema.parse(await (await fetch(`${app.url}/api/watches`)).json());
    expect(list.watches.map((w) => [w.id, w.state])).toEqual([[watch.id, "active"]]);
    expect(list.watches[0]?.passCount).toBeGreaterThanOrEqual(6);
  });
});
