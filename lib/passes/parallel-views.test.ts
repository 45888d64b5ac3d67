import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bandLayout, itemAt, rowsBefore } from "@/components/pass/bands";
import { diffPasses, DiffService } from "@/lib/diff";
import { compareKeys } from "@/lib/wire";
import type { Sandbox } from "@/lib/sandbox";
import type { PageEvent, PagedEntry } from "@/lib/wire";
import { entriesWindow } from "./entry-queries";
import { exportPass } from "./export";
import { prefixSummary } from "./prefix-summary";
import type { PassService } from "./service";
import { collect, putKeys, serviceFor, startTestSandbox } from "./testing/harness";

// Every view of a parallel pass works as it does for a sequential one: its pages arrive out of key
// order, but listing order (ranges by where they begin, then each range's pages) is key order.

let sandbox: Sandbox;
let passes: PassService;
let sequential: string;
let parallel: string;
let parallelPages: PageEvent[];
const keys = [
  ...Array.from({ length: 1200 }, (_, i) => `data/${String(i % 40).padStart(2, "0")}/item-${String(i).padStart(5, "0")}`),
  ...Array.from({ length: 150 }, (_, i) => `logs/${String(i).padStart(4, "0")}.txt`),
  "é/1",
  "😀",
  "\uFFFD",
].sort(compareKeys);

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("views");
  putKeys(sandbox, "views", keys);
  passes = serviceFor(sandbox);
  sandbox.faults.configure({ latencyMs: 3 });
  sequential = await passes.create({ connection: "sandbox", bucket: "views", prefix: "", pageSize: 37 });
  parallel = await passes.create({ connection: "sandbox", bucket: "views", prefix: "", pageSize: 37, concurrency: 8 });
  await Promise.all([sequential, parallel].map((id) => passes.settled(id)));
  sandbox.faults.clear();
  parallelPages = (await collect(passes.events(parallel, new AbortController().signal))).filter((e): e is PageEvent => e.type === "page");
});
afterAll(async () => {
  await passes.close();
  await sandbox.close();
});

async function allRows(id: string, order: "asc" | "desc" = "asc"): Promise<PagedEntry[]> {
  const out: PagedEntry[] = [];
  for (let offset = 0; ; offset += 113) {
    const w = await entriesWindow(passes.store, id, { offset, limit: 113, sort: "key", order });
    out.push(...w.entries);
    if (offset + 113 >= w.total) return out;
  }
}

describe("the views of a parallel pass", () => {
  it("was recorded by several ranges whose pages arrived out of key order", () => {
    expect(passes.summary(parallel)).toMatchObject({ status: "complete", concurrency: 8, totals: { keys: keys.length, anomalies: 0 } });
    expect(new Set(parallelPages.map((p) => p.page.cursor?.range)).size).toBeGreaterThan(2);
    const firstKeys = parallelPages.flatMap((p) => (p.page.firstKey !== null ? [p.page.firstKey] : []));
    expect(firstKeys).not.toEqual([...firstKeys].sort(compareKeys));
  });

  it("reads any window of key order with each row's page, and the page holds the key", async () => {
    const rows = await allRows(parallel);
    expect(rows.map((r) => r.key)).toEqual(keys);
    const window = await entriesWindow(passes.store, parallel, { offset: 500, limit: 10, sort: "key", order: "asc" });
    expect(window).toMatchObject({ offset: 500, total: keys.length, listingOrder: true });
    const pageOf = new Map(parallelPages.flatMap((p) => p.entries.map((e) => [e.key, p.page.index] as const)));
    for (const r of rows) expect(r.page).toBe(pageOf.get(r.key));
    expect((await allRows(parallel, "desc")).map((r) => r.key)).toEqual([...keys].reverse());
  });

  it("searches and sorts the whole pass", async () => {
    const found = await entriesWindow(passes.store, parallel, { offset: 0, limit: 100, sort: "key", order: "asc", q: "item-001" });
    expect(found.entries.map((e) => e.key)).toEqual(keys.filter((k) => k.includes("item-001")));
    const bySize = await entriesWindow(passes.store, parallel, { offset: 0, limit: 1000, sort: "size", order: "desc" });
    expect(bySize.total).toBe(keys.length);
    expect(bySize.entries.map((e) => e.size)).toEqual([...bySize.entries.map((e) => e.size)].sort((a, b) => b - a));
    expect(passes.entries(parallel, { after: "logs/", limit: 3 }).entries.map((e) => e.key)).toEqual(keys.filter((k) => k > "logs/").slice(0, 3));
  });

  it("keeps its entries (its pages come from several key ranges at once), while the sequential pass shares its target's rows", () => {
    expect(passes.store.row(parallel)?.layout).toBe("entries");
    expect(passes.store.row(sequential)?.layout).toBe("spans");
  });

  it("filters by prefix, alone and with a search, to exactly the keys that begin with it, like the sequential pass", async () => {
    const pageOf = new Map(parallelPages.flatMap((p) => p.entries.map((e) => [e.key, p.page.index] as const)));
    for (const prefix of ["data/", "data/07/", "logs/00", "é", "😀", "\uFFFD", "nothing"]) {
      for (const q of [undefined, "item-01", "5"]) {
        const want = keys.filter((k) => k.startsWith(prefix) && (q === undefined || k.includes(q)));
        const label = `prefix ${JSON.stringify(prefix)} q ${q}`;
        for (const id of [parallel, sequential]) {
          const w = await entriesWindow(passes.store, id, { offset: 0, limit: 1000, sort: "key", order: "asc", prefix, q });
          expect(w.total, label).toBe(want.length);
          expect(w.entries.map((e) => e.key), label).toEqual(want.slice(0, 1000));
          const tail = await entriesWindow(passes.store, id, { offset: 1000, limit: 1000, sort: "key", order: "asc", prefix, q });
          expect(tail.entries.map((e) => e.key), `${label} from 1000`).toEqual(want.slice(1000));
          const bySize = [
            ...(await entriesWindow(passes.store, id, { offset: 0, limit: 1000, sort: "size", order: "asc", prefix, q })).entries,
            ...(await entriesWindow(passes.store, id, { offset: 1000, limit: 1000, sort: "size", order: "asc", prefix, q })).entries,
          ];
          expect(bySize.map((e) => e.key).sort(compareKeys), `${label} by size`).toEqual(want);
          const keyset: string[] = [];
          let after: string | undefined;
          for (;;) {
            const r = passes.entries(id, { after, limit: 50, prefix, q });
            keyset.push(...r.entries.map((e) => e.key));
            if (id === parallel) for (const e of r.entries) expect(e.page, e.key).toBe(pageOf.get(e.key));
            if (r.nextAfter === null) break;
            after = r.nextAfter;
          }
          expect(keyset, `${label} keyset`).toEqual(want);
        }
      }
    }
  });

  it("draws page bands where each page's rows begin, from the page records alone", async () => {
    const rows = await allRows(parallel);
    const layout = bandLayout(parallelPages.map((p) => p.page));
    expect(layout.rows).toBe(keys.length);
    for (const page of layout.pages) {
      const band = layout.bandAt[layout.pages.indexOf(page)] as number;
      expect(itemAt(layout, band)).toEqual({ kind: "band", page });
      if (page.entryCount > 0) expect(rows[rowsBefore(layout, band + 1)]?.key).toBe(page.firstKey);
    }
  });

  it("exports in key order with each key's page", async () => {
    const { body } = exportPass(passes.store, parallel, "ndjson");
    const text = await new Response(body).text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as PagedEntry);
    expect(lines.map((l) => l.key)).toEqual(keys);
    const rows = await allRows(parallel);
    expect(lines.map((l) => l.page)).toEqual(rows.map((r) => r.page));
  });

  it("sums prefixes as the sequential pass does", async () => {
    const query = { depth: 2, delimiter: "/", limit: 1000 };
    expect(await prefixSummary(passes.store, parallel, query)).toEqual(await prefixSummary(passes.store, sequential, query));
  });

  it("compares with the sequential pass as equal: no key added, removed or changed", async () => {
    const diff = new DiffService(passes.store);
    for (const [a, b] of [
      [sequential, parallel],
      [parallel, sequential],
    ] as const) {
      const events = [];
      for await (const e of diffPasses(passes.store, a, b, { only: "all" })) events.push(e);
      const summary = events.at(-1);
      expect(summary?.type).toBe("summary");
      if (summary?.type !== "summary") return;
      expect(summary.summary.counts).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: keys.length });
      expect(events.filter((e) => e.type === "row").map((e) => (e.type === "row" ? e.row.key : ""))).toEqual(keys);
      const window = await diff.window({ a, b, only: "all", offset: 0, limit: 1000, allowIncomplete: false, allowDifferentBuckets: false });
      expect(window.total).toBeGreaterThan(keys.length);
      const listed = window.items.flatMap((i) => (i.type === "row" ? [i.key] : []));
      expect(listed).toEqual(keys.slice(0, listed.length));
    }
  });
});
