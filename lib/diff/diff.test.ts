import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/http";
import type { PassService } from "@/lib/passes";
import { serviceFor, startTestSandbox } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { UNICODE_DEMO_KEYS } from "@/lib/sandbox/seed";
import { diffEventSchema, type DiffEvent, type DiffItem, type DiffRow, type DiffRowItem } from "@/lib/wire";
import { diffPasses, DiffService, history } from "./index";

// The diff engine on a real sandbox and a real pass store: passes are recorded over HTTP, the bucket
// is changed through the sandbox's store, and the comparison must name exactly what changed.

let sandbox: Sandbox;
const services: PassService[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

const T0 = new Date("2025-01-01T00:00:00.000Z");
const T1 = new Date("2025-02-01T00:00:00.000Z");
const meta = (storageClass = "STANDARD") => ({ contentType: "text/plain", userMetadata: {}, storageClass });

function setup(): { passes: PassService; diff: DiffService } {
  const passes = serviceFor(sandbox);
  services.push(passes);
  return { passes, diff: new DiffService(passes.store) };
}

let bucketCounter = 0;
function freshBucket(keys: readonly string[], at = T0): string {
  const bucket = `diff-${++bucketCounter}-${Date.now().toString(36)}`;
  sandbox.store.createBucket(bucket);
  sandbox.store.writeAt(at, () => {
    for (const key of keys) sandbox.store.putObject({ bucket, key, body: Buffer.from(`v1 ${key}`), meta: meta() });
  });
  return bucket;
}

function put(bucket: string, key: string, body: string, at: Date, storageClass = "STANDARD"): void {
  sandbox.store.writeAt(at, () => sandbox.store.putObject({ bucket, key, body: Buffer.from(body), meta: meta(storageClass) }));
}

async function pass(passes: PassService, bucket: string, pageSize: number, prefix = "", delimiter?: string): Promise<string> {
  const id = await passes.create({ connection: "sandbox", bucket, prefix, pageSize, delimiter });
  expect((await passes.settled(id)).status).toBe("complete");
  return id;
}

async function collect(events: AsyncIterable<DiffEvent>): Promise<DiffEvent[]> {
  const out: DiffEvent[] = [];
  for await (const e of events) out.push(diffEventSchema.parse(e));
  return out;
}

function rowsOf(events: DiffEvent[]): DiffRow[] {
  return events.flatMap((e) => (e.type === "row" ? [e.row] : []));
}

function summaryOf(events: DiffEvent[]) {
  const last = events.at(-1);
  if (last?.type !== "summary") throw new Error(`the last line is ${last?.type}, not the summary`);
  return last.summary;
}

const byteOrder = (xs: readonly string[]) => [...xs].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
const pageOfKey = (keys: readonly string[], pageSize: number) => new Map(byteOrder(keys).map((k, i) => [k, Math.floor(i / pageSize)]));
const seq = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("comparing two passes of one bucket", () => {
  it("lists exactly the added, removed and overwritten keys, with the fields that changed and each key's page in both passes", async () => {
    const { passes, diff } = setup();
    const before = seq(2500, (i) => `k/${String(i).padStart(4, "0")}`);
    const bucket = freshBucket(before);
    const a = await pass(passes, bucket, 1000);

    put(bucket, "k/0000a", "new", T1);
    put(bucket, "k/9999", "new at the end", T1);
    sandbox.store.deleteObject(bucket, "k/0100");
    sandbox.store.deleteObject(bucket, "k/1999");
    put(bucket, "k/0700", "a longer body than before", T1);
    put(bucket, "k/1500", "v1 k/1500", T0, "STANDARD_IA");
    put(bucket, "k/0800", "v1 k/0800", T0);
    const after = byteOrder([...before.filter((k) => k !== "k/0100" && k !== "k/1999"), "k/0000a", "k/9999"]);
    const b = await pass(passes, bucket, 1000);

    const events = await collect(diffPasses(passes.store, a, b));
    expect(events[0]?.type).toBe("start");
    const rows = rowsOf(events);
    expect(rows.map((r) => [r.key, r.kind, r.changed])).toEqual([
      ["k/0000a", "added", []],
      ["k/0100", "removed", []],
      ["k/0700", "changed", ["etag", "size", "lastModified"]],
      ["k/1500", "changed", ["storageClass"]],
      ["k/1999", "removed", []],
      ["k/9999", "added", []],
    ]);
    const k0700 = rows[2];
    expect(k0700?.a).toMatchObject({ size: "v1 k/0700".length, lastModified: T0.toISOString(), storageClass: "STANDARD" });
    expect(k0700?.b).toMatchObject({ size: "a longer body than before".length, lastModified: T1.toISOString(), storageClass: "STANDARD" });
    expect(k0700?.a?.etag).not.toBe(k0700?.b?.etag);
    expect(rows[3]?.a?.storageClass).toBe("STANDARD");
    expect(rows[3]?.b?.storageClass).toBe("STANDARD_IA");

    const pagesA = pageOfKey(before, 1000);
    const pagesB = pageOfKey(after, 1000);
    for (const r of rows) {
      expect(r.a?.page ?? null).toBe(pagesA.get(r.key) ?? null);
      expect(r.b?.page ?? null).toBe(pagesB.get(r.key) ?? null);
    }
    const shifted = before.filter((k) => pagesB.has(k) && pagesA.get(k) !== pagesB.get(k)).length;
    expect(shifted).toBeGreaterThan(0);

    const summary = summaryOf(events);
    expect(summary.counts).toEqual({
      added: 2,
      removed: 2,
      changed: 2,
      unchanged: 2496,
      comparedA: 2500,
      comparedB: 2500,
      fields: { etag: 1, size: 1, lastModified: 1, storageClass: 1 },
      pageShifts: shifted,
    });
    expect(summary).toMatchObject({ incomplete: false, differentTargets: false, notes: [], coverage: { prefix: "", narrowed: false } });
    expect(await diff.summary({ a, b, allowIncomplete: false, allowDifferentBuckets: false })).toEqual(summary);
  });

  it("with only=all streams every key of both passes once, in UTF-8 byte order, and the summary line last", async () => {
    const { passes } = setup();
    const bucket = freshBucket(seq(50, (i) => `f${String(i).padStart(2, "0")}`));
    const a = await pass(passes, bucket, 7);
    sandbox.store.deleteObject(bucket, "f10");
    put(bucket, "f10x", "x", T1);
    const b = await pass(passes, bucket, 7);
    const events = await collect(diffPasses(passes.store, a, b, { only: "all" }));
    expect(events.map((e) => e.type)).toEqual(["start", ...seq(51, () => "row"), "summary"]);
    const keys = rowsOf(events).map((r) => r.key);
    expect(keys).toEqual(byteOrder([...seq(50, (i) => `f${String(i).padStart(2, "0")}`), "f10x"]));
    expect(rowsOf(events).filter((r) => r.kind !== "unchanged").map((r) => [r.key, r.kind])).toEqual([
      ["f10", "removed"],
      ["f10x", "added"],
    ]);
  });

  it("orders hostile keys by UTF-8 bytes, not JavaScript strings: astral characters after U+FFxx, control characters first", async () => {
    const { passes } = setup();
    const bucket = freshBucket(UNICODE_DEMO_KEYS);
    const a = await pass(passes, bucket, 5);
    const added = ["order/\u{1F601}", "order/\uFF22", "\u0001control", "tab\tafter", "=formula"];
    for (const k of added) put(bucket, k, "new", T1);
    sandbox.store.deleteObject(bucket, "order/a b");
    put(bucket, "emoji-\u{1F600}.txt", "rewritten", T1);
    const b = await pass(passes, bucket, 5);

    const rows = rowsOf(await collect(diffPasses(passes.store, a, b, { only: "all" })));
    const union = byteOrder([...UNICODE_DEMO_KEYS, ...added]);
    expect(rows.map((r) => r.key)).toEqual(union);
    // JavaScript's sort would put U+1F601 (a surrogate pair) before U+FF22.
    expect(union.indexOf("order/\uFF22")).toBeLessThan(union.indexOf("order/\u{1F601}"));
    expect(rows.filter((r) => r.kind === "added").map((r) => r.key)).toEqual(byteOrder(added));
    expect(rows.filter((r) => r.kind === "removed").map((r) => r.key)).toEqual(["order/a b"]);
    expect(rows.filter((r) => r.kind === "changed").map((r) => [r.key, r.changed])).toEqual([["emoji-\u{1F600}.txt", ["etag", "size", "lastModified"]]]);
  });

  it("exports the changes as CSV with formula-looking keys neutralised, and as NDJSON rows", async () => {
    const { passes, diff } = setup();
    const bucket = freshBucket(["plain", "with,comma"]);
    const a = await pass(passes, bucket, 1000);
    put(bucket, "=HYPERLINK(1)", "x", T1);
    put(bucket, "with,comma", "changed", T1);
    const b = await pass(passes, bucket, 1000);
    const q = { a, b, only: "changes" as const, allowIncomplete: false, allowDifferentBuckets: false };
    const csv = await new Response(diff.exportDiff(q, "csv").body).text();
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("key,kind,changed,a_page_number,b_page_number,a_size,b_size,a_last_modified,b_last_modified,a_etag,b_etag,a_storage_class,b_storage_class");
    expect(lines[1]).toMatch(/^'=HYPERLINK\(1\),added,,,1,,1,,2025-02-01T00:00:00.000Z,,"""[0-9a-f]{32}""",,STANDARD$/);
    expect(lines[2]).toMatch(/^"with,comma",changed,etag size lastModified,1,1,/);
    expect(lines.at(-1)).toBe("");
    const ndjson = await new Response(diff.exportDiff(q, "ndjson").body).text();
    expect(ndjson.trim().split("\n").map((l) => (JSON.parse(l) as DiffRow).key)).toEqual(["=HYPERLINK(1)", "with,comma"]);
  });
});

describe("page shifts", () => {
  it("draws each pass's own page boundaries: a key inserted at the front moves B's boundaries one key earlier", async () => {
    const { passes, diff } = setup();
    const keys = seq(30, (i) => `k${String(i).padStart(2, "0")}`);
    const bucket = freshBucket(keys);
    const a = await pass(passes, bucket, 10);
    put(bucket, "a-first", "new", T1);
    const b = await pass(passes, bucket, 10);

    const q = { a, b, allowIncomplete: false, allowDifferentBuckets: false };
    const view = await diff.window({ ...q, only: "all", offset: 0, limit: 1000 });
    expect(view).toMatchObject({ rows: 31, total: view.items.length });
    // What the compare view draws, top to bottom: bands as "A:p/B:p", rows as their keys.
    const drawn = view.items.map((it) => (it.type === "band" ? `A:${it.a?.page ?? "-"}/B:${it.b?.page ?? "-"}` : it.key));
    expect(drawn).toEqual([
      "A:-/B:0",
      "a-first",
      "A:0/B:-",
      ...keys.slice(0, 9),
      "A:-/B:1",
      "k09",
      "A:1/B:-",
      ...keys.slice(10, 19),
      "A:-/B:2",
      "k19",
      "A:2/B:-",
      ...keys.slice(20, 29),
      "A:-/B:3",
      "k29",
    ]);
    const bands = view.items.filter((it): it is Extract<DiffItem, { type: "band" }> => it.type === "band");
    expect(bands.every((band) => [band.a, band.b].every((s) => s === null || s.begins))).toBe(true);
    expect(bands[2]?.b).toMatchObject({ page: 1, firstKey: "k09", lastKey: "k18", entryCount: 10, begins: true });

    const rows = view.items.filter((it): it is DiffRowItem => it.type === "row");
    expect(rows.find((r) => r.key === "k09")).toMatchObject({ kind: "unchanged", a: { page: 0 }, b: { page: 1 }, row: 10 });
    const summary = await diff.summary(q);
    expect(summary.counts).toMatchObject({ added: 1, unchanged: 30, pageShifts: 3 });

    // Random access: any window equals the same slice of the whole view.
    for (const [offset, limit] of [
      [5, 7],
      [11, 3],
      [30, 100],
    ] as const) {
      const w = await diff.window({ ...q, only: "all", offset, limit });
      expect(w.items).toEqual(view.items.slice(offset, offset + limit));
    }

    const changes = await diff.window({ ...q, only: "changes", offset: 0, limit: 100 });
    expect(changes.items.map((it) => (it.type === "band" ? "band" : it.key))).toEqual(["band", "a-first"]);
    expect(changes).toMatchObject({ rows: 1, total: 2 });
  });

  it("jumps to the next and previous change from any row of the aligned view", async () => {
    const { passes, diff } = setup();
    const keys = seq(40, (i) => `k${String(i).padStart(2, "0")}`);
    const bucket = freshBucket(keys);
    const a = await pass(passes, bucket, 10);
    sandbox.store.deleteObject(bucket, "k05");
    put(bucket, "k25", "changed", T1);
    const b = await pass(passes, bucket, 10);
    const q = { a, b, allowIncomplete: false, allowDifferentBuckets: false, only: "all" as const };
    const view = await diff.window({ ...q, offset: 0, limit: 1000 });
    const itemOf = (key: string) => view.items.findIndex((it) => it.type === "row" && it.key === key);

    expect(await diff.seek({ ...q, from: -1, dir: "next" })).toEqual({ item: itemOf("k05") });
    expect(await diff.seek({ ...q, from: itemOf("k05"), dir: "next" })).toEqual({ item: itemOf("k25") });
    expect(await diff.seek({ ...q, from: itemOf("k25"), dir: "next" })).toEqual({ item: null });
    expect(await diff.seek({ ...q, from: itemOf("k30"), dir: "prev" })).toEqual({ item: itemOf("k25") });
    expect(await diff.seek({ ...q, from: itemOf("k25"), dir: "prev" })).toEqual({ item: itemOf("k05") });
    expect(await diff.seek({ ...q, from: itemOf("k05"), dir: "prev" })).toEqual({ item: null });

    const changes = await diff.window({ ...q, only: "changes", offset: 0, limit: 100 });
    expect(changes.items.map((it) => (it.type === "band" ? `A:${it.a?.page ?? "-"}/B:${it.b?.page ?? "-"}` : it.key))).toEqual([
      "A:0/B:-",
      "k05",
      "A:2/B:2",
      "k25",
    ]);
    expect(await diff.seek({ ...q, only: "changes", from: 1, dir: "next" })).toEqual({ item: 3 });
  });
});

describe("passes that do not cover the same keys", () => {
  it("compares over the longer prefix and says so; keys outside it are neither added nor removed", async () => {
    const { passes, diff } = setup();
    const bucket = freshBucket(["top.txt", "logs/1", "logs/2", "other/x"]);
    const a = await pass(passes, bucket, 1000);
    put(bucket, "logs/3", "new", T1);
    sandbox.store.deleteObject(bucket, "other/x");
    const b = await pass(passes, bucket, 1000, "logs/");
    const events = await collect(diffPasses(passes.store, a, b));
    expect(rowsOf(events).map((r) => [r.key, r.kind])).toEqual([["logs/3", "added"]]);
    const summary = summaryOf(events);
    expect(summary.coverage).toMatchObject({ prefix: "logs/", narrowed: true });
    expect(summary.counts).toMatchObject({ comparedA: 2, comparedB: 3, unchanged: 2 });
    expect(summary.notes.join(" ")).toContain('only keys under "logs/" are compared');

    const elsewhere = await pass(passes, bucket, 1000, "top");
    const err = await refusal(diff.summary({ a: b, b: elsewhere, allowIncomplete: false, allowDifferentBuckets: true }));
    expect(err).toMatchObject({ code: "incomparable_passes", status: 409 });
    expect(err.message).toContain("no key can be in both");
  });

  it("compares a pass that rolls keys up by '/' with a flat one over the keys both list", async () => {
    const { passes } = setup();
    const bucket = freshBucket(["a.txt", "b.txt", "dir/1", "dir/2"]);
    const flat = await pass(passes, bucket, 1000);
    put(bucket, "dir/3", "deeper", T1);
    put(bucket, "c.txt", "top level", T1);
    const folders = await pass(passes, bucket, 1000, "", "/");
    const events = await collect(diffPasses(passes.store, flat, folders));
    expect(rowsOf(events).map((r) => [r.key, r.kind])).toEqual([["c.txt", "added"]]);
    expect(summaryOf(events).counts).toMatchObject({ comparedA: 2, comparedB: 3 });
    expect(summaryOf(events).coverage).toMatchObject({ delimiter: "/", narrowed: true });
    expect(summaryOf(events).notes.join(" ")).toContain("rolls keys up");
  });

  it("refuses passes of different buckets unless asked, then labels the comparison", async () => {
    const { passes, diff } = setup();
    const one = freshBucket(["same", "only-one"]);
    const two = freshBucket(["same", "only-two"]);
    const a = await pass(passes, one, 1000);
    const b = await pass(passes, two, 1000);
    const err = await refusal(diff.summary({ a, b, allowIncomplete: false, allowDifferentBuckets: false }));
    expect(err).toMatchObject({ code: "incomparable_passes", status: 409 });
    expect(err.message).toContain(`sandbox/${one}`);
    expect(err.message).toContain("allowDifferentBuckets=true");
    const summary = await diff.summary({ a, b, allowIncomplete: false, allowDifferentBuckets: true });
    expect(summary).toMatchObject({ differentTargets: true, counts: { added: 1, removed: 1, unchanged: 1 } });
    expect(summary.notes[0]).toMatch(/^Different buckets/);
    await expect(diff.summary({ a, b: "no-such-pass", allowIncomplete: false, allowDifferentBuckets: false })).rejects.toMatchObject({
      code: "unknown_pass",
    });
  });

  it("refuses an interrupted pass unless asked, then compares only up to where it stopped and says it is incomplete", async () => {
    const { passes, diff } = setup();
    const keys = seq(60, (i) => `k${String(i).padStart(2, "0")}`);
    const bucket = freshBucket(keys);
    const complete = await pass(passes, bucket, 10);
    put(bucket, "k05", "changed", T1);
    put(bucket, "k55", "changed beyond the stop", T1);

    sandbox.faults.configure({ latencyMs: 150, bucket });
    const cut = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 10 });
    // A crash mid-pass: the next start marks running passes interrupted (PassService does it on open).
    passes.store.interruptOrphans();
    await passes.remove(cut);
    sandbox.faults.clear();
    const stopped = passes.summary(cut);
    expect(stopped.status).toBe("interrupted");
    expect(stopped.totals.keys).toBeGreaterThan(0);
    expect(stopped.totals.keys).toBeLessThan(60);
    const lastListed = keys[stopped.totals.keys - 1] as string;

    const err = await refusal(diff.summary({ a: complete, b: cut, allowIncomplete: false, allowDifferentBuckets: false }));
    expect(err).toMatchObject({ code: "incomplete_pass", status: 409 });
    expect(err.message).toContain("interrupted");

    const events = await collect(diffPasses(passes.store, complete, cut, { allowIncomplete: true }));
    const summary = summaryOf(events);
    expect(summary).toMatchObject({ incomplete: true, coverage: { through: lastListed, narrowed: true } });
    expect(summary.notes.join(" ")).toContain(`Pass B is interrupted, not complete: only keys up to "${lastListed}"`);
    expect(summary.counts.removed).toBe(0);
    expect(summary.counts.comparedA).toBe(stopped.totals.keys);
    expect(rowsOf(events).map((r) => [r.key, r.kind])).toEqual([["k05", "changed"]]);
  });
});

describe("the history of a prefix", () => {
  it("compares each complete pass with the complete one before it, keeps the counts, and labels the others", async () => {
    const { passes, diff } = setup();
    const bucket = freshBucket(seq(20, (i) => `k${String(i).padStart(2, "0")}`));
    const first = await pass(passes, bucket, 10);
    put(bucket, "k99", "new", T1);
    const second = await pass(passes, bucket, 10);
    sandbox.faults.failNext(100, "InternalError", { bucket });
    const failed = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 10 }).catch(() => null);
    sandbox.faults.clear();
    sandbox.store.deleteObject(bucket, "k00");
    sandbox.store.deleteObject(bucket, "k01");
    const third = await pass(passes, bucket, 10);

    const timeline = await history(diff).timeline({ connection: "sandbox", bucket, prefix: "", limit: 200 });
    const points = timeline.points.map((p) => [p.pass.id, p.previousId, p.changesState, p.changes?.added ?? null, p.changes?.removed ?? null]);
    const failedPoint = failed !== null ? [[failed, second, "incomplete", null, null]] : [];
    expect(points).toEqual([
      [first, null, "first", null, null],
      [second, first, "ready", 1, 0],
      ...failedPoint,
      [third, second, "ready", 0, 2],
    ]);
    expect(timeline.truncated).toBe(false);
    // Stored: the next load reads the counts without comparing again.
    expect(diff.storedCounts(diff.plan(second, third, {}))?.removed).toBe(2);
  });

  it("keeps one series per setting: page shifts are counted only between passes of one page size, \"first\" is first of its series", async () => {
    const { passes, diff } = setup();
    const bucket = freshBucket(seq(30, (i) => `k${String(i).padStart(2, "0")}`));
    const flat10 = await pass(passes, bucket, 10);
    const flat5 = await pass(passes, bucket, 5);
    const folders10 = await pass(passes, bucket, 10, "", "/");
    // Two keys at the front push every later key two slots on; which keys cross a page boundary
    // depends on the page size, so each series is checked against its own page size.
    put(bucket, "a0", "new", T1);
    put(bucket, "a1", "new", T1);
    const flat10Again = await pass(passes, bucket, 10);
    const flat5Again = await pass(passes, bucket, 5);

    const h = history(diff);
    const all = await h.timeline({ connection: "sandbox", bucket, prefix: "", limit: 200 });
    expect(all.points.map((p) => [p.pass.id, p.previousId, p.changesState])).toEqual([
      [flat10, null, "first"],
      [flat5, null, "first"],
      [folders10, null, "first"],
      [flat10Again, flat10, "ready"],
      [flat5Again, flat5, "ready"],
    ]);
    const shiftsOf = (id: string) => all.points.find((p) => p.pass.id === id)?.changes?.pageShifts;
    const pageOf = (keys: string[], size: number) => new Map(byteOrder(keys).map((k, i) => [k, Math.floor(i / size)]));
    const before = seq(30, (i) => `k${String(i).padStart(2, "0")}`);
    const after = [...before, "a0", "a1"];
    const expectedShifts = (size: number) => before.filter((k) => pageOf(before, size).get(k) !== pageOf(after, size).get(k)).length;
    expect(shiftsOf(flat10Again)).toBe(expectedShifts(10));
    expect(shiftsOf(flat5Again)).toBe(expectedShifts(5));
    expect(all.series.map((s) => [s.kind, s.delimiter, s.pageSize, s.startAfter, s.passes, s.latestId])).toEqual([
      ["list", null, 5, null, 2, flat5Again],
      ["list", null, 10, null, 2, flat10Again],
      ["list", "/", 10, null, 1, folders10],
    ]);

    const only5 = await h.timeline({ connection: "sandbox", bucket, prefix: "", limit: 200, kind: "list", pageSize: 5, delimiter: null, startAfter: null });
    expect(only5.points.map((p) => p.pass.id)).toEqual([flat5, flat5Again]);
    expect(only5.series).toEqual(all.series);
    const folders = await h.timeline({ connection: "sandbox", bucket, prefix: "", limit: 200, delimiter: "/" });
    expect(folders.points.map((p) => [p.pass.id, p.changesState])).toEqual([[folders10, "first"]]);
  });

  it("counts no page shifts against a parallel pass: its pages are not one sequence", async () => {
    const { passes, diff } = setup();
    const bucket = freshBucket(seq(40, (i) => `k${String(i).padStart(2, "0")}`));
    const flat = await pass(passes, bucket, 10);
    const parallel = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 10, concurrency: 4 });
    expect((await passes.settled(parallel)).status).toBe("complete");
    const flatAgain = await pass(passes, bucket, 10);
    put(bucket, "a0", "new", T1);
    const flatLast = await pass(passes, bucket, 10);

    const timeline = await history(diff).timeline({ connection: "sandbox", bucket, prefix: "", limit: 200 });
    expect(timeline.series.map((s) => s.passes)).toEqual([4]);
    expect(timeline.points.map((p) => [p.pass.id, p.previousId, p.changes?.added ?? null, p.changes?.pageShifts ?? null])).toEqual([
      [flat, null, null, null],
      [parallel, flat, 0, null],
      [flatAgain, parallel, 0, null],
      [flatLast, flatAgain, 1, 4],
    ]);
  });

  it("follows a snapshot with the snapshot before it and a list pass with the list pass before it", async () => {
    const { passes, diff } = setup();
    const bucket = `diff-${++bucketCounter}-${Date.now().toString(36)}`;
    sandbox.store.writeAt(T0, () => {
      sandbox.store.createBucket(bucket);
      sandbox.store.setVersioning(bucket, "Enabled");
    });
    for (const key of ["k1", "k2", "k3"]) put(bucket, key, `v1 ${key}`, T0);
    const listed = await pass(passes, bucket, 10);
    const snapshot = async (asOf: Date) => {
      const id = await passes.create({ kind: "snapshot", asOf: asOf.toISOString(), connection: "sandbox", bucket, prefix: "", pageSize: 10 });
      expect((await passes.settled(id)).status).toBe("complete");
      return id;
    };
    const early = await snapshot(new Date(T0.getTime() - 60_000));
    const late = await snapshot(new Date(T0.getTime() + 60_000));
    const listedAgain = await pass(passes, bucket, 10);

    const timeline = await history(diff).timeline({ connection: "sandbox", bucket, prefix: "", limit: 200 });
    expect(timeline.points.map((p) => [p.pass.id, p.pass.kind, p.previousId, p.changes?.added ?? null])).toEqual([
      [listed, "list", null, null],
      [early, "snapshot", null, null],
      [late, "snapshot", early, 3],
      [listedAgain, "list", listed, 0],
    ]);
  });
});
