import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiffService, history } from "@/lib/diff";
import type { Sandbox } from "@/lib/sandbox";
import type { EntriesWindow, EntrySort, PassEvent, SortOrder } from "@/lib/wire";
import { WatchService } from "@/lib/watches";
import { entriesWindow, exportPass, prefixSummary } from "./pass-view";
import { FAST_RETRY, passKeys, registryFor, startTestSandbox, tempDir } from "./testing/harness";
import { PassService } from "./service";

// A data directory written by the store before passes shared storage (fixture made by
// testing/make-old-data-dir.ts on 646f009) opens with this version and answers every view exactly as
// that version did: events, keyset and windowed entries in every sort, search, prefixes, export,
// diffs and compare windows, history, watches. New passes of its targets are recorded as spans next to
// the old ones, compare with them, and retention deletes old passes without touching the new.

const FIXTURE = path.join(import.meta.dirname, "testing", "fixtures", "data-dir-v1");

interface Expected {
  madeBy: string;
  passes: string[];
  ids: Record<"photos1" | "photos2" | "photos3" | "folders" | "snapshot" | "unicode" | "narrowed" | "cancelled" | "anomalous", string>;
  watches: unknown;
  views: Record<string, Record<string, unknown> & { windows: Record<string, unknown> }>;
  comparisons: { query: { a: string; b: string; allowIncomplete: boolean; allowDifferentBuckets: boolean }; summary: unknown; all: unknown[]; windowAll: unknown; windowChanges: unknown }[];
  timelines: { photos: unknown; demo: unknown };
}

const expected = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, "expected.json.gz"))).toString("utf8")) as Expected;
const SORTS: [EntrySort, SortOrder][] = [
  ["key", "asc"],
  ["key", "desc"],
  ["size", "asc"],
  ["size", "desc"],
  ["lastModified", "asc"],
  ["lastModified", "desc"],
];
/** Fields later versions added, with the value every old pass and watch has (one cursor, no inventory). */
const ADDED_FIELDS: Record<string, unknown> = { inventory: null, parallel: null, concurrency: 1 };
/** An answer without the fields later versions added. */
const asBefore = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x: unknown) => (Object.hasOwn(ADDED_FIELDS, k) && ADDED_FIELDS[k] === x ? undefined : x))) as T;
const compact = (w: EntriesWindow) => ({ offset: w.offset, total: w.total, listingOrder: w.listingOrder, rows: w.entries.map((e) => [e.key, e.page]) });

async function events(passes: PassService, id: string): Promise<PassEvent[]> {
  const out: PassEvent[] = [];
  for await (const e of passes.events(id, new AbortController().signal)) out.push(e);
  return out;
}

/** A fresh copy of the fixture's data directory. */
function oldDataDir(): string {
  const dir = tempDir("old-data-dir");
  fs.writeFileSync(path.join(dir, "bucketscope.db"), zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, "bucketscope.db.gz"))));
  return dir;
}

describe("a data directory written before passes shared storage", () => {
  let sandbox: Sandbox;
  let passes: PassService;
  let diffs: DiffService;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    passes = new PassService({ dataDir: oldDataDir(), connections: registryFor(sandbox), retry: FAST_RETRY });
    diffs = new DiffService(passes.store);
  });
  afterAll(async () => {
    await passes.close();
    await sandbox.close();
  });

  it("lists the same passes", () => {
    expect(expected.madeBy).toBe("646f009");
    const now = passes.list({ limit: 1000 });
    expect(now.map((p) => p.id)).toEqual(expected.passes);
    for (const p of now) expect(asBefore(p), p.id).toEqual(expected.views[p.id]?.summary);
  });

  it("answers every view of every pass as before", async () => {
    for (const id of expected.passes) {
      const want = expected.views[id];
      if (want === undefined) throw new Error(`no expected views for ${id}`);
      expect(asBefore(await events(passes, id)), `${id} events`).toEqual(want.events);
      expect(passes.entries(id, { limit: 1000 }), `${id} keyset`).toEqual(want.keyset);
      expect(passes.entries(id, { limit: 4, after: "2023/" }), `${id} keyset after`).toEqual(want.keysetAfter);
      expect(passes.entries(id, { limit: 1000, q: "IMG" }), `${id} keyset search`).toEqual(want.keysetSearch);
      for (const [sort, order] of SORTS) {
        expect(compact(await entriesWindow(passes.store, id, { offset: 0, limit: 1000, sort, order })), `${id} ${sort}:${order}`).toEqual(want.windows[`${sort}:${order}`]);
        expect(compact(await entriesWindow(passes.store, id, { offset: 3, limit: 5, sort, order })), `${id} ${sort}:${order}:from3`).toEqual(want.windows[`${sort}:${order}:from3`]);
      }
      for (const q of ["IMG_000", "/", "e", "\u00e9", "obj_10"]) {
        expect(compact(await entriesWindow(passes.store, id, { offset: 0, limit: 1000, sort: "key", order: "asc", q })), `${id} q:${q}`).toEqual(want.windows[`q:${q}`]);
      }
      expect(await prefixSummary(passes.store, id, { depth: 1, delimiter: "/", limit: 1000 }), `${id} prefixes`).toEqual(want.prefixes1);
      expect(await prefixSummary(passes.store, id, { depth: 2, delimiter: "/", limit: 3 }), `${id} prefixes depth 2`).toEqual(want.prefixes2);
      expect(await new Response(exportPass(passes.store, id, "ndjson").body).text(), `${id} export`).toEqual(want.exportNdjson);
    }
  });

  it("filters its passes by prefix (added later) to exactly the keys they listed that begin with it", async () => {
    for (const id of expected.passes) {
      const all = expected.views[id]?.windows["key:asc"] as ReturnType<typeof compact>;
      const keys = all.rows.map((r) => r[0] as string);
      const prefixes = new Set(["", "zz-none", ...keys.flatMap((k) => [k.slice(0, 1), k.slice(0, k.indexOf("/") + 1), k])]);
      for (const prefix of prefixes) {
        for (const q of [undefined, "/", "e"]) {
          const want = all.rows.filter((r) => (r[0] as string).startsWith(prefix) && (q === undefined || (r[0] as string).includes(q)));
          const w = compact(await entriesWindow(passes.store, id, { offset: 0, limit: 1000, sort: "key", order: "asc", prefix, q }));
          expect(w.rows, `${id} prefix ${JSON.stringify(prefix)} q ${q}`).toEqual(want);
          expect(passes.entries(id, { limit: 1000, prefix, q }).entries.map((e) => [e.key, e.page]), `${id} keyset prefix ${JSON.stringify(prefix)} q ${q}`).toEqual(want);
        }
      }
    }
  });

  it("compares passes and tells their history as before", async () => {
    for (const c of expected.comparisons) {
      const label = `${c.query.a} vs ${c.query.b}`;
      const rows = [];
      for await (const e of diffs.events({ ...c.query, only: "all" })) rows.push(e);
      expect(asBefore(await diffs.summary(c.query)), `${label} summary`).toEqual(c.summary);
      expect(asBefore(rows), `${label} rows`).toEqual(c.all);
      expect(asBefore(await diffs.window({ ...c.query, only: "all", offset: 0, limit: 1000 })), `${label} window`).toEqual(c.windowAll);
      expect(asBefore(await diffs.window({ ...c.query, only: "changes", offset: 0, limit: 1000 })), `${label} changes`).toEqual(c.windowChanges);
    }
    // The series and the disk each takes are new: the disk measured once from what the old passes hold.
    const { disk, series, ...photos } = await history(diffs).timeline({ connection: "sandbox", bucket: "photos", prefix: "", limit: 200 });
    expect(asBefore(photos)).toEqual(expected.timelines.photos);
    expect(series.map((x) => [x.kind, x.delimiter, x.pageSize, x.passes])).toEqual([
      ["list", "/", 3, 1],
      ["list", null, 7, 3],
    ]);
    expect(disk.series.map((x) => [x.kind, x.delimiter, x.pageSize, x.passes])).toEqual(series.map((x) => [x.kind, x.delimiter, x.pageSize, x.passes]));
    expect(disk.series.every((x) => x.bytes > 1000)).toBe(true);
    const { disk: _, series: __, ...demo } = await history(diffs).timeline({ connection: "sandbox", bucket: "demo", prefix: "obj_00", limit: 200 });
    expect(asBefore(demo)).toEqual(expected.timelines.demo);
  });

  it("keeps its watches", () => {
    const watches = new WatchService({ passes, diffs, connections: registryFor(sandbox), minWatchSeconds: 1 });
    const now = watches.list({});
    expect(asBefore(now.map(({ keepMegabytes: _, historyBytes: __, ...w }) => w))).toEqual(expected.watches);
    expect(now.map((w) => w.keepMegabytes)).toEqual([null]);
    expect(now[0]?.historyBytes).toBeGreaterThan(0);
  });

  it("records new passes of an old target as spans that compare with the old passes", async () => {
    const { photos3 } = expected.ids;
    const id = await passes.create({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 7 });
    await passes.settled(id);
    expect(passes.store.row(id)?.layout).toBe("spans");
    expect(passes.store.row(photos3)?.layout).toBe("entries");
    // The test's sandbox holds the seed again, not the fixture's changes: the comparison must say so.
    const seed = sandbox.store.snapshotPrefix("photos", "").map((v) => v.key);
    expect(passKeys(passes, id)).toEqual(seed);
    const old = new Set(passKeys(passes, photos3));
    const q = { a: photos3, b: id, allowIncomplete: false, allowDifferentBuckets: false };
    const summary = await diffs.summary(q);
    expect(summary.counts.added).toBe(seed.filter((k) => !old.has(k)).length);
    expect(summary.counts.removed).toBe([...old].filter((k) => !seed.includes(k)).length);
  });

  it("resumes its cancelled pass where it stopped, in the layout it began with", async () => {
    const { cancelled } = expected.ids;
    expect(passes.summary(cancelled).status).toBe("cancelled");
    await passes.resume(cancelled);
    await passes.settled(cancelled);
    expect(passes.summary(cancelled).status).toBe("complete");
    expect(passes.store.row(cancelled)?.layout).toBe("entries");
    expect(passKeys(passes, cancelled)).toEqual(sandbox.store.snapshotPrefix("demo", "").map((v) => v.key));
  });

  it("deletes old passes with their entries and leaves the rest readable", async () => {
    const { photos1, photos2, photos3 } = expected.ids;
    const keep = passKeys(passes, photos3);
    const seqs = [photos1, photos2].map((id) => passes.store.row(id)?.seq as number);
    const entriesOf = passes.store.db.prepare<[number], number>(`SELECT count(*) FROM entries WHERE pass = ?`).pluck();
    for (const seq of seqs) expect(entriesOf.get(seq)).toBeGreaterThan(0);
    await passes.remove(photos1);
    await passes.remove(photos2);
    expect(passes.store.summary(photos1)).toBeNull();
    for (const seq of seqs) expect(entriesOf.get(seq)).toBe(0);
    expect(passKeys(passes, photos3)).toEqual(keep);
  });
});
