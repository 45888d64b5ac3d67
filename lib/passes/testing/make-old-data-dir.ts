// Makes the "old data directory" fixture of store-migration.test.ts: a bucketscope.db written by the
// store as it was before passes shared what they have in common (every pass's every entry in
// `entries`), and what that version answered for it. It was run ONCE, on a checkout of that version
// (commit 646f009), with this file copied into it:
//
//   git worktree add --detach /tmp/store-old 646f009 && ln -s "$PWD/node_modules" /tmp/store-old/
//   cp lib/passes/testing/make-old-data-dir.ts /tmp/store-old/ && cd /tmp/store-old
//   AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true npx tsx --conditions=react-server \
//     make-old-data-dir.ts <repo>/lib/passes/testing/fixtures/data-dir-v1
//
// Running it on a later version would make a fixture of that version instead: don't.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import Database from "better-sqlite3";
import { ConnectionRegistry } from "@/lib/connections";
import { DiffService, history } from "@/lib/diff";
import { entriesWindow, exportPass, PassService, prefixSummary } from "@/lib/passes";
import { startSandbox } from "@/lib/sandbox";
import { watchCreateSchema, type EntriesWindow, type Entry, type EntrySort, type PageRecord, type PassEvent, type SortOrder } from "@/lib/wire";
import { WatchService } from "@/lib/watches";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: make-old-data-dir.ts <output dir>");
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-old-"));
const dataDir = path.join(tmp, "data");

const sandbox = await startSandbox({ dataDir: path.join(tmp, "sandbox"), port: 0, seed: true });
const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
const connections = new ConnectionRegistry({ sandbox: { endpoint, accessKeyId, secretAccessKey, region }, extra: [], probeAws: false, env: {} });
const passes = new PassService({ dataDir, connections, retry: { passRetries: 2, baseDelayMs: 10, maxDelayMs: 50 } });
const diffs = new DiffService(passes.store);
const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } as const;
const never = new AbortController().signal;

async function pass(params: Parameters<PassService["create"]>[0]): Promise<string> {
  const id = await passes.create(params);
  await passes.settled(id);
  return id;
}

// A target listed three times with changes between (history, diffs), the same bucket by folder, a
// snapshot, hostile keys, a cancelled pass and a watch's passes.
const photos1 = await pass({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 7 });
sandbox.store.putObject({ bucket: "photos", key: "2023/new-photo.jpg", body: Buffer.from("new"), meta });
sandbox.store.deleteObject("photos", "2023/IMG_0002.jpg");
const photos2 = await pass({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 7 });
sandbox.store.putObject({ bucket: "photos", key: "2023/IMG_0003.jpg", body: Buffer.from("overwritten"), meta });
sandbox.store.putObject({ bucket: "photos", key: "0-first.txt", body: Buffer.from("first"), meta });
const photos3 = await pass({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 7 });
const folders = await pass({ connection: "sandbox", bucket: "photos", prefix: "", delimiter: "/", pageSize: 3 });
const snapshot = await pass({ connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 2, kind: "snapshot" });
const unicode = await pass({ connection: "sandbox", bucket: "unicode", prefix: "", pageSize: 4 });
const narrowed = await pass({ connection: "sandbox", bucket: "demo", prefix: "obj_10", pageSize: 15, startAfter: "obj_1049" });

// Cancelled after its first pages: a resumable, incomplete pass.
sandbox.faults.configure({ latencyMs: 150 });
const cancelled = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 20 });
for (;;) {
  if (passes.summary(cancelled).totals.pages >= 2) break;
  await new Promise((r) => setTimeout(r, 20));
}
await passes.cancel(cancelled);
sandbox.faults.clear();

// A pass whose server listed a key out of order and repeated one (no real server here does; the
// store records such pages as the lister hands them over).
const anomalousId = "old-anomalous-pass";
passes.store.create({ id: anomalousId, connection: "sandbox", bucket: "odd", prefix: "", delimiter: null, pageSize: 3, startAfter: null });
const anomalousSeq = passes.store.row(anomalousId)?.seq as number;
const oddPages: [string, number][][] = [
  [["a", 1], ["c", 2], ["e", 3]],
  [["b", 4], ["e", 5], ["f", 6]],
  [["g", 7]],
];
oddPages.forEach((keys, index) => {
  const entries: Entry[] = keys.map(([key, size]) => ({ key, size, etag: `"${key}${size}"`, lastModified: `2024-01-0${size}T00:00:00.000Z`, storageClass: "STANDARD" }));
  const last = index === oddPages.length - 1;
  const anomalies: PageRecord["anomalies"] =
    index === 1
      ? [
          { kind: "out_of_order", key: "b", previousKey: "e", previousPage: 0 },
          { kind: "repeated_key", key: "e", previousKey: "e", previousPage: 0 },
        ]
      : [];
  const record: PageRecord = {
    index,
    request: { prefix: "", delimiter: null, maxKeys: 3, continuationToken: index === 0 ? null : `t${index}`, startAfter: null },
    resumedBy: null,
    requestedAt: "2024-02-01T00:00:00.000Z",
    receivedAt: "2024-02-01T00:00:00.050Z",
    durationMs: 50,
    attempts: 1,
    answered: true,
    httpStatus: 200,
    requestId: `req-${index}`,
    keyCount: entries.length,
    entryCount: entries.length,
    commonPrefixCount: 0,
    firstKey: entries[0]?.key ?? null,
    lastKey: entries.at(-1)?.key ?? null,
    isTruncated: !last,
    nextContinuationToken: last ? null : `t${index + 1}`,
    bytes: entries.reduce((n, e) => n + e.size, 0),
    anomalies,
    anomalyCount: anomalies.length,
    error: null,
  };
  passes.store.recordPage(anomalousSeq, { record, entries, commonPrefixes: [] });
});
passes.store.finish(anomalousId, "complete", null);

// A watch that ran twice and was paused.
const watches = new WatchService({ passes, diffs, connections, minWatchSeconds: 1 });
watches.start();
// Through the schema, as the API does (later versions add fields with defaults).
const watch = await watches.create(watchCreateSchema.parse({ connection: "sandbox", bucket: "demo", prefix: "obj_00", pageSize: 30, everySeconds: 1, keepPasses: 5 }));
for (;;) {
  const done = watches.store.passesOf(watch.id).filter((p) => p.status === "complete");
  if (done.length >= 2) break;
  await new Promise((r) => setTimeout(r, 50));
}
watches.update(watch.id, { state: "paused" });
await watches.idle(watch.id);
for (;;) {
  if (watches.store.passesOf(watch.id).every((p) => p.status !== "running")) break;
  await new Promise((r) => setTimeout(r, 50));
}

// What this version answers, for every view of every pass.
const all = passes.list({ limit: 1000 });
async function collect(id: string): Promise<PassEvent[]> {
  const events: PassEvent[] = [];
  for await (const e of passes.events(id, never)) events.push(e);
  return events;
}
async function text(body: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(body).text();
}
/** A window as its keys and their pages (the fields are in the keyset answer). */
const compact = (w: EntriesWindow) => ({ offset: w.offset, total: w.total, listingOrder: w.listingOrder, rows: w.entries.map((e) => [e.key, e.page]) });
const views: Record<string, unknown> = {};
for (const p of all) {
  const windows: Record<string, unknown> = {};
  for (const [sort, order] of [
    ["key", "asc"],
    ["key", "desc"],
    ["size", "asc"],
    ["size", "desc"],
    ["lastModified", "asc"],
    ["lastModified", "desc"],
  ] as [EntrySort, SortOrder][]) {
    windows[`${sort}:${order}`] = compact(await entriesWindow(passes.store, p.id, { offset: 0, limit: 1000, sort, order }));
    windows[`${sort}:${order}:from3`] = compact(await entriesWindow(passes.store, p.id, { offset: 3, limit: 5, sort, order }));
  }
  for (const q of ["IMG_000", "/", "e", "\u00e9", "obj_10"]) windows[`q:${q}`] = compact(await entriesWindow(passes.store, p.id, { offset: 0, limit: 1000, sort: "key", order: "asc", q }));
  views[p.id] = {
    summary: p,
    events: await collect(p.id),
    keyset: passes.entries(p.id, { limit: 1000 }),
    keysetAfter: passes.entries(p.id, { limit: 4, after: "2023/" }),
    keysetSearch: passes.entries(p.id, { limit: 1000, q: "IMG" }),
    windows,
    prefixes1: await prefixSummary(passes.store, p.id, { depth: 1, delimiter: "/", limit: 1000 }),
    prefixes2: await prefixSummary(passes.store, p.id, { depth: 2, delimiter: "/", limit: 3 }),
    exportNdjson: await text(exportPass(passes.store, p.id, "ndjson").body),
  };
}
const pairs: [string, string, Record<string, boolean>][] = [
  [photos1, photos2, {}],
  [photos2, photos3, {}],
  [photos1, photos3, {}],
  [photos3, folders, {}],
  [snapshot, unicode, { allowDifferentBuckets: true }],
  [photos3, cancelled, { allowIncomplete: true, allowDifferentBuckets: true }],
  [narrowed, cancelled, { allowIncomplete: true }],
  [anomalousId, anomalousId, { allowDifferentBuckets: true }],
];
const comparisons = [];
for (const [a, b, opts] of pairs) {
  const q = { a, b, allowIncomplete: false, allowDifferentBuckets: false, ...opts };
  const rows = [];
  for await (const e of diffs.events({ ...q, only: "all" })) rows.push(e);
  comparisons.push({
    query: q,
    summary: await diffs.summary(q),
    all: rows,
    windowAll: await diffs.window({ ...q, only: "all", offset: 0, limit: 1000 }),
    windowChanges: await diffs.window({ ...q, only: "changes", offset: 0, limit: 1000 }),
  });
}
const timelines = {
  photos: await history(diffs).timeline({ connection: "sandbox", bucket: "photos", prefix: "", limit: 200 }),
  demo: await history(diffs).timeline({ connection: "sandbox", bucket: "demo", prefix: "obj_00", limit: 200 }),
};
const watchesNow = watches.list({});

await watches.close();
await passes.close();
await sandbox.close();
// Let the background checkpointer's connection go, then fold the WAL into the file.
await new Promise((r) => setTimeout(r, 500));
const db = new Database(path.join(dataDir, "bucketscope.db"));
db.pragma("wal_checkpoint(TRUNCATE)");
db.exec("VACUUM");
db.close();

fs.writeFileSync(path.join(out, "bucketscope.db.gz"), zlib.gzipSync(fs.readFileSync(path.join(dataDir, "bucketscope.db")), { level: 9 }));
fs.writeFileSync(
  path.join(out, "expected.json.gz"),
  zlib.gzipSync(JSON.stringify({ madeBy: "646f009", passes: all.map((p) => p.id), ids: { photos1, photos2, photos3, folders, snapshot, unicode, narrowed, cancelled, anomalous: anomalousId }, watches: watchesNow, views, comparisons, timelines })),
);
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${out}: ${all.length} passes`);
