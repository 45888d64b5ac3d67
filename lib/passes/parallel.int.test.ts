import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import {
  compareKeys,
  entriesResponseSchema,
  entriesWindowSchema,
  passEventSchema,
  passSummarySchema,
  watchListResponseSchema,
  watchSchema,
  type PassEvent,
  type PassSummary,
} from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { bucketKeys, putKeys, sleep, startTestSandbox, tempDir } from "./testing/harness";

// Parallel passes through the built app (scripts/start.ts, as `npm start` runs it): the API's
// concurrency, a SIGKILL in the middle of a parallel pass and its resume, watches with cursors.

let sandbox: Sandbox;
let app: RunningApp | null = null;
const keys = Array.from({ length: 4000 }, (_, i) => `k/${String(i).padStart(5, "0")}`);

async function launch(dataDir: string): Promise<RunningApp> {
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  return startApp({ dataDir, sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("wide");
  putKeys(sandbox, "wide", keys);
});
afterAll(async () => {
  await app?.stop();
  await sandbox.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  if (app === null) throw new Error("app not started");
  const res = await fetch(`${app.url}${path}`, {
    method,
    // Every write is JSON, a body-less resume or delete too (the gate answers 415 otherwise).
    headers: method !== "GET" ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : (JSON.parse(text) as unknown) };
}

async function summary(id: string): Promise<PassSummary> {
  const { status, json } = await call("GET", `/api/passes/${id}`);
  expect(status).toBe(200);
  return passSummarySchema.parse(json);
}

async function until(id: string, done: (s: PassSummary) => boolean, timeoutMs = 90_000): Promise<PassSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await summary(id);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`pass ${id} did not get there: ${JSON.stringify(s)}`);
    await sleep(50);
  }
}

async function allKeys(id: string): Promise<string[]> {
  const out: string[] = [];
  let after = "";
  for (;;) {
    const { json } = await call("GET", `/api/passes/${id}/entries?limit=1000&after=${encodeURIComponent(after)}`);
    const page = entriesResponseSchema.parse(json);
    out.push(...page.entries.map((e) => e.key));
    if (page.nextAfter === null) return out;
    after = page.nextAfter;
  }
}

async function events(id: string): Promise<PassEvent[]> {
  if (app === null) throw new Error("app not started");
  const text = await (await fetch(`${app.url}/api/passes/${id}/events`)).text();
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => passEventSchema.parse(JSON.parse(l)));
}

describe("parallel passes over HTTP", () => {
  beforeAll(async () => {
    app = await launch(tempDir("parallel-api"));
  });

  it("refuses a concurrency outside 1..64, not a number, or with a snapshot, before recording anything", async () => {
    for (const concurrency of [0, 65, 2.5, "8"]) {
      const res = await call("POST", "/api/passes", { connection: "sandbox", bucket: "wide", concurrency });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json)).toMatch(/concurrency/);
    }
    const snapshot = await call("POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "snapshot", concurrency: 4 });
    expect(snapshot.status).toBe(400);
    expect(JSON.stringify(snapshot.json)).toMatch(/one cursor/);
    const list = await call("GET", "/api/passes?bucket=wide");
    expect(list.json).toEqual({ passes: [] });
  });

  it("gives a watch its concurrency, keeps it, and starts its passes with it", async () => {
    const created = await call("POST", "/api/watches", { connection: "sandbox", bucket: "demo", everySeconds: 3600, pageSize: 500, concurrency: 4 });
    expect(created.status).toBe(201);
    const watch = watchSchema.parse(created.json);
    expect(watch.concurrency).toBe(4);
    const started = await (async () => {
      for (let i = 0; i < 600; i++) {
        const w = watchListResponseSchema.parse((await call("GET", "/api/watches?bucket=demo")).json).watches[0];
        if (w?.lastPass != null) return w.lastPass.id;
        await sleep(50);
      }
      throw new Error("the watch started no pass");
    })();
    expect(await until(started, (s) => s.status !== "running")).toMatchObject({ status: "complete", concurrency: 4, totals: { keys: 3000 } });
    const patched = await call("PATCH", `/api/watches/${watch.id}`, { concurrency: 2 });
    expect(watchSchema.parse(patched.json).concurrency).toBe(2);
    expect((await call("PATCH", `/api/watches/${watch.id}`, { concurrency: 100 })).status).toBe(400);
    expect((await call("DELETE", `/api/watches/${watch.id}`)).status).toBe(200);
  });
});

describe("a server killed in the middle of a parallel pass", () => {
  it("comes back with the pass interrupted; resume continues every range and lists exactly the bucket's keys", async () => {
    await app?.stop();
    const dataDir = tempDir("parallel-kill");
    app = await launch(dataDir);
    sandbox.faults.configure({ latencyMs: 40, bucket: "wide" });
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "wide", pageSize: 50, concurrency: 8 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    await until(id, (s) => (s.parallel?.ranges.listing ?? 0) >= 3 && s.totals.pages >= 10);
    await app.kill();

    app = await launch(dataDir);
    const interrupted = await summary(id);
    expect(interrupted).toMatchObject({ status: "interrupted", resumable: true, concurrency: 8 });
    expect(interrupted.totals.keys).toBeLessThan(keys.length);
    const before = interrupted.totals.pages + interrupted.totals.failedPages;

    sandbox.faults.configure({ latencyMs: 5 });
    expect(await call("POST", `/api/passes/${id}/resume`)).toEqual({ status: 200, json: { id } });
    const finished = await until(id, (s) => s.status !== "running");
    expect(finished).toMatchObject({ status: "complete", runs: 2, totals: { keys: keys.length, anomalies: 0, failedPages: 0 } });
    expect(finished.parallel?.ranges.listing).toBe(0);
    expect(await allKeys(id)).toEqual(bucketKeys(sandbox, "wide"));

    const pages = (await events(id)).flatMap((e) => (e.type === "page" ? [e.page] : []));
    expect(pages.map((p) => p.index)).toEqual([...pages.keys()]);
    expect(pages.every((p) => p.cursor !== undefined)).toBe(true);
    // Each range that had pages before the crash goes on from where its last recorded page ended.
    const ranges = new Set(pages.slice(0, before).map((p) => p.cursor?.range));
    for (const p of pages.slice(before)) {
      const earlier = pages.slice(0, before).filter((q) => q.cursor?.range === p.cursor?.range);
      if (earlier.length > 0 && p === pages.slice(before).find((q) => q.cursor?.range === p.cursor?.range)) {
        expect(p.resumedBy).not.toBeNull();
        expect(compareKeys(p.firstKey ?? "\u{10FFFF}", earlier.at(-1)?.lastKey ?? "")).toBeGreaterThan(0);
      }
    }
    expect(ranges.size).toBeGreaterThan(1);

    const window = entriesWindowSchema.parse((await call("GET", `/api/passes/${id}/entries?offset=1990&limit=20&sort=key`)).json);
    expect(window).toMatchObject({ offset: 1990, total: keys.length, listingOrder: true });
    expect(window.entries.map((e) => e.key)).toEqual(keys.slice(1990, 2010));
    const csv = await (await fetch(`${app.url}/api/passes/${id}/export?format=csv`)).text();
    expect(csv.split("\r\n").slice(1, -1).map((line) => line.split(",")[0])).toEqual(keys);
    expect(app.output()).not.toMatch(/unexpected error/);
  });
});
