import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import {
  bucketsResponseSchema,
  connectionsResponseSchema,
  entriesResponseSchema,
  entriesWindowSchema,
  errorBodySchema,
  passEventSchema,
  passListResponseSchema,
  passSummarySchema,
  type PassEvent,
  type PassSummary,
} from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { bucketKeys, sleep, startTestSandbox, tempDir } from "./testing/harness";

// The HTTP API of the built app (scripts/start.ts, as `npm start` runs it) against a sandbox in this
// process.

let sandbox: Sandbox;
let app: RunningApp | null = null;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await app?.stop();
  await sandbox.close();
});
afterEach(() => {
  sandbox.faults.clear();
});

function sandboxEndpoint() {
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  return { endpoint, accessKeyId, secretAccessKey, region };
}

async function launch(dataDir: string): Promise<RunningApp> {
  return startApp({
    dataDir,
    sandbox: sandboxEndpoint(),
    env: {
      BUCKETSCOPE_AWS: "off",
      BUCKETSCOPE_CONNECTIONS: JSON.stringify([
        { name: "wrong-secret", endpoint: sandbox.endpoint, accessKeyId: sandbox.accessKeyId, secretAccessKey: "not-the-secret" },
        { name: "down", endpoint: "http://127.0.0.1:1", accessKeyId: "x", secretAccessKey: "y" },
      ]),
    },
  });
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  if (app === null) throw new Error("app not started");
  const res = await fetch(`${app.url}${path}`, {
    method,
    // Every write is JSON, a body-less cancel or delete too (the gate answers 415 otherwise).
    headers: method !== "GET" ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // NDJSON or empty: kept as text
  }
  return { status: res.status, json };
}

async function events(id: string): Promise<PassEvent[]> {
  if (app === null) throw new Error("app not started");
  const res = await fetch(`${app.url}/api/passes/${id}/events`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => passEventSchema.parse(JSON.parse(l)));
}

async function summary(id: string): Promise<PassSummary> {
  const { status, json } = await call("GET", `/api/passes/${id}`);
  expect(status).toBe(200);
  return passSummarySchema.parse(json);
}

async function until(id: string, done: (s: PassSummary) => boolean, timeoutMs = 60_000): Promise<PassSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await summary(id);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`pass ${id} did not get there: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

async function allKeys(id: string): Promise<string[]> {
  const keys: string[] = [];
  let after = "";
  for (;;) {
    const { status, json } = await call("GET", `/api/passes/${id}/entries?limit=1000&after=${encodeURIComponent(after)}`);
    expect(status).toBe(200);
    const page = entriesResponseSchema.parse(json);
    keys.push(...page.entries.map((e) => e.key));
    if (page.nextAfter === null) return keys;
    after = page.nextAfter;
  }
}

describe("the passes API", () => {
  let completeId = "";

  beforeAll(async () => {
    app = await launch(tempDir("api"));
  });

  it("lists connections without secrets, and the sandbox's buckets", async () => {
    const conns = await call("GET", "/api/connections");
    expect(conns.status).toBe(200);
    const parsed = connectionsResponseSchema.parse(conns.json);
    expect(parsed.connections.map((c) => [c.name, c.kind, c.writable])).toEqual([
      ["sandbox", "sandbox", true],
      ["wrong-secret", "s3-compatible", false],
      ["down", "s3-compatible", false],
    ]);
    expect(JSON.stringify(conns.json)).not.toContain(sandbox.secretAccessKey);

    const buckets = await call("GET", "/api/connections/sandbox/buckets");
    expect(buckets.status).toBe(200);
    const names = bucketsResponseSchema.parse(buckets.json).buckets.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(["demo", "photos", "unicode", "versioned"]));
  });

  it("records the demo pass: 201, 3 pages with boundaries obj_0999|obj_1000 and obj_1999|obj_2000", async () => {
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo" });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    completeId = id;
    const s = await until(id, (x) => x.status !== "running");
    expect(s).toMatchObject({ status: "complete", pageSize: 1000, totals: { pages: 3, keys: 3000 } });
    const ev = await events(id);
    expect(ev.map((e) => e.type)).toEqual(["pass", "page", "page", "page", "end"]);
    const pages = ev.flatMap((e) => (e.type === "page" ? [e] : []));
    expect(pages.map((p) => [p.page.firstKey, p.page.lastKey])).toEqual([
      ["obj_0000", "obj_0999"],
      ["obj_1000", "obj_1999"],
      ["obj_2000", "obj_2999"],
    ]);
    expect(pages.flatMap((p) => p.entries.map((e) => e.key))).toEqual(bucketKeys(sandbox, "demo"));
    expect(await allKeys(id)).toEqual(bucketKeys(sandbox, "demo"));
    const listed = await call("GET", "/api/passes?connection=sandbox&bucket=demo");
    expect((listed.json as { passes: PassSummary[] }).passes[0]?.id).toBe(id);
    const search = await call("GET", `/api/passes/${id}/entries?q=${encodeURIComponent("_200")}&limit=5`);
    expect(entriesResponseSchema.parse(search.json).entries.map((e) => [e.key, e.page])).toEqual([
      ["obj_2000", 2],
      ["obj_2001", 2],
      ["obj_2002", 2],
      ["obj_2003", 2],
      ["obj_2004", 2],
    ]);
    const next = await call("GET", `/api/passes/${id}/entries?q=${encodeURIComponent("_200")}&limit=5&after=obj_2004`);
    expect(entriesResponseSchema.parse(next.json)).toMatchObject({ entries: [{ key: "obj_2005" }, { key: "obj_2006" }, { key: "obj_2007" }, { key: "obj_2008" }, { key: "obj_2009" }], nextAfter: null });
    // The window form of a search of the finished pass, counted over the whole pass, from its end.
    const windowed = await call("GET", `/api/passes/${id}/entries?q=${encodeURIComponent("_2")}&offset=998&limit=5&order=desc`);
    expect(entriesWindowSchema.parse(windowed.json)).toMatchObject({ offset: 998, total: 1000, entries: [{ key: "obj_2001", page: 2 }, { key: "obj_2000", page: 2 }] });
  });

  const longPrefix = "\u20AC".repeat(342); // 1026 bytes of UTF-8 in 342 characters
  it.each([
    ["POST", "/api/passes", "{not json", 400, "bad_request", /JSON/],
    ["POST", "/api/passes", { connection: "nope", bucket: "demo" }, 404, "unknown_connection", /no connection named "nope"/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "Bad_Bucket" }, 400, "invalid_bucket_name", /bucket: a bucket name may only contain/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "ab" }, 400, "invalid_bucket_name", /at least 3 characters/],
    ["POST", "/api/passes", { connection: "sandbox" }, 400, "invalid_bucket_name", /a bucket name is required/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "no-such-bucket-here" }, 404, "no_such_bucket", /"no-such-bucket-here" does not exist/],
    ["POST", "/api/passes", { connection: "wrong-secret", bucket: "demo" }, 403, "access_denied", /signature/i],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", prefix: longPrefix }, 400, "invalid_prefix", /at most 1024 bytes/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 0 }, 400, "invalid_page_size", /between 1 and 1000/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 1001 }, 400, "invalid_page_size", /between 1 and 1000/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 2.5 }, 400, "invalid_page_size", /whole number/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: "many" }, 400, "invalid_page_size", /must be a number/],
    ["GET", "/api/passes?bucket=NO", undefined, 400, "invalid_bucket_name", /bucket/],
    ["GET", "/api/passes/nope", undefined, 404, "unknown_pass", /no pass with id "nope"/],
    ["GET", "/api/passes/nope/events", undefined, 404, "unknown_pass", /no pass/],
    ["GET", "/api/passes/nope/entries", undefined, 404, "unknown_pass", /no pass/],
    ["POST", "/api/passes/nope/resume", undefined, 404, "unknown_pass", /no pass/],
    ["DELETE", "/api/passes/nope", undefined, 404, "unknown_pass", /no pass/],
    ["GET", "/api/connections/nope/buckets", undefined, 404, "unknown_connection", /no connection named/],
    ["GET", "/api/connections/wrong-secret/buckets", undefined, 403, "access_denied", /signature/i],
    ["GET", "/api/connections/down/buckets", undefined, 502, "upstream_unreachable", /Could not reach the S3 endpoint of connection "down" \(ECONNREFUSED\)/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "demo", kind: "snapshot" }, 409, "not_versioned", /"demo" has never had versioning enabled.*no history/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "versioned", asOf: "2024-02-15T00:00:00Z" }, 400, "bad_request", /asOf is for snapshot passes/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "snapshot", delimiter: "/" }, 400, "bad_request", /takes no delimiter/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "snapshot", asOf: "2999-01-01T00:00:00Z" }, 400, "bad_request", /in the future/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "snapshot", asOf: "2024-02-15 00:00" }, 400, "bad_request", /ISO 8601 instant with a zone/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "picture" }, 400, "bad_request", /kind/],
    ["POST", "/api/passes", { connection: "sandbox", bucket: "no-such-bucket-here", kind: "snapshot" }, 404, "no_such_bucket", /"no-such-bucket-here" does not exist/],
  ])("%s %s %j answers %i %s", async (method, path, body, status, code, message) => {
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    const err = errorBodySchema.parse(res.json);
    expect(err.error.code).toBe(code);
    expect(err.error.message).toMatch(message);
  });

  it("records a snapshot pass of the seeded versioned bucket as of 2024-02-15T00:00:00Z", async () => {
    const T = "2024-02-15T00:00:00Z";
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "versioned", kind: "snapshot", asOf: T, pageSize: 2 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const s = await until(id, (x) => x.status !== "running");
    // From seedVersioned: notes.txt was deleted on 02-01, logs/2024-02.log and -03.log came later,
    // ghost.txt is only a delete marker; cat.jpg's delete marker was itself removed, so it is back.
    const expected: [key: string, lastModified: string, body: string][] = [
      ["config.json", "2024-01-15T11:00:00.000Z", '{"debug":false}\n'],
      ["draft.md", "2024-01-20T16:45:00.000Z", "# Draft 1\n"],
      ["legacy.txt", "2024-02-10T10:30:00.000Z", "rewritten after versioning was enabled\n"],
      ["logs/2024-01.log", "2024-01-31T23:59:00.000Z", "january\n"],
      ["photos/cat.jpg", "2024-01-25T20:00:00.000Z", "not really a cat\n"],
      ["report.csv", "2024-02-14T09:15:00.000Z", "month,total\njan,100\nfeb,140\n"],
    ];
    const versions = sandbox.store.listObjectVersions("versioned", { prefix: "", delimiter: "", maxKeys: 1000, keyMarker: "", versionIdMarker: "" }).entries;
    const versionAt = (key: string, lm: string) => versions.find((v) => v.key === key && v.lastModified.toISOString() === lm)?.versionId;
    expect(s).toMatchObject({
      kind: "snapshot",
      status: "complete",
      totals: { keys: expected.length, bytes: expected.reduce((n, [, , b]) => n + Buffer.byteLength(b), 0) },
      snapshot: { asOf: "2024-02-15T00:00:00.000Z", asOfSource: "chosen", versioning: "Enabled", ties: 0, absentKeys: 4, warnings: [] },
    });
    expect(s.snapshot?.clock).not.toBeNull();
    const entries: unknown[] = [];
    let after = "";
    for (;;) {
      const page = entriesResponseSchema.parse((await call("GET", `/api/passes/${id}/entries?limit=4&after=${encodeURIComponent(after)}`)).json);
      entries.push(...page.entries.map((e) => [e.key, e.versionId, e.lastModified, e.size]));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(entries).toEqual(expected.map(([key, lm, body]) => [key, versionAt(key, lm), lm, Buffer.byteLength(body)]));
    expect(expected.every(([key, lm]) => versionAt(key, lm) !== undefined && versionAt(key, lm) !== "null")).toBe(true);
    const ev = await events(id);
    const pages = ev.flatMap((e) => (e.type === "page" ? [e] : []));
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.every((p) => p.page.versions !== undefined)).toBe(true);
    expect(pages.flatMap((p) => p.entries.map((e) => e.key))).toEqual(expected.map(([k]) => k));
    const listed = passListResponseSchema.parse((await call("GET", "/api/passes?connection=sandbox&bucket=versioned")).json).passes;
    expect(listed.map((p) => [p.id, p.kind, p.snapshot?.asOf])).toEqual([[id, "snapshot", "2024-02-15T00:00:00.000Z"]]);
    // The refusals above left nothing behind.
    const demo = ((await call("GET", "/api/passes?connection=sandbox&bucket=demo")).json as { passes: PassSummary[] }).passes;
    expect(demo.every((p) => p.kind === "list" && p.snapshot === null)).toBe(true);
  });

  it("keeps a pass whose endpoint cannot be reached as failed and resumable (the request itself succeeds)", async () => {
    const created = await call("POST", "/api/passes", { connection: "down", bucket: "demo" });
    expect(created.status).toBe(201);
    const s = await summary((created.json as { id: string }).id);
    expect(s).toMatchObject({ status: "failed", resumable: true, error: { code: "upstream_unreachable", retryable: true }, totals: { failedPages: 1 } });
    expect(s.totals.requests).toBeGreaterThan(4);
  });

  it("answers entries with a bad limit with 400, and resume of a complete pass with 409", async () => {
    const bad = await call("GET", `/api/passes/${completeId}/entries?limit=0`);
    expect(bad.status).toBe(400);
    const resumed = await call("POST", `/api/passes/${completeId}/resume`);
    expect(resumed.status).toBe(409);
    const body = errorBodySchema.parse(resumed.json);
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toMatch(/complete/);
  });

  it("streams pages live, and a viewer that disconnects does not stop the pass", async () => {
    sandbox.faults.configure({ latencyMs: 60, bucket: "demo" });
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 100 });
    const id = (created.json as { id: string }).id;
    const controller = new AbortController();
    const res = await fetch(`${app?.url}/api/passes/${id}/events`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    const lines: PassEvent[] = [];
    while (lines.length < 4) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const l of parts) if (l !== "") lines.push(passEventSchema.parse(JSON.parse(l)));
    }
    expect(lines.map((l) => l.type).slice(0, 4)).toEqual(["pass", "page", "page", "page"]);
    expect((await summary(id)).status).toBe("running");
    controller.abort();
    sandbox.faults.clear();
    const s = await until(id, (x) => x.status !== "running");
    expect(s).toMatchObject({ status: "complete", totals: { pages: 30, keys: 3000 } });
  });

  it("cancels a running pass with DELETE, then deletes it", async () => {
    sandbox.faults.configure({ latencyMs: 100, bucket: "demo" });
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 100 });
    const id = (created.json as { id: string }).id;
    expect(await call("DELETE", `/api/passes/${id}`)).toEqual({ status: 200, json: { id, outcome: "cancelled" } });
    expect((await summary(id)).status).toBe("cancelled");
    expect(await call("DELETE", `/api/passes/${id}`)).toEqual({ status: 200, json: { id, outcome: "deleted" } });
    expect((await call("GET", `/api/passes/${id}`)).status).toBe(404);
  });
});

describe("a server killed mid-pass", () => {
  it("comes back with the pass interrupted; resume completes it exactly and completed passes are intact", async () => {
    await app?.stop();
    const dataDir = tempDir("kill");
    app = await launch(dataDir);
    const done = await call("POST", "/api/passes", { connection: "sandbox", bucket: "photos" });
    const doneId = (done.json as { id: string }).id;
    const doneBefore = await until(doneId, (s) => s.status === "complete");
    const photos = await allKeys(doneId);

    sandbox.faults.configure({ latencyMs: 150, bucket: "demo" });
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "demo", pageSize: 100 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    await until(id, (s) => s.totals.pages >= 4);
    await app.kill();

    app = await launch(dataDir);
    const interrupted = await summary(id);
    expect(interrupted).toMatchObject({ status: "interrupted", resumable: true });
    expect(interrupted.totals.pages).toBeGreaterThanOrEqual(4);
    expect(interrupted.totals.pages).toBeLessThan(30);

    sandbox.faults.clear();
    const resumed = await call("POST", `/api/passes/${id}/resume`);
    expect(resumed).toEqual({ status: 200, json: { id } });
    const finished = await until(id, (s) => s.status !== "running");
    expect(finished).toMatchObject({ status: "complete", runs: 2, totals: { pages: 30, keys: 3000, failedPages: 0, anomalies: 0 } });
    expect(await allKeys(id)).toEqual(bucketKeys(sandbox, "demo"));
    const ev = await events(id);
    expect(ev.filter((e) => e.type === "page").map((e) => (e.type === "page" ? e.page.index : -1))).toEqual([...Array(30).keys()]);

    expect(await summary(doneId)).toMatchObject({ status: "complete", totals: doneBefore.totals });
    expect(await allKeys(doneId)).toEqual(photos);
    expect(app.output()).not.toMatch(/checkpoint|unexpected error/);
  });
});
