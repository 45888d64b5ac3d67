import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareKeys } from "@/lib/lister";
import type { EntriesWindowQuery, EntrySort, Entry } from "@/lib/wire";
import { syntheticPageRecord } from "../../scripts/bench-page-record";
import { entriesWindow, searchEntries } from "./entry-queries";
import { SearchIndex } from "./search-index";
import { PassStore } from "./store";
import { tempDir } from "./testing/harness";
import { seededRandom } from "@/lib/random";

// The search index against the scan it replaces: over random and hostile key sets, in both layouts,
// with passes deleted in the middle of a history and a pass that stopped early, every search (every
// sort and direction, with and without a prefix, short needles, LIKE/GLOB metacharacters, quotes,
// lone surrogates) answers exactly what the scan answers: the same rows, order, totals and pages.

const ALPHABET = ["a", "b", "A", "é", "😀", "/", "%", "_", "*", "?", "[", "]", "'", '"', "\\", "\u0001", "\n", " ", "0", "\uffff", "ab"];
const QUERIES = ["a", "A", "ab", "aa", "b/a", "%", "_", "a%", "%_", "*", "?", "[a]", "[", "]", "'", '"', "\\", "\u0001", "\n", " ", "é", "😀", "\ud83d", "\ude00", "é😀", "zz", "a_b", "'a'", "\uffff"];
const PREFIXES = ["", "a", "é", "😀", "\ud83d"];
const SORTS: EntrySort[] = ["key", "size", "lastModified"];

let store: PassStore;
let index: SearchIndex;
const random = seededRandom(12);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

function randomKey(): string {
  return Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(ALPHABET)).join("");
}

function entry(key: string, version: number): Entry {
  const e: Entry = {
    key,
    size: Math.floor(random() * 5),
    etag: `"${version}"`,
    lastModified: `2025-01-0${1 + Math.floor(random() * 3)}T00:00:00.000Z`,
    storageClass: "STANDARD",
  };
  return e;
}

const STOPPED = { code: "network", message: "stopped", httpStatus: null, s3Code: null, requestId: null, retryable: true };

/** Records a pass of `entries` (in the order given) page by page; `stopAfter` pages make it fail. */
function record(id: string, bucket: string, entries: Entry[], pageSize: number, stopAfter = Number.POSITIVE_INFINITY): number {
  store.create({ id, connection: "sandbox", bucket, prefix: "", delimiter: null, pageSize, startAfter: null });
  const seq = store.row(id)?.seq as number;
  const pages = Math.max(1, Math.ceil(entries.length / pageSize));
  for (let i = 0; i < Math.min(pages, stopAfter); i++) {
    const page = entries.slice(i * pageSize, (i + 1) * pageSize);
    store.recordPage(seq, { record: syntheticPageRecord(i, page, i === pages - 1, pageSize), entries: page, commonPrefixes: [] });
  }
  store.finish(id, stopAfter < pages ? "failed" : "complete", stopAfter < pages ? STOPPED : null);
  return seq;
}

function randomBucket(n: number, version: number, hostile: string[] = []): Entry[] {
  const keys = new Set<string>(hostile);
  while (keys.size < n) keys.add(randomKey());
  return [...keys].sort(compareKeys).map((k) => entry(k, version));
}

/** The next state of a bucket: some keys gone, some new, some changed. */
function churn(bucket: Entry[], version: number): Entry[] {
  const out = new Map<string, Entry>();
  for (const e of bucket) {
    const r = random();
    if (r < 0.15) continue;
    out.set(e.key, r < 0.3 ? entry(e.key, version) : e);
  }
  for (let i = 0; i < bucket.length / 5; i++) out.set(randomKey(), entry("", version));
  return [...out.entries()].map(([key, e]) => ({ ...e, key })).sort((a, b) => compareKeys(a.key, b.key));
}

async function windowBoth(id: string, q: EntriesWindowQuery) {
  index.enabled = true;
  const indexed = await entriesWindow(store, id, q);
  index.enabled = false;
  const scanned = await entriesWindow(store, id, q);
  index.enabled = true;
  return { indexed, scanned };
}

const passIds: string[] = [];

beforeAll(() => {
  store = new PassStore(path.join(tempDir("search-index"), "bucketscope.db"));
  index = SearchIndex.for(store.db);
  // A history of one target in the spans layout; pass 2 is deleted (retention) and pass 4 stopped
  // after a few pages.
  let bucket = randomBucket(300, 1, ["a", "A", "ab", "%", "_", "a%b", "a_b", "[a]", "'a'", '"a"', "é😀", "😀", "\u0001x", "x\ny", "\uffff"]);
  for (let n = 1; n <= 5; n++) {
    if (n > 1) bucket = churn(bucket, n);
    record(`spans-${n}`, "history", bucket, 7 + n, n === 4 ? 9 : Number.POSITIVE_INFINITY);
  }
  store.delete(store.row("spans-2")?.seq as number);
  passIds.push("spans-1", "spans-3", "spans-4", "spans-5");
  // The same kind of key set kept in full (entries layout), one stopped early, and one whose
  // pages came out of key order (it keeps its entries too).
  store.newPassLayout = "entries";
  record("entries-1", "full", randomBucket(250, 1, ["a", "%", "é😀"]), 11);
  record("entries-stopped", "full", randomBucket(250, 2), 11, 5);
  store.newPassLayout = "spans";
  const shuffled = randomBucket(200, 3).sort(() => random() - 0.5);
  record("unordered", "shuffled", shuffled, 13);
  passIds.push("entries-1", "entries-stopped", "unordered");
});

afterAll(() => store.close());

describe("search index", () => {
  it("makes the passes the differential test needs: both layouts, a deleted middle pass, an incomplete pass", () => {
    expect(passIds.map((id) => store.row(id)?.layout)).toEqual(["spans", "spans", "spans", "spans", "entries", "entries", "entries"]);
    expect(store.row("spans-2")).toBeUndefined();
    expect(store.row("spans-4")?.status).toBe("failed");
    expect(store.row("entries-stopped")?.status).toBe("failed");
    expect(store.row("spans-4")?.keys).toBeLessThan(store.row("spans-5")?.keys as number);
  });

  it("answers every whole-pass search window as the scan does", async () => {
    let compared = 0;
    let nonEmpty = 0;
    for (const id of passIds) {
      const keys = store.row(id)?.keys as number;
      const queries = [...QUERIES, ...Array.from({ length: 6 }, () => randomKey().slice(0, 1 + Math.floor(random() * 3)))];
      for (const q of queries) {
        for (const prefix of PREFIXES) {
          for (const sort of SORTS) {
            for (const order of ["asc", "desc"] as const) {
              const whole = await windowBoth(id, { offset: 0, limit: 1000, sort, order, q, prefix });
              expect(whole.indexed, `${id} q=${JSON.stringify(q)} prefix=${JSON.stringify(prefix)} ${sort} ${order}`).toEqual(whole.scanned);
              compared++;
              if (whole.scanned.total > 0) nonEmpty++;
              const offset = Math.floor(random() * Math.max(1, whole.scanned.total));
              const part = await windowBoth(id, { offset, limit: 1 + Math.floor(random() * 9), sort, order, q, prefix });
              expect(part.indexed).toEqual(part.scanned);
            }
          }
        }
      }
      expect(keys).toBeGreaterThan(0);
    }
    expect(compared).toBeGreaterThan(1000);
    expect(nonEmpty).toBeGreaterThan(compared / 4);
    expect(index.stats().passes).toBeGreaterThan(0);
  });

  it("pages through the entries API's search by `after` as the scan does", () => {
    for (const id of passIds) {
      const seq = store.row(id)?.seq as number;
      for (const q of [...QUERIES, "a", "b"]) {
        for (const prefix of ["", "a", "😀"]) {
          let after: string | undefined;
          for (let n = 0; n < 100; n++) {
            const query = { limit: 1 + Math.floor(random() * 5), q, prefix, ...(after !== undefined ? { after } : {}) };
            const indexed = searchEntries(store, id, query);
            const scanned = store.entries(seq, query);
            expect(indexed, `${id} q=${JSON.stringify(q)} after=${JSON.stringify(after)}`).toEqual(scanned);
            if (scanned.nextAfter === null) break;
            after = scanned.nextAfter;
          }
        }
        // An `after` that is no key of the pass, between keys.
        const between = { limit: 3, q, after: "a\u0000" };
        expect(searchEntries(store, id, between)).toEqual(store.entries(seq, between));
      }
    }
  });

  it("leaves to the scan a pass whose keys do not read back as UTF-8, and a running pass", async () => {
    store.newPassLayout = "entries";
    const seq = record("invalid-utf8", "bytes", randomBucket(40, 1, ["a1", "a2", "b"]), 10);
    store.newPassLayout = "spans";
    // Bytes no JS string encodes to: a lone continuation byte and a truncated 4-byte sequence.
    store.db.prepare(`UPDATE entries SET key = x'61ff62' WHERE pass = ? AND key = CAST('a1' AS BLOB)`).run(seq);
    store.db.prepare(`UPDATE entries SET key = x'61f09f98' WHERE pass = ? AND key = CAST('a2' AS BLOB)`).run(seq);
    for (const q of ["a", "\ufffd", "b", "a\ufffd"]) {
      const w = await windowBoth("invalid-utf8", { offset: 0, limit: 100, sort: "key", order: "asc", q });
      expect(w.indexed).toEqual(w.scanned);
    }
    expect(searchEntries(store, "invalid-utf8", { limit: 10, q: "a" })).toBeNull();

    store.create({ id: "running", connection: "sandbox", bucket: "history", prefix: "", delimiter: null, pageSize: 10, startAfter: null });
    const running = store.row("running")?.seq as number;
    const page = randomBucket(10, 9);
    store.recordPage(running, { record: syntheticPageRecord(0, page, false, 10), entries: page, commonPrefixes: [] });
    expect(searchEntries(store, "running", { limit: 10, q: "a" })).toBeNull();
  });

  it("reads a resumed pass again: an index made before its new pages is not used", async () => {
    const bucket = randomBucket(60, 1, ["resume-a", "resume-b"]);
    store.create({ id: "resumed", connection: "sandbox", bucket: "resumed", prefix: "", delimiter: null, pageSize: 10, startAfter: null });
    const seq = store.row("resumed")?.seq as number;
    const first = bucket.slice(0, 10);
    store.recordPage(seq, { record: syntheticPageRecord(0, first, false, 10), entries: first, commonPrefixes: [] });
    store.finish("resumed", "failed", STOPPED);
    const before = await windowBoth("resumed", { offset: 0, limit: 100, sort: "key", order: "asc", q: "a" });
    expect(before.indexed).toEqual(before.scanned);
    store.db.prepare(`UPDATE passes SET status = 'running' WHERE seq = ?`).run(seq);
    for (let i = 1; i < 6; i++) {
      const page = bucket.slice(i * 10, (i + 1) * 10);
      store.recordPage(seq, { record: syntheticPageRecord(i, page, i === 5, 10), entries: page, commonPrefixes: [] });
    }
    store.finish("resumed", "complete", null);
    const after = await windowBoth("resumed", { offset: 0, limit: 100, sort: "key", order: "asc", q: "a" });
    expect(after.indexed).toEqual(after.scanned);
    expect(after.indexed.total).toBeGreaterThan(before.indexed.total);
  });
});
