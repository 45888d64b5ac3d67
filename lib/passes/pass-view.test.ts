import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import type { EntriesWindowQuery, Entry, PageRecord, PagedEntry } from "@/lib/wire";
import { csvCell, csvRow } from "./csv";
import { entriesWindow } from "./entry-queries";
import { exportPass } from "./export";
import { prefixSummary, rollUp } from "./prefix-summary";
import type { PassService } from "./service";
import { PassStore } from "./store";
import { serviceFor, startTestSandbox, tempDir } from "./testing/harness";

let sandbox: Sandbox;
let passes: PassService;
let demo: string;
let photos: string;
let unicode: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  passes = serviceFor(sandbox);
  // Page size 700 leaves a short last page and puts page boundaries off the anchor grid.
  demo = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 700 });
  photos = await passes.create({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 17 });
  unicode = await passes.create({ connection: "sandbox", bucket: "unicode", prefix: "", pageSize: 5 });
  await Promise.all([demo, photos, unicode].map((id) => passes.settled(id)));
});
afterAll(async () => {
  await passes.close();
  await sandbox.close();
});

const windowOf = (id: string, q: Partial<EntriesWindowQuery>) =>
  entriesWindow(passes.store, id, { offset: 0, limit: 100, sort: "key", order: "asc", ...q });

/** Every row of one ordering, read window by window. */
async function allRows(id: string, q: Partial<EntriesWindowQuery>, limit = 250): Promise<PagedEntry[]> {
  const out: PagedEntry[] = [];
  for (let offset = 0; ; offset += limit) {
    const w = await windowOf(id, { ...q, offset, limit });
    out.push(...w.entries);
    if (offset + limit >= w.total) return out;
  }
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The reference order: the sort column, then listing position (rowid order) for ties. */
function reference(rows: PagedEntry[], compare: (a: PagedEntry, b: PagedEntry) => number, desc: boolean): string[] {
  const listed = rows.map((e, i) => ({ e, i }));
  listed.sort((a, b) => (desc ? -1 : 1) * (compare(a.e, b.e) || a.i - b.i));
  return listed.map((x) => x.e.key);
}

describe("whole-pass entries by row index", () => {
  it("reads any window of key order, ascending and descending, with each row's page", async () => {
    const asc = await allRows(demo, {});
    expect(asc).toHaveLength(3000);
    expect(asc.map((e) => e.key)).toEqual(Array.from({ length: 3000 }, (_, i) => `obj_${String(i).padStart(4, "0")}`));
    expect(asc.map((e) => e.page)).toEqual(Array.from({ length: 3000 }, (_, i) => Math.floor(i / 700)));

    const w = await windowOf(demo, { offset: 695, limit: 10 });
    expect(w).toMatchObject({ offset: 695, total: 3000, listingOrder: true });
    expect(w.entries.map((e) => [e.key, e.page])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`obj_${String(695 + i).padStart(4, "0")}`, 695 + i < 700 ? 0 : 1]),
    );
    const desc = await windowOf(demo, { order: "desc", offset: 0, limit: 3 });
    expect(desc.entries.map((e) => e.key)).toEqual(["obj_2999", "obj_2998", "obj_2997"]);
    expect((await windowOf(demo, { order: "desc", offset: 2998, limit: 10 })).entries.map((e) => e.key)).toEqual(["obj_0001", "obj_0000"]);
    expect((await windowOf(demo, { offset: 3000 })).entries).toEqual([]);
  });

  it("sorts by size and LastModified across the whole pass, ties in listing order, from a ranking written once", async () => {
    const listed = await allRows(photos, {});
    const bySize = (a: PagedEntry, b: PagedEntry) => a.size - b.size;
    const byModified = (a: PagedEntry, b: PagedEntry) => ((a.lastModified ?? "") < (b.lastModified ?? "") ? -1 : (a.lastModified ?? "") > (b.lastModified ?? "") ? 1 : 0);
    for (const desc of [false, true]) {
      const order = desc ? "desc" : "asc";
      expect((await allRows(photos, { sort: "size", order }, 7)).map((e) => e.key)).toEqual(reference(listed, bySize, desc));
      expect((await allRows(photos, { sort: "lastModified", order }, 7)).map((e) => e.key)).toEqual(reference(listed, byModified, desc));
    }
    const newest = (await windowOf(photos, { sort: "lastModified", order: "desc", limit: 1 })).entries[0];
    expect(newest?.lastModified).toBe(listed.map((e) => e.lastModified ?? "").sort().at(-1));

    // Every demo object has the same size: ties keep listing order.
    const demoListed = await allRows(demo, {});
    for (const desc of [false, true]) {
      const order = desc ? "desc" : "asc";
      const rows = await allRows(demo, { sort: "size", order }, 333);
      expect(rows.map((e) => e.key)).toEqual(reference(demoListed, bySize, desc));
      const far = await windowOf(demo, { sort: "size", order, offset: 2345, limit: 20 });
      expect(far.entries.map((e) => e.key)).toEqual(rows.slice(2345, 2365).map((e) => e.key));
      expect(far.listingOrder).toBe(false);
    }
    expect((await windowOf(demo, { sort: "lastModified", order: "desc", limit: 1 })).entries[0]?.key).toBe("obj_2999");
  });

  it("searches by substring over the whole pass and orders the matches", async () => {
    const w = await windowOf(demo, { q: "obj_11", limit: 1000 });
    expect(w.total).toBe(100);
    expect(w.listingOrder).toBe(false);
    expect(w.entries.map((e) => e.key)).toEqual(Array.from({ length: 100 }, (_, i) => `obj_${1100 + i}`));
    expect((await windowOf(demo, { q: "obj_11", order: "desc", offset: 98, limit: 5 })).entries.map((e) => e.key)).toEqual(["obj_1101", "obj_1100"]);
    const big = await allRows(photos, { q: "IMG", sort: "size", order: "desc" }, 9);
    const sizes = big.map((e) => e.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(big.every((e) => e.key.includes("IMG"))).toBe(true);
    expect((await windowOf(unicode, { q: "\n" })).entries.map((e) => e.key)).toEqual(["line\nbreak.txt"]);
    expect(await windowOf(demo, { q: "nothing" })).toMatchObject({ total: 0, entries: [] });
  });

  it("filters by prefix (keys that begin with it, in UTF-8 bytes) with the prefix summary's own count", async () => {
    const summary = await prefixSummary(passes.store, photos, { depth: 1, delimiter: "/", limit: 1000 });
    const group = summary.groups.find((g) => g.prefix === "2019/" && !g.direct);
    const byPrefix = await windowOf(photos, { prefix: "2019/", limit: 1000 });
    // A substring search finds thumbnails/2019/… too; the prefix does not.
    expect((await windowOf(photos, { q: "2019/" })).total).toBe(7);
    expect(byPrefix.total).toBe(6);
    expect(byPrefix.total).toBe(group?.keys);
    expect(byPrefix.listingOrder).toBe(false);
    expect(byPrefix.entries.every((e) => e.key.startsWith("2019/"))).toBe(true);
    expect((await windowOf(photos, { prefix: "2019/", q: "IMG_000", sort: "size", order: "desc" })).total).toBe(6);
    expect((await windowOf(photos, { prefix: "2019/", q: "0004" })).entries.map((e) => e.key)).toEqual(["2019/paris/IMG_0004.jpg"]);
    // Multi-byte prefixes, and one that is a whole key.
    expect((await windowOf(unicode, { prefix: "caf" })).entries.map((e) => e.key)).toEqual(["cafe\u0301-decomposed.txt", "caf\u00E9-precomposed.txt"]);
    expect((await windowOf(unicode, { prefix: "order/\uFF21" })).entries.map((e) => e.key)).toEqual(["order/\uFF21"]);
    expect((await windowOf(unicode, { prefix: "日本語/" })).total).toBe(1);
    expect(await windowOf(demo, { prefix: "zzz" })).toMatchObject({ total: 0, entries: [] });
    // The keyset form takes the same filter.
    const keyset = passes.entries(photos, { limit: 4, prefix: "2019/" });
    expect(keyset.entries.map((e) => e.key)).toEqual(["2019/paris/IMG_0001.jpg", "2019/paris/IMG_0002.jpg", "2019/paris/IMG_0003.jpg", "2019/paris/IMG_0004.jpg"]);
    expect(passes.entries(photos, { limit: 10, prefix: "2019/", after: keyset.nextAfter ?? "" }).entries).toHaveLength(2);
    expect(passes.entries(photos, { limit: 10, prefix: "2019/", q: "0006" }).entries.map((e) => e.key)).toEqual(["2019/paris/IMG_0006.jpg"]);
  });

  it("ranks a finished pass when it is sorted, in memory, and stores no ranking on disk", async () => {
    const db = passes.store.db;
    const bySize = await allRows(photos, { sort: "size" });
    expect(bySize).toHaveLength((await allRows(photos, {})).length);
    const sizes = bySize.map((e) => e.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    // Every window is a slice of that one order.
    expect((await windowOf(photos, { sort: "size", offset: 3, limit: 4 })).entries).toEqual(bySize.slice(3, 7));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain("entry_order");
    expect(tables).not.toContain("entry_order_built");
    // Recording pays for no index on size or LastModified.
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'").pluck().all();
    expect(indexes).not.toContain("entries_by_size");
    expect(indexes).not.toContain("entries_by_last_modified");
  });

  it("orders a running pass anew as pages arrive, and again once it has more pages", async () => {
    const store = new PassStore(`${tempDir("growing")}/bucketscope.db`);
    try {
      store.create({ id: "g", connection: "sandbox", bucket: "b", prefix: "", delimiter: null, pageSize: 2, startAfter: null });
      const seq = store.row("g")?.seq as number;
      const page = (index: number, sizes: number[]) => {
        const entries: Entry[] = sizes.map((size, i) => ({ key: `k${index}-${i}`, size, etag: null, lastModified: null, storageClass: null }));
        const record = { index, answered: true, error: null, isTruncated: true, nextContinuationToken: "t", entryCount: sizes.length, bytes: 0, anomalyCount: 0, attempts: 1, lastKey: entries.at(-1)?.key ?? null } as unknown as PageRecord;
        store.recordPage(seq, { record, entries, commonPrefixes: [] });
      };
      const bySize = async () => (await entriesWindow(store, "g", { offset: 0, limit: 10, sort: "size", order: "desc" })).entries.map((e) => e.size);
      page(0, [5, 1]);
      expect(await bySize()).toEqual([5, 1]);
      store.finish("g", "cancelled", null);
      expect(await bySize()).toEqual([5, 1]);
      store.markResumed("g");
      page(1, [9, 3]);
      store.finish("g", "complete", null);
      expect(await bySize()).toEqual([9, 5, 3, 1]);
    } finally {
      store.close();
    }
  });

  it("falls back from listing order to the key index when keys arrived out of order", async () => {
    const store = new PassStore(`${tempDir("anomalies")}/bucketscope.db`);
    try {
      store.create({ id: "p1", connection: "sandbox", bucket: "b", prefix: "", delimiter: null, pageSize: 3, startAfter: null });
      const seq = store.row("p1")?.seq as number;
      const page = (index: number, keys: string[], anomalyCount: number) => {
        const entries: Entry[] = keys.map((key) => ({ key, size: key.length, etag: null, lastModified: null, storageClass: null }));
        const record = { index, answered: true, error: null, isTruncated: true, nextContinuationToken: "t", entryCount: keys.length, bytes: 0, anomalyCount, attempts: 1, lastKey: keys.at(-1) ?? null } as unknown as PageRecord;
        store.recordPage(seq, { record, entries, commonPrefixes: [] });
      };
      page(0, ["a", "c", "e"], 0);
      page(1, ["b", "d", "f"], 2);
      const w = await entriesWindow(store, "p1", { offset: 1, limit: 4, sort: "key", order: "asc" });
      expect(w.listingOrder).toBe(false);
      expect(w.entries.map((e) => [e.key, e.page])).toEqual([["b", 1], ["c", 0], ["d", 1], ["e", 0]]);
      // LastModified is NULL everywhere: ordered by SQLite once instead of through anchors.
      const byModified = await entriesWindow(store, "p1", { offset: 0, limit: 10, sort: "lastModified", order: "desc" });
      expect(byModified.entries.map((e) => e.key)).toEqual(["f", "d", "b", "e", "c", "a"]);
    } finally {
      store.close();
    }
  });

  it("answers unknown_pass for a pass that does not exist", async () => {
    await expect(windowOf("nope", {})).rejects.toMatchObject({ code: "unknown_pass" });
  });
});

describe("the prefix summary", () => {
  it("rolls folders up to any depth below the pass's prefix", () => {
    const folders = [
      { folder: "", keys: 2, bytes: 10 },
      { folder: "a/", keys: 1, bytes: 5 },
      { folder: "a/b/", keys: 3, bytes: 30 },
      { folder: "a/b/c/", keys: 4, bytes: 40 },
      { folder: "x/", keys: 1, bytes: 100 },
    ];
    const one = rollUp(folders, "", { depth: 1, delimiter: "/", limit: 10 });
    expect(one).toMatchObject({ maxDepth: 3, totalKeys: 11, totalBytes: 185, groupCount: 3 });
    expect(one.groups).toEqual([
      { prefix: "x/", direct: false, keys: 1, bytes: 100 },
      { prefix: "a/", direct: false, keys: 8, bytes: 75 },
      { prefix: "", direct: true, keys: 2, bytes: 10 },
    ]);
    const two = rollUp(folders, "", { depth: 2, delimiter: "/", limit: 2 });
    expect(two.groups.map((g) => [g.prefix, g.direct, g.keys])).toEqual([
      ["x/", true, 1],
      ["a/b/", false, 7],
    ]);
    expect(two.others).toEqual({ groups: 2, keys: 3, bytes: 15 });
    const below = rollUp([{ folder: "a/b/", keys: 3, bytes: 30 }, { folder: "a/", keys: 1, bytes: 1 }], "a/", { depth: 1, delimiter: "/", limit: 10 });
    expect(below.groups.map((g) => [g.prefix, g.direct])).toEqual([["a/b/", false], ["a/", true]]);
  });

  it("counts keys and bytes per folder of the photos pass", async () => {
    const all = await allRows(photos, {});
    const top = await prefixSummary(passes.store, photos, { depth: 1, delimiter: "/", limit: 100 });
    expect(top.totalKeys).toBe(all.length);
    expect(top.totalBytes).toBe(all.reduce((s, e) => s + e.size, 0));
    const expected = new Map<string, { keys: number; bytes: number }>();
    for (const e of all) {
      const slash = e.key.indexOf("/");
      const name = slash === -1 ? "" : e.key.slice(0, slash + 1);
      const g = expected.get(name) ?? { keys: 0, bytes: 0 };
      g.keys++;
      g.bytes += e.size;
      expected.set(name, g);
    }
    expect(new Map(top.groups.map((g) => [g.prefix, { keys: g.keys, bytes: g.bytes }]))).toEqual(expected);
    expect(top.groups.find((g) => g.prefix === "")?.direct).toBe(true);
    const deep = await prefixSummary(passes.store, photos, { depth: 2, delimiter: "/", limit: 100 });
    expect(deep.maxDepth).toBe(4);
    expect(deep.groups.find((g) => g.prefix === "2021/wedding/")?.keys).toBe(21);
    expect(deep.groups.find((g) => g.prefix === "2023/" && g.direct)?.keys).toBe(1);
  });
});

/** A small RFC 4180 reader, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

describe("CSV cells", () => {
  it("neutralises cells a spreadsheet would run as formulas", () => {
    expect(csvCell("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell("\rx")).toBe("\"'\rx\"");
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell(-5)).toBe("-5");
  });

  it("quotes commas, quotes and line breaks as RFC 4180 does", () => {
    expect(csvCell("plain.txt")).toBe("plain.txt");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("=a,\"b\"")).toBe('"\'=a,""b"""');
    expect(csvCell(null)).toBe("");
    expect(csvRow(["k", 1, null])).toBe("k,1,\r\n");
    expect(parseCsv(csvRow(["a,b", 'q"', "x\r\ny", 7]))).toEqual([["a,b", 'q"', "x\r\ny", "7"]]);
  });
});

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

describe("the export", () => {
  it("streams every entry as CSV that reads back to the same keys, hostile ones included", async () => {
    const file = exportPass(passes.store, unicode, "csv");
    expect(file.filename).toBe(`unicode-${unicode}.csv`);
    const rows = parseCsv(await text(file.body));
    expect(rows[0]).toEqual(["key", "size", "last_modified", "etag", "storage_class", "page_number"]);
    const all = await allRows(unicode, {});
    const keys = all.map((e) => e.key);
    // Page numbers from 1 in the file people open; the API's page index is one less.
    expect(rows.slice(1).map((r) => Number(r[5]))).toEqual(all.map((e) => e.page + 1));
    expect(rows[1]?.[5]).toBe("1");
    expect(rows.slice(1).map((r) => r[0])).toEqual(keys.map((k) => (/^[=+\-@\t\r]/.test(k) ? `'${k}` : k)));
    expect(rows.slice(1).every((r) => r.length === 6)).toBe(true);
  });

  it("streams NDJSON, one entry per line in listing order, in several chunks for big passes", async () => {
    const file = exportPass(passes.store, demo, "ndjson");
    const reader = file.body.getReader();
    let chunks = 0;
    let body = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks++;
      body += new TextDecoder().decode(value);
    }
    const lines = body.trimEnd().split("\n").map((l) => JSON.parse(l) as PagedEntry);
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toMatchObject({ key: "obj_2999", size: 9, page: 4 });
    expect(chunks).toBeGreaterThanOrEqual(1);
    expect([...lines].map((l) => l.key).sort(byteOrder)).toEqual(lines.map((l) => l.key));
  });
});
