import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compareKeys } from "@/lib/lister";
import type { EntrySort, Entry, PageRecord, SortOrder } from "@/lib/wire";
import { entriesWindow } from "./pass-view";
import { PassStore } from "./store";
import { tempDir } from "./testing/harness";

// The entries prefix filter (keys that begin with it in UTF-8 bytes), alone and with a search, reads a
// pass through its layout: passes that share their target's rows (a complete one, one recorded after
// the bucket changed, one stopped early) and a pass kept in full answer exactly the keys of the model,
// in every sort, in the window and the keyset forms.

let store: PassStore | undefined;
afterEach(() => store?.close());

const KEYS = ["a", "a/", "a/b", "a/b/c", "a/é", "ab", "b", "é", "é/1", "éa", "😀", "😀/x", "\uffff", "\uffff/a", "z/a", "z/b", "z/c/d", "zz"];

const entry = (key: string, v: number): Entry => ({
  key,
  size: (key.length * 7 + v) % 5,
  etag: `"${v}"`,
  lastModified: `2024-01-0${1 + ((key.length + v) % 3)}T00:00:00.000Z`,
  storageClass: "STANDARD",
});

/** Records a pass of `entries` (in key order) in pages of `pageSize`; `pages` stops it early. */
function record(s: PassStore, id: string, entries: Entry[], pageSize: number, pages = Infinity): Entry[] {
  s.create({ id, connection: "c", bucket: "b", prefix: "", delimiter: null, pageSize, startAfter: null });
  const seq = s.row(id)?.seq as number;
  const listed: Entry[] = [];
  const count = Math.ceil(entries.length / pageSize);
  for (let index = 0; index < Math.min(count, pages); index++) {
    const page = entries.slice(index * pageSize, (index + 1) * pageSize);
    const last = index === count - 1;
    const record: PageRecord = {
      index,
      request: { prefix: "", delimiter: null, maxKeys: pageSize, continuationToken: index === 0 ? null : `t${index}`, startAfter: null },
      resumedBy: null,
      requestedAt: "2024-02-01T00:00:00.000Z",
      receivedAt: "2024-02-01T00:00:00.050Z",
      durationMs: 50,
      attempts: 1,
      answered: true,
      httpStatus: 200,
      requestId: null,
      keyCount: page.length,
      entryCount: page.length,
      commonPrefixCount: 0,
      firstKey: page[0]?.key ?? null,
      lastKey: page.at(-1)?.key ?? null,
      isTruncated: !last,
      nextContinuationToken: last ? null : `t${index + 1}`,
      bytes: page.reduce((n, e) => n + e.size, 0),
      anomalies: [],
      anomalyCount: 0,
      error: null,
    };
    s.recordPage(seq, { record, entries: page, commonPrefixes: [] });
    listed.push(...page.map((e) => ({ ...e, page: index })));
  }
  s.finish(id, pages === Infinity ? "complete" : "cancelled", null);
  return listed;
}

const PREFIXES = ["", "a", "a/", "a/b", "é", "😀", "\uffff", "z/", "zz", "q", "a/b/c/d"];
const SEARCHES = [undefined, "/", "a", "é", "c"];
const SORTS: [EntrySort, SortOrder][] = [
  ["key", "asc"],
  ["key", "desc"],
  ["size", "asc"],
  ["size", "desc"],
  ["lastModified", "asc"],
  ["lastModified", "desc"],
];

/** The model's answer: the listed keys that begin with `prefix` and contain `q`, in `sort` order (ties in key order). */
function expected(listed: Entry[], prefix: string, q: string | undefined, sort: EntrySort, order: SortOrder): [string, number | undefined][] {
  const rows = listed.filter((e) => e.key.startsWith(prefix) && (q === undefined || e.key.includes(q)));
  const value = (e: Entry) => (sort === "size" ? e.size : sort === "lastModified" ? (e.lastModified ?? "") : "");
  rows.sort((x, y) => (value(x) < value(y) ? -1 : value(x) > value(y) ? 1 : compareKeys(x.key, y.key)));
  if (order === "desc") rows.reverse();
  return rows.map((e) => [e.key, (e as Entry & { page?: number }).page]);
}

async function checkPass(s: PassStore, id: string, listed: Entry[]): Promise<void> {
  const seq = s.row(id)?.seq as number;
  for (const prefix of PREFIXES) {
    for (const q of SEARCHES) {
      const label = `${id} prefix ${JSON.stringify(prefix)} q ${JSON.stringify(q)}`;
      for (const [sort, order] of SORTS) {
        const want = expected(listed, prefix, q, sort, order);
        const w = await entriesWindow(s, id, { offset: 0, limit: 1000, sort, order, q, prefix });
        expect(w.total, `${label} ${sort} ${order} total`).toBe(want.length);
        expect(
          w.entries.map((e) => [e.key, e.page]),
          `${label} ${sort} ${order}`,
        ).toEqual(want);
        // A window in the middle is the same slice of the same order.
        const mid = await entriesWindow(s, id, { offset: 1, limit: 2, sort, order, q, prefix });
        expect(
          mid.entries.map((e) => [e.key, e.page]),
          `${label} ${sort} ${order} window 1..2`,
        ).toEqual(want.slice(1, 3));
      }
      // The keyset form, two rows at a time.
      const got: [string, number][] = [];
      let after: string | undefined;
      for (;;) {
        const r = s.entries(seq, { after, limit: 2, q, prefix });
        got.push(...r.entries.map((e): [string, number] => [e.key, e.page]));
        if (r.nextAfter === null) break;
        after = r.nextAfter;
      }
      expect(got, `${label} keyset`).toEqual(expected(listed, prefix, q, "key", "asc"));
    }
  }
}

describe("the entries prefix filter", () => {
  it("answers exactly the model's keys for passes sharing rows and for a pass kept in full", async () => {
    const s = new PassStore(path.join(tempDir("prefix-filter"), "bucketscope.db"));
    store = s;
    const sorted = [...KEYS].sort(compareKeys);
    const first = record(s, "first", sorted.map((k) => entry(k, 1)), 3);
    // The bucket changed: "a/b" is gone, "ab" and "😀" changed, "a/bb" and "é/2" are new.
    const changed = [...sorted.filter((k) => k !== "a/b"), "a/bb", "é/2"].sort(compareKeys).map((k) => entry(k, k === "ab" || k === "😀" ? 2 : 1));
    const second = record(s, "second", changed, 3);
    const stopped = record(s, "stopped", changed, 3, 3);
    s.newPassLayout = "entries";
    const full = record(s, "full", changed, 3);
    expect([s.row("first")?.layout, s.row("second")?.layout, s.row("stopped")?.layout, s.row("full")?.layout]).toEqual(["spans", "spans", "spans", "entries"]);
    expect(new Set(["second", "stopped"].map((id) => s.row(id)?.target))).toEqual(new Set([s.row("first")?.target]));
    await checkPass(s, "first", first);
    await checkPass(s, "second", second);
    await checkPass(s, "stopped", stopped);
    await checkPass(s, "full", full);
  });
});
