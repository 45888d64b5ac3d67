import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { putKeys, sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import {
  diffEventSchema,
  diffSeekSchema,
  diffSummarySchema,
  diffWindowSchema,
  errorBodySchema,
  historyResponseSchema,
  keyHistoryResponseSchema,
  keyPrefixHistoryResponseSchema,
  passSummarySchema,
  watchListResponseSchema,
  watchSchema,
  type DiffEvent,
} from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";

// The diff, history and watches API of the built app (scripts/start.ts, as `npm start` runs it):
// NDJSON streaming, refusals before the first byte, and a clear error for every bad input.

let sandbox: Sandbox;
let app: RunningApp;
let a = "";
let b = "";
let elsewhere = "";

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string; type: string }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    // Every write is JSON, a body-less cancel or delete too (the gate answers 415 otherwise).
    headers: method !== "GET" ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // NDJSON, CSV or empty: kept as text
  }
  return { status: res.status, json, text, type: res.headers.get("content-type") ?? "" };
}

async function recordPass(bucket: string, pageSize = 1000): Promise<string> {
  const created = await call("POST", "/api/passes", { connection: "sandbox", bucket, pageSize });
  expect(created.status).toBe(201);
  const id = (created.json as { id: string }).id;
  for (;;) {
    const s = passSummarySchema.parse((await call("GET", `/api/passes/${id}`)).json);
    if (s.status !== "running") return id;
    await sleep(100);
  }
}

function expectError(r: { status: number; json: unknown }, status: number, code: string, message?: RegExp): void {
  expect(r.status).toBe(status);
  const body = errorBodySchema.parse(r.json);
  expect(body.error.code).toBe(code);
  if (message !== undefined) expect(body.error.message).toMatch(message);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("diff-api");
  putKeys(sandbox, "diff-api", ["a", "b", "c", "d"]);
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("diff-api"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
  a = await recordPass("diff-api", 2);
  sandbox.store.deleteObject("diff-api", "b");
  putKeys(sandbox, "diff-api", ["bb"]);
  b = await recordPass("diff-api", 2);
  elsewhere = await recordPass("photos");
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

describe("GET /api/diff", () => {
  it("streams NDJSON: the plan first, the changed keys in byte order, the summary last", async () => {
    const r = await call("GET", `/api/diff?a=${a}&b=${b}`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/application\/x-ndjson/);
    const events: DiffEvent[] = r.text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => diffEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => e.type)).toEqual(["start", "row", "row", "summary"]);
    expect(events.flatMap((e) => (e.type === "row" ? [[e.row.key, e.row.kind, e.row.a?.page ?? null, e.row.b?.page ?? null]] : []))).toEqual([
      ["b", "removed", 0, null],
      ["bb", "added", null, 0],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "summary", summary: { counts: { added: 1, removed: 1, unchanged: 3, pageShifts: 0 } } });

    const all = await call("GET", `/api/diff?a=${a}&b=${b}&only=all`);
    expect(all.text.trim().split("\n")).toHaveLength(1 + 5 + 1);
  });

  it("answers summaries, windows, seeks and exports", async () => {
    const summary = diffSummarySchema.parse((await call("GET", `/api/diff/summary?a=${a}&b=${b}`)).json);
    expect(summary.counts).toMatchObject({ added: 1, removed: 1, changed: 0, comparedA: 4, comparedB: 4 });
    const w = diffWindowSchema.parse((await call("GET", `/api/diff/rows?a=${a}&b=${b}&only=all&offset=0&limit=100`)).json);
    expect(w.items.filter((i) => i.type === "row").map((i) => (i.type === "row" ? i.key : ""))).toEqual(["a", "b", "bb", "c", "d"]);
    const seek = diffSeekSchema.parse((await call("GET", `/api/diff/seek?a=${a}&b=${b}&only=all&from=-1&dir=next`)).json);
    expect(seek.item).not.toBeNull();
    const csv = await call("GET", `/api/diff/export?a=${a}&b=${b}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/text\/csv/);
    expect(csv.text.split("\r\n").slice(1, 3).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["b,removed", "bb,added"]);
  });

  it("refuses other buckets with 409 before the first line, and compares them on request", async () => {
    expectError(await call("GET", `/api/diff?a=${a}&b=${elsewhere}`), 409, "incomparable_passes", /different buckets.*allowDifferentBuckets=true/);
    expectError(await call("GET", `/api/diff/summary?a=${a}&b=${elsewhere}`), 409, "incomparable_passes");
    const r = await call("GET", `/api/diff/summary?a=${a}&b=${elsewhere}&allowDifferentBuckets=true`);
    expect(r.status).toBe(200);
    expect(diffSummarySchema.parse(r.json)).toMatchObject({ differentTargets: true });
  });

  it("refuses an incomplete pass with 409 unless asked, and labels the comparison when asked", async () => {
    sandbox.faults.configure({ latencyMs: 300, bucket: "diff-api" });
    const created = await call("POST", "/api/passes", { connection: "sandbox", bucket: "diff-api", pageSize: 1 });
    const running = (created.json as { id: string }).id;
    try {
      expectError(await call("GET", `/api/diff?a=${a}&b=${running}`), 409, "incomplete_pass", /running, not complete/);
      const r = await call("GET", `/api/diff/summary?a=${a}&b=${running}&allowIncomplete=1`);
      expect(r.status).toBe(200);
      const s = diffSummarySchema.parse(r.json);
      expect(s.incomplete).toBe(true);
      expect(s.notes.join(" ")).toMatch(/Pass B is running, not complete/);
    } finally {
      sandbox.faults.clear();
      await call("DELETE", `/api/passes/${running}`);
    }
  });

  it("answers every bad input with a 4xx and a message", async () => {
    expectError(await call("GET", `/api/diff?b=${b}`), 400, "bad_request", /a: a pass id is required/);
    expectError(await call("GET", `/api/diff?a=../etc&b=${b}`), 400, "bad_request", /pass id/);
    expectError(await call("GET", `/api/diff?a=${a}&b=nopenope`), 404, "unknown_pass", /nopenope/);
    expectError(await call("GET", `/api/diff?a=${a}&b=${b}&only=some`), 400, "bad_request", /only must be changes or all/);
    expectError(await call("GET", `/api/diff?a=${a}&b=${b}&allowIncomplete=maybe`), 400, "bad_request");
    expectError(await call("GET", `/api/diff/export?a=${a}&b=${b}&format=xml`), 400, "bad_request", /format must be csv or ndjson/);
    expectError(await call("GET", `/api/diff/rows?a=${a}&b=${b}&limit=0`), 400, "bad_request", /limit/);
    expectError(await call("GET", `/api/diff/rows?a=${a}&b=${b}&offset=-3`), 400, "bad_request", /offset/);
    expectError(await call("GET", `/api/diff/seek?a=${a}&b=${b}&from=0&dir=up`), 400, "bad_request", /dir must be next or prev/);
    expectError(await call("GET", `/api/history?connection=sandbox&bucket=Bad_Bucket`), 400, "invalid_bucket_name");
    expectError(await call("GET", `/api/history?bucket=demo`), 400, "bad_request", /connection/);
  });
});

describe("GET /api/history", () => {
  it("lists the passes of a bucket/prefix oldest first with their changes", async () => {
    const h = historyResponseSchema.parse((await call("GET", "/api/history?connection=sandbox&bucket=diff-api")).json);
    const complete = h.points.filter((p) => p.pass.status === "complete");
    expect(complete.slice(0, 2).map((p) => [p.pass.id, p.changesState, p.changes?.added ?? null])).toEqual([
      [a, "first", null],
      [b, "ready", 1],
    ]);
    expect(h.series).toContainEqual(expect.objectContaining({ kind: "list", delimiter: null, pageSize: complete[0]?.pass.pageSize, startAfter: null }));
    const other = historyResponseSchema.parse((await call("GET", "/api/history?connection=sandbox&bucket=diff-api&kind=list&pageSize=7&delimiter=&startAfter=")).json);
    expect(other.points).toEqual([]);
    expectError(await call("GET", "/api/history?connection=sandbox&bucket=diff-api&pageSize=0"), 400, "invalid_page_size");
    // Both passes list a, c and d the same way: they share those entries.
    expect(h.disk.series.map((x) => [x.kind, x.delimiter, x.pageSize, x.passes])).toEqual(h.series.map((x) => [x.kind, x.delimiter, x.pageSize, x.passes]));
    expect(h.disk.bytes).toBe(h.disk.series.reduce((n, x) => n + x.bytes, 0));
    expect(h.disk.bytes).toBeGreaterThan(0);
    // Disk covers every series of the prefix, whichever one the query shows.
    expect(other.disk).toEqual(h.disk);
  });
});

describe("GET /api/history/key", () => {
  it("tells one key's story through the passes of its bucket/prefix", async () => {
    const r = await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&key=b");
    expect(r.status).toBe(200);
    const h = keyHistoryResponseSchema.parse(r.json);
    expect(h.key).toBe("b");
    expect(h.points.slice(0, 2).map((p) => [p.pass.id, p.state, p.change, p.entry?.page ?? null])).toEqual([
      [a, "listed", "first", 0],
      [b, "absent", "disappeared", null],
    ]);
    const bb = keyHistoryResponseSchema.parse((await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&key=bb")).json);
    expect(bb.points.slice(0, 2).map((p) => [p.state, p.change])).toEqual([
      ["absent", "first"],
      ["listed", "appeared"],
    ]);
  });

  it("lists, pass by pass, the keys under a prefix that appeared, changed or disappeared", async () => {
    const r = await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&keyPrefix=b");
    expect(r.status).toBe(200);
    const h = keyPrefixHistoryResponseSchema.parse(r.json);
    expect(h.keyPrefix).toBe("b");
    const [first, second] = h.points;
    expect([first?.pass.id, first?.state, second?.pass.id, second?.state, second?.previousId]).toEqual([a, "first", b, "compared", a]);
    expect(second?.counts).toEqual({ appeared: 1, disappeared: 1, changed: 0 });
    // Page indexes from 0, as every page field of the API: "b" was on A's first page, "bb" on B's.
    expect(second?.keys.map((k) => [k.kind, k.key, (k.b ?? k.a)?.page])).toEqual([
      ["removed", "b", 0],
      ["added", "bb", 0],
    ]);
    const one = keyPrefixHistoryResponseSchema.parse((await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&keyPrefix=b&keyLimit=1")).json);
    expect([one.points[1]?.keys.length, one.points[1]?.keysTruncated, one.points[1]?.counts.appeared]).toEqual([1, true, 1]);
    const none = keyPrefixHistoryResponseSchema.parse((await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&keyPrefix=c")).json);
    expect(none.points[1]?.counts).toEqual({ appeared: 0, disappeared: 0, changed: 0 });
  });

  it("answers bad input with a 4xx and a message", async () => {
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api"), 400, "bad_request", /key/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&key=b&keyPrefix=b"), 400, "bad_request", /not both/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&keyPrefix=b&keyLimit=0"), 400, "bad_request", /keyLimit must be between 1 and 1000/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&keyPrefix=b&keyLimit=x"), 400, "bad_request", /keyLimit/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&prefix=a&keyPrefix=b"), 400, "bad_request", /must begin with the prefix/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=Bad_Bucket&keyPrefix=b"), 400, "invalid_bucket_name");
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&key="), 400, "bad_request", /key/);
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=Bad_Bucket&key=b"), 400, "invalid_bucket_name");
    expectError(await call("GET", "/api/history/key?connection=sandbox&bucket=diff-api&key=b&limit=0"), 400, "bad_request", /limit/);
  });
});

describe("the watches API", () => {
  it("creates, lists, pauses and deletes a watch", async () => {
    const created = await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api", everySeconds: 3600, paused: true, keepDays: 7 });
    expect(created.status).toBe(201);
    const w = watchSchema.parse(created.json);
    expect(w).toMatchObject({ state: "paused", keepDays: 7, keepPasses: null, everySeconds: 3600, nextRunAt: null });
    const list = watchListResponseSchema.parse((await call("GET", "/api/watches?bucket=diff-api")).json);
    expect(list.watches.map((x) => x.id)).toContain(w.id);
    expect(watchSchema.parse((await call("PATCH", `/api/watches/${w.id}`, { everySeconds: 7200 })).json)).toMatchObject({ everySeconds: 7200, state: "paused" });
    expect(watchSchema.parse((await call("PATCH", `/api/watches/${w.id}`, { keepMegabytes: 500 })).json)).toMatchObject({ keepDays: 7, keepMegabytes: 500 });
    expect((await call("DELETE", `/api/watches/${w.id}`)).json).toEqual({ id: w.id, deleted: true, cancelledPassId: null });
    expectError(await call("GET", `/api/watches/${w.id}`), 404, "unknown_watch");
  });

  it("answers bad watch requests with a 4xx and a message", async () => {
    expectError(await call("POST", "/api/watches", "{not json"), 400, "bad_request", /JSON/);
    expectError(await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api", everySeconds: 0 }), 400, "bad_request", /at most every 1 s/);
    expectError(await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api" }), 400, "bad_request", /everySeconds/);
    expectError(await call("POST", "/api/watches", { connection: "sandbox", bucket: "Not A Bucket", everySeconds: 5 }), 400, "invalid_bucket_name");
    expectError(await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api", everySeconds: 5, pageSize: 5000 }), 400, "invalid_page_size");
    expectError(await call("POST", "/api/watches", { connection: "nowhere", bucket: "diff-api", everySeconds: 5 }), 404, "unknown_connection");
    expectError(await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api", everySeconds: 5, extra: 1 }), 400, "bad_request");
    expectError(await call("PATCH", "/api/watches/wnope", { state: "paused" }), 404, "unknown_watch");
    const w = watchSchema.parse((await call("POST", "/api/watches", { connection: "sandbox", bucket: "diff-api", everySeconds: 3600, paused: true })).json);
    expectError(await call("PATCH", `/api/watches/${w.id}`, {}), 400, "bad_request", /at least one/);
    expectError(await call("PATCH", `/api/watches/${w.id}`, { state: "sleeping" }), 400, "bad_request", /active or paused/);
    expectError(await call("PATCH", `/api/watches/${w.id}`, { keepPasses: null }), 400, "bad_request", /cannot drop all three/);
    expectError(await call("PATCH", `/api/watches/${w.id}`, { keepMegabytes: 0 }), 400, "bad_request", /keepMegabytes must be more than 0/);
    expectError(await call("DELETE", "/api/watches/wnope"), 404, "unknown_watch");
    await call("DELETE", `/api/watches/${w.id}`);
  });
});
