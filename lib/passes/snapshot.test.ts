import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { diffPasses } from "@/lib/diff";
import { AppError } from "@/lib/http";
import type { Sandbox } from "@/lib/sandbox";
import type { DiffEvent, DiffRow, Entry, PageEvent, PassSummary } from "@/lib/wire";
import { exportPass } from "./export";
import type { PassService } from "./service";
import { PassStore } from "./store";
import { collect, serviceFor, sleep, startTestSandbox, tempDir } from "./testing/harness";

// Snapshot passes on the real sandbox over HTTP: a scripted history written at known whole-second
// times, rebuilt as of several T's, recorded, resumed, diffed against an ordinary pass.

let sandbox: Sandbox;
const services: PassService[] = [];
const BUCKET = "snap-history";
const ids: Record<string, string> = {};
const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };
const at = (iso: string) => new Date(iso);

function put(bucket: string, when: string, key: string, body: string, label?: string): void {
  const v = sandbox.store.writeAt(at(when), () => sandbox.store.putObject({ bucket, key, body: Buffer.from(body), meta }));
  if (label !== undefined) ids[label] = v.versionId;
}
function del(bucket: string, when: string, key: string, label?: string): void {
  const r = sandbox.store.writeAt(at(when), () => sandbox.store.deleteObject(bucket, key));
  if (label !== undefined && r.versionId !== undefined) ids[label] = r.versionId;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const s = sandbox.store;
  s.writeAt(at("2024-01-01T00:00:00Z"), () => s.createBucket(BUCKET));
  put(BUCKET, "2024-01-01T00:00:10Z", "before-versioning.txt", "old", "null");
  s.writeAt(at("2024-01-01T00:00:20Z"), () => s.setVersioning(BUCKET, "Enabled"));
  put(BUCKET, "2024-01-01T01:00:00Z", "a.txt", "a1", "a1");
  put(BUCKET, "2024-01-01T02:00:00Z", "a.txt", "a2-longer", "a2");
  put(BUCKET, "2024-01-01T03:00:00Z", "a.txt", "a3", "a3");
  put(BUCKET, "2024-01-01T01:30:00Z", "b.txt", "b1", "b1");
  del(BUCKET, "2024-01-01T02:30:00Z", "b.txt", "bDel");
  put(BUCKET, "2024-01-01T03:30:00Z", "b.txt", "b2!", "b2");
  put(BUCKET, "2024-01-01T02:15:00Z", "c/d e+f.txt", "hostile", "c1");
  // Written in exactly T_TIE's second: a tie for a snapshot as of T_TIE.
  put(BUCKET, "2024-01-01T02:00:00Z", "tie.txt", "t1", "t1");
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function service(dataDir?: string): PassService {
  const s = serviceFor(sandbox, dataDir);
  services.push(s);
  return s;
}

/** Every entry a pass recorded, in key order, through the whole-pass entries query. */
function entriesOf(passes: PassService, id: string): Entry[] {
  const out: Entry[] = [];
  let after: string | undefined;
  for (;;) {
    const res = passes.entries(id, { after, limit: 1000 });
    out.push(...res.entries.map(({ page: _page, ...e }) => e));
    if (res.nextAfter === null) return out;
    after = res.nextAfter;
  }
}

/** What two snapshots of the same T must share: all but the clock measured and when the cross-check ran. */
function comparable(s: PassSummary) {
  const { clock: _clock, crossCheck, ...rest } = s.snapshot ?? {};
  return { ...rest, crossCheck: crossCheck && { ...crossCheck, checkedAt: "" } };
}

const keyVersionSize = (entries: Entry[]) => entries.map((e) => [e.key, e.versionId, e.size]);

async function snapshot(passes: PassService, asOf: string | undefined, pageSize = 1000, bucket = BUCKET): Promise<PassSummary> {
  const id = await passes.create({ kind: "snapshot", asOf, connection: "sandbox", bucket, prefix: "", pageSize });
  const s = await passes.settled(id);
  expect(s.status, JSON.stringify(s.error)).toBe("complete");
  return s;
}

describe("snapshot passes", () => {
  it("record exactly the scripted bucket at several T's, with version ids and sizes", async () => {
    const passes = service();
    const expected: [string, [string, string | undefined, number][]][] = [
      ["2024-01-01T00:00:15Z", [["before-versioning.txt", "null", 3]]],
      [
        "2024-01-01T01:45:00Z",
        [
          ["a.txt", ids.a1, 2],
          ["b.txt", ids.b1, 2],
          ["before-versioning.txt", "null", 3],
        ],
      ],
      [
        "2024-01-01T02:45:00Z",
        [
          ["a.txt", ids.a2, 9],
          ["before-versioning.txt", "null", 3],
          ["c/d e+f.txt", ids.c1, 7],
          ["tie.txt", ids.t1, 2],
        ],
      ],
      [
        "2024-01-01T04:30:00Z",
        [
          ["a.txt", ids.a3, 2],
          ["b.txt", ids.b2, 3],
          ["before-versioning.txt", "null", 3],
          ["c/d e+f.txt", ids.c1, 7],
          ["tie.txt", ids.t1, 2],
        ],
      ],
    ];
    for (const [t, want] of expected) {
      const s = await snapshot(passes, t);
      expect(keyVersionSize(entriesOf(passes, s.id)), t).toEqual(want);
      expect(s.kind).toBe("snapshot");
      expect(s.totals.keys).toBe(want.length);
      expect(s.snapshot).toMatchObject({ asOf: new Date(t).toISOString(), asOfSource: "chosen", resolutionMs: 1000, versioning: "Enabled" });
    }
    const late = await snapshot(passes, "2024-01-01T02:45:00Z");
    // Every version and marker of the bucket was read; b.txt is deleted at 02:45 (absent), nothing else is.
    expect(late.snapshot).toMatchObject({ versions: 8, deleteMarkers: 1, nullVersions: 1, absentKeys: 1, ties: 0, earliestVersionedAt: "2024-01-01T01:00:00.000Z" });
    expect(late.snapshot?.warnings.join("\n")).toMatch(/1 key has only a null version .*before-versioning\.txt/);
    expect(late.snapshot?.warnings.join("\n")).not.toMatch(/T is before the oldest versioned write/);
    const early = await snapshot(passes, "2024-01-01T00:00:15Z");
    expect(early.snapshot?.warnings.join("\n")).toMatch(/T is before the oldest versioned write seen \(2024-01-01T01:00:00.000Z\)/);
  });

  it("reports a change in T's own second as a tie, in the summary and on the page", async () => {
    const passes = service();
    const s = await snapshot(passes, "2024-01-01T02:00:00.400Z");
    expect(s.snapshot?.ties).toBe(2);
    const pages = (await collect(passes.events(s.id, new AbortController().signal))).filter((e): e is PageEvent => e.type === "page");
    expect(pages.flatMap((p) => p.page.versions?.ties ?? [])).toEqual([
      { key: "a.txt", atT: { versionId: ids.a2, deleteMarker: false, lastModified: "2024-01-01T02:00:00.000Z" }, beforeT: { versionId: ids.a1, deleteMarker: false, lastModified: "2024-01-01T01:00:00.000Z" } },
      { key: "tie.txt", atT: { versionId: ids.t1, deleteMarker: false, lastModified: "2024-01-01T02:00:00.000Z" }, beforeT: null },
    ]);
    // Ties are recorded as before T: both keys are in the snapshot, at the version of T's second.
    expect(keyVersionSize(entriesOf(passes, s.id)).filter(([k]) => k === "a.txt" || k === "tie.txt")).toEqual([
      ["a.txt", ids.a2, 9],
      ["tie.txt", ids.t1, 2],
    ]);
    // Replayed entries carry their version ids, as the live ones did.
    expect(pages.flatMap((p) => p.entries).every((e) => typeof e.versionId === "string")).toBe(true);
    expect((await snapshot(passes, "2024-01-01T02:00:01Z")).snapshot?.ties).toBe(0);
  });

  it("gives the same entries and totals at page sizes 1 and 3 as in one page", async () => {
    const passes = service();
    const whole = await snapshot(passes, "2024-01-01T03:15:00Z");
    for (const size of [1, 3]) {
      const paged = await snapshot(passes, "2024-01-01T03:15:00Z", size);
      expect(entriesOf(passes, paged.id), `page size ${size}`).toEqual(entriesOf(passes, whole.id));
      expect(comparable(paged)).toEqual(comparable(whole));
      expect(paged.totals.pages).toBeGreaterThanOrEqual(3);
    }
  });

  it("resumes after a cancel with the same T and ends with the same entries and totals", async () => {
    const passes = service();
    const whole = await snapshot(passes, "2024-01-01T03:15:00Z");
    sandbox.faults.configure({ latencyMs: 150, bucket: BUCKET });
    const id = await passes.create({ kind: "snapshot", asOf: "2024-01-01T03:15:00Z", connection: "sandbox", bucket: BUCKET, prefix: "", pageSize: 2 });
    for (let i = 0; i < 100 && passes.summary(id).totals.pages < 3; i++) await sleep(20);
    const cancelled = await passes.cancel(id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.totals.pages).toBeGreaterThanOrEqual(3);
    sandbox.faults.clear();
    await passes.resume(id);
    const resumed = await passes.settled(id);
    expect(resumed.status).toBe("complete");
    expect(resumed.runs).toBe(2);
    const pages = (await collect(passes.events(id, new AbortController().signal))).filter((e): e is PageEvent => e.type === "page");
    expect(pages.filter((p) => p.page.resumedBy !== null).map((p) => [p.page.index, p.page.resumedBy])).toEqual([[cancelled.totals.pages, "start-after"]]);
    expect(entriesOf(passes, id)).toEqual(entriesOf(passes, whole.id));
    expect(comparable(resumed)).toEqual(comparable(whole));
  });

  it("keeps a snapshot whose first page fails retryably as a failed, resumable pass, like a list pass", async () => {
    const passes = service();
    sandbox.faults.failNext(1000, "InternalError", { bucket: BUCKET });
    const id = await passes.create({ kind: "snapshot", asOf: "2024-01-01T03:15:00Z", connection: "sandbox", bucket: BUCKET, prefix: "", pageSize: 3 });
    const failed = await passes.settled(id);
    expect(failed).toMatchObject({ kind: "snapshot", status: "failed", resumable: true, error: { retryable: true }, totals: { pages: 0, failedPages: 1 } });
    expect(failed.snapshot).toMatchObject({ asOf: "2024-01-01T03:15:00.000Z", versions: 0 });
    sandbox.faults.clear();
    await passes.resume(id);
    const done = await passes.settled(id);
    expect(done.status).toBe("complete");
    const whole = await snapshot(passes, "2024-01-01T03:15:00Z");
    expect(entriesOf(passes, id)).toEqual(entriesOf(passes, whole.id));
  });

  it("takes T from the pass's start when none is chosen, with the measured clock offset", async () => {
    const passes = service();
    const bucket = "snap-now";
    sandbox.store.createBucket(bucket);
    sandbox.store.setVersioning(bucket, "Enabled");
    put(bucket, "2024-05-01T00:00:00Z", "x", "x1", "x1");
    const s = await snapshot(passes, undefined, 1000, bucket);
    expect(s.snapshot?.asOfSource).toBe("start");
    const clock = s.snapshot?.clock;
    expect(clock).not.toBeNull();
    // One machine: no offset beyond the Date header's uncertainty, so T is the pass's start as is.
    expect(Math.abs(clock?.offsetMs ?? Infinity)).toBeLessThanOrEqual(clock?.uncertaintyMs ?? 0);
    expect(s.snapshot?.asOf).toBe(s.createdAt);
    expect(keyVersionSize(entriesOf(passes, s.id))).toEqual([["x", ids.x1, 2]]);
  });

  it("refuses a never-versioned bucket (409 not_versioned), an unknown one and a T to come, leaving no pass", async () => {
    const passes = service();
    sandbox.store.createBucket("snap-plain");
    put("snap-plain", "2024-01-01T00:00:00Z", "k", "v");
    const refusals: [Parameters<PassService["create"]>[0], string, RegExp][] = [
      [{ kind: "snapshot", connection: "sandbox", bucket: "snap-plain", prefix: "", pageSize: 1000 }, "not_versioned", /never had versioning enabled/],
      [{ kind: "snapshot", connection: "sandbox", bucket: "snap-missing", prefix: "", pageSize: 1000 }, "no_such_bucket", /snap-missing/],
      [
        { kind: "snapshot", asOf: new Date(Date.now() + 60_000).toISOString(), connection: "sandbox", bucket: BUCKET, prefix: "", pageSize: 1000 },
        "bad_request",
        /in the future/,
      ],
      [{ kind: "snapshot", delimiter: "/", connection: "sandbox", bucket: BUCKET, prefix: "", pageSize: 1000 }, "bad_request", /no delimiter/],
    ];
    for (const [params, code, message] of refusals) {
      const err = await passes.create(params).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(code);
      expect((err as AppError).message).toMatch(message);
    }
    expect(passes.list({ limit: 100 })).toEqual([]);
  });

  it("warns on a suspended bucket and still rebuilds it", async () => {
    const passes = service();
    const bucket = "snap-suspended";
    sandbox.store.createBucket(bucket);
    sandbox.store.setVersioning(bucket, "Enabled");
    put(bucket, "2024-01-01T00:00:00Z", "k", "v1", "k1");
    sandbox.store.setVersioning(bucket, "Suspended");
    const s = await snapshot(passes, "2024-06-01T00:00:00Z", 1000, bucket);
    expect(s.snapshot?.versioning).toBe("Suspended");
    expect(s.snapshot?.warnings.join("\n")).toMatch(/Versioning is suspended/);
    expect(keyVersionSize(entriesOf(passes, s.id))).toEqual([["k", ids.k1, 2]]);
  });

  it("exports version ids: a version_id CSV column and versionId in NDJSON", async () => {
    const passes = service();
    const s = await snapshot(passes, "2024-01-01T01:45:00Z");
    const csv = await new Response(exportPass(passes.store, s.id, "csv").body).text();
    expect(csv.split("\r\n")[0]).toBe("key,size,last_modified,etag,storage_class,page_number,version_id");
    expect(csv).toContain(`,${ids.a1}\r\n`);
    const ndjson = (await new Response(exportPass(passes.store, s.id, "ndjson").body).text()).trim().split("\n");
    expect(ndjson.map((l) => (JSON.parse(l) as Entry).versionId)).toEqual([ids.a1, ids.b1, "null"]);
  });
});

describe("the pass store", () => {
  it("adds the snapshot and version id columns to a data dir made before them", () => {
    const dir = tempDir("old-store");
    const file = path.join(dir, "bucketscope.db");
    const first = new PassStore(file);
    first.create({ id: "old", connection: "sandbox", bucket: "demo", prefix: "", delimiter: null, pageSize: 1000, startAfter: null });
    first.close();
    const db = new Database(file);
    for (const [table, column] of [["passes", "snapshot"], ["passes", "snapshot_state"], ["entries", "version_id"]] as const) {
      db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
    db.close();
    const store = new PassStore(file);
    try {
      expect(store.summary("old")).toMatchObject({ id: "old", kind: "list", snapshot: null });
      const columns = store.db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('entries')`).all();
      expect(columns.map((c) => c.name)).toContain("version_id");
    } finally {
      store.close();
    }
  });
});

describe("a snapshot diffed against an ordinary pass made while the bucket changed", () => {
  it("shows exactly the mutations ahead of the ordinary pass's cursor, none of those behind it", async () => {
    const passes = service();
    const bucket = "snap-race";
    const keys = Array.from({ length: 200 }, (_, i) => `k/${String(i).padStart(3, "0")}`);
    sandbox.store.createBucket(bucket);
    sandbox.store.setVersioning(bucket, "Enabled");
    sandbox.store.writeAt(at("2025-01-01T00:00:00Z"), () => {
      for (const key of keys) sandbox.store.putObject({ bucket, key, body: Buffer.from(`v1 ${key}`), meta });
    });
    sandbox.faults.configure({ latencyMs: 250, bucket });
    const ordinaryId = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 20 });
    const createdAt = Date.parse(passes.summary(ordinaryId).createdAt);
    // Out of T's second, so no mutation is a tie.
    await sleep(Math.max(0, createdAt + 1100 - Date.now()));
    const reached = passes.summary(ordinaryId);
    expect(reached.status).toBe("running");
    // The cursor is still in the first half (the request for the next page may be in flight).
    expect(reached.totals.pages).toBeGreaterThanOrEqual(1);
    expect(reached.totals.pages).toBeLessThanOrEqual(6);
    const live = (key: string, body: string) => sandbox.store.putObject({ bucket, key, body: Buffer.from(body), meta });
    // Behind the cursor: the ordinary pass has listed these keys already, and must not see the change.
    live("k/000a", "new behind");
    live("k/005", "overwritten behind, longer");
    sandbox.store.deleteObject(bucket, "k/010");
    // Ahead of it: the ordinary pass lists them after the change.
    live("k/150a", "new ahead");
    live("k/160", "overwritten ahead, longer");
    sandbox.store.deleteObject(bucket, "k/170");
    const ordinary = await passes.settled(ordinaryId);
    expect(ordinary.status).toBe("complete");
    sandbox.faults.clear();

    const snap = await snapshot(passes, ordinary.createdAt, 50, bucket);
    expect(snap.snapshot?.ties).toBe(0);
    expect(snap.totals.keys).toBe(200);
    const events: DiffEvent[] = [];
    for await (const e of diffPasses(passes.store, snap.id, ordinary.id)) events.push(e);
    const rows = events.flatMap((e): DiffRow[] => (e.type === "row" ? [e.row] : []));
    expect(rows.map((r) => [r.key, r.kind, r.changed])).toEqual([
      ["k/150a", "added", []],
      ["k/160", "changed", ["etag", "size", "lastModified"]],
      ["k/170", "removed", []],
    ]);
    const summary = events.at(-1);
    expect(summary?.type === "summary" ? summary.summary.counts : null).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 198 });
  }, 30_000);
});
