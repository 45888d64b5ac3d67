import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { lockDatabase, putKeys, sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { errorBodySchema, experimentDetailSchema, experimentEventSchema, passListResponseSchema, type ExperimentSummary } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";

// The limits and the internal_error answer of the built app (scripts/start.ts, as `npm start` runs
// it) over real HTTP, against a sandbox in this process. The experiment run-time limit is set small
// through its environment variable; every other limit is at its default.

let sandbox: Sandbox;
let app: RunningApp;
const dataDir = tempDir("limits-api");
const MiB = 1024 * 1024;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("slow");
  putKeys(sandbox, "slow", Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, "0")}`));
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({
    dataDir: path.join(dataDir, "app"),
    sandbox: { endpoint, accessKeyId, secretAccessKey, region },
    env: { BUCKETSCOPE_AWS: "off", BUCKETSCOPE_EXPERIMENT_MAX_SECONDS: "3" },
  });
});
afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});
beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app?.output().slice(-4000) ?? ""}`));
});

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${app.url}${url}`, {
    method,
    // Every write is JSON, a body-less cancel or delete too (the gate answers 415 otherwise).
    headers: method !== "GET" ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, json: text };
  }
}

function expectError(r: { status: number; json: unknown }, status: number, code: string, message: RegExp): void {
  expect(r.status).toBe(status);
  const body = errorBodySchema.parse(r.json);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

describe("limits over HTTP", () => {
  it("refuses a 9th concurrent pass with 429 too_many_passes and records nothing", async () => {
    sandbox.faults.configure({ latencyMs: 400, bucket: "slow" });
    try {
      const started = await Promise.all(Array.from({ length: 8 }, () => call("POST", "/api/passes", { connection: "sandbox", bucket: "slow", pageSize: 1 })));
      expect(started.map((r) => r.status)).toEqual(Array(8).fill(201));
      const ninth = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo" });
      expectError(ninth, 429, "too_many_passes", /^8 passes are running, the most this server runs at once \(BUCKETSCOPE_MAX_RUNNING_PASSES\)/);
      const listed = passListResponseSchema.parse((await call("GET", "/api/passes?limit=100")).json).passes;
      expect(listed).toHaveLength(8);
      expect(listed.every((p) => p.bucket === "slow")).toBe(true);
      for (const r of started) expect((await call("POST", `/api/passes/${(r.json as { id: string }).id}/cancel`)).status).toBe(200);
      // The slots are free again.
      const after = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo" });
      expect(after.status).toBe(201);
    } finally {
      sandbox.faults.clear();
    }
  });

  it("answers a JSON body over 1 MiB with 413 payload_too_large, with or without Content-Length", async () => {
    const body = (n: number) => `"${"x".repeat(n - 2)}"`;
    expectError(await call("POST", "/api/passes", body(MiB + 1)), 413, "payload_too_large", /larger than 1 MiB.*BUCKETSCOPE_MAX_JSON_BYTES/);
    // Exactly 1 MiB is read (and refused for what it says, not for its size).
    expectError(await call("POST", "/api/passes", body(MiB)), 400, "bad_request", /./);

    const bytes = new TextEncoder().encode(body(4 * MiB));
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, at + 256 * 1024));
        at += 256 * 1024;
      },
    });
    const res = await fetch(`${app.url}/api/watches`, { method: "POST", headers: { "Content-Type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expectError({ status: res.status, json: await res.json() }, 413, "payload_too_large", /larger than 1 MiB/);
    expect(passListResponseSchema.parse((await call("GET", "/api/passes?bucket=demo&limit=100")).json).passes).toHaveLength(1);
  });

  it("refuses a watch every 9 s, and takes one every 10 s", async () => {
    expectError(
      await call("POST", "/api/watches", { connection: "sandbox", bucket: "demo", everySeconds: 9, paused: true }),
      400,
      "bad_request",
      /^A watch runs at most every 10 s \(BUCKETSCOPE_MIN_WATCH_SECONDS\); 9 s is too often\.$/,
    );
    const ok = await call("POST", "/api/watches", { connection: "sandbox", bucket: "demo", everySeconds: 10, paused: true });
    expect(ok.status).toBe(201);
    const id = (ok.json as { id: string }).id;
    expectError(await call("PATCH", `/api/watches/${id}`, { everySeconds: 5 }), 400, "bad_request", /at most every 10 s/);
    expect((await call("DELETE", `/api/watches/${id}`)).status).toBe(200);
  });

  it("ends an experiment at BUCKETSCOPE_EXPERIMENT_MAX_SECONDS: failed with the reason, cleaned up, its stream ends", async () => {
    const created = await call("POST", "/api/experiments", { connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 20, pageSize: 1, rate: 20, latencyMs: 10_000 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const res = await fetch(`${app.url}/api/experiments/${id}/events`);
    const lines = (await res.text()).trim().split("\n").map((l) => experimentEventSchema.parse(JSON.parse(l)));
    const end = lines.at(-1);
    expect(end?.type).toBe("end");
    const s = (end as { experiment: ExperimentSummary }).experiment;
    expect(s).toMatchObject({ status: "failed", cleanedUp: true, error: { code: "time_limit", message: "Stopped after 3 s, the longest an experiment may run (BUCKETSCOPE_EXPERIMENT_MAX_SECONDS)." } });
    expect(Date.parse(s.endedAt ?? "") - Date.parse(s.createdAt)).toBeLessThan(30_000);
    expect(sandbox.store.snapshotPrefix("demo", s.prefix)).toEqual([]);
    expect(sandbox.faults.state.latencyMs).toBe(0);
    const detail = experimentDetailSchema.parse((await call("GET", `/api/experiments/${id}`)).json);
    expect(detail.experiment.status).toBe("failed");
  });
});

describe("an unexpected error", () => {
  it("answers internal_error with an id that the server log carries, never the internal message", async () => {
    // Another process holds the database's write lock past the server's busy timeout: a real "database is locked".
    const lock = lockDatabase(path.join(dataDir, "app"));
    let r: { status: number; json: unknown };
    try {
      r = await call("POST", "/api/watches", { connection: "sandbox", bucket: "demo", everySeconds: 60, paused: true });
    } finally {
      lock.release();
    }
    expect(r.status).toBe(500);
    const body = errorBodySchema.parse(r.json);
    expect(body.error.code).toBe("internal_error");
    expect(body.error.id).toMatch(/^[0-9a-f]{12}$/);
    expect(body.error.message).toContain(`(id ${body.error.id})`);
    expect(JSON.stringify(r.json)).not.toMatch(/locked|SQLITE|sqlite|\.db/);
    for (let i = 0; i < 50 && !app.output().includes(body.error.id ?? "?"); i++) await sleep(100);
    const logLine = app.output().split("\n").find((l) => l.includes(body.error.id ?? "?"));
    expect(logLine).toBeDefined();
    expect(app.output()).toMatch(/database is locked/);
  });
});
