import { describe, expect, it } from "vitest";
import type { PageRecord, ParallelInfo, PassError, PassSummary } from "@/lib/wire";
import { bandIndexOf, bandLayout, itemAt, rowsBefore } from "./bands";
import { latencyStats, pagePoints } from "./chart-data";
import { explainParallel, explainPass } from "./explain";
import { cursorLanes } from "./lanes";
import { displayTotals, elapsedMs, emptyLivePass, foldPassEvent, keysPerSecond, liveEventSchema } from "./live";
import { DEFAULT_PASS_VIEW, parsePassListFilters, parsePassView, passHref, passListApiUrl, passListHref } from "./search-params";
import { BLOCK_ROWS, blocksFor, jumped } from "./windows";

function page(index: number, over: Partial<PageRecord> = {}): PageRecord {
  return {
    index,
    request: { prefix: "", delimiter: null, maxKeys: 100, continuationToken: index === 0 ? null : `t${index}`, startAfter: null },
    resumedBy: null,
    requestedAt: "2025-01-01T00:00:00.000Z",
    receivedAt: "2025-01-01T00:00:00.100Z",
    durationMs: 100 + index,
    attempts: 1,
    answered: true,
    httpStatus: 200,
    requestId: `r${index}`,
    keyCount: 100,
    entryCount: 100,
    commonPrefixCount: 0,
    firstKey: `k${index}00`,
    lastKey: `k${index}99`,
    isTruncated: true,
    nextContinuationToken: `t${index + 1}`,
    bytes: 1000,
    anomalies: [],
    anomalyCount: 0,
    error: null,
    ...over,
  };
}

const throttled: PassError = { code: "throttled", message: "S3 asked to slow down (SlowDown): reduce your rate", httpStatus: 503, s3Code: "SlowDown", requestId: "REQ1", retryable: true };

function summary(over: Partial<PassSummary> = {}): PassSummary {
  return {
    id: "p1",
    kind: "list",
    snapshot: null,
    inventory: null,
    connection: "sandbox",
    bucket: "demo",
    prefix: "",
    delimiter: null,
    pageSize: 100,
    startAfter: null,
    status: "running",
    createdAt: "2025-01-01T00:00:00.000Z",
    endedAt: null,
    updatedAt: "2025-01-01T00:00:00.000Z",
    activeMs: 1000,
    runs: 1,
    totals: { pages: 3, failedPages: 0, keys: 300, bytes: 3000, prefixes: 0, anomalies: 0, requests: 3 },
    error: null,
    resumable: false,
    concurrency: 1,
    parallel: null,
    ...over,
  };
}

describe("the pass view's URL", () => {
  it("round-trips every view setting through a link, defaults left out", () => {
    expect(passHref("p1")).toBe("/passes/p1");
    const view = { tab: "pages" as const, sort: "lastModified" as const, order: "desc" as const, q: "a+b c%/é#?", prefix: "2019/", page: 7, depth: 3, key: "2019/a b+c.jpg" };
    const href = passHref("p1", view);
    // The URL names the page as people count it: the page with index 7 is page 8.
    expect(href).toBe("/passes/p1?tab=pages&sort=lastModified&order=desc&prefix=2019%2F&q=a%2Bb%20c%25%2F%C3%A9%23%3F&page=8&depth=3&key=2019%2Fa%20b%2Bc.jpg");
    expect(parsePassView(new URL(href, "http://x").searchParams)).toEqual({ value: view, problems: [] });
    expect(parsePassView({ page: "1" }).value.page).toBe(0);
    expect(parsePassView({ page: "0" }).problems).toEqual(["page numbers count from 1"]);
  });

  it("falls back to defaults for unusable parameters and says which", () => {
    const parsed = parsePassView({ sort: "color", order: "up", page: "-1", depth: "0", tab: "x", q: "ok" });
    expect(parsed.value).toEqual({ ...DEFAULT_PASS_VIEW, q: "ok" });
    expect(parsed.problems).toHaveLength(5);
    expect(parsed.problems.join("\n")).toMatch(/^sort must be one of key, size, lastModified$/m);
    expect(parsePassView({ q: "x".repeat(1025) }).problems[0]).toBe("q must be at most 1024 bytes of UTF-8");
  });

  it("keeps the list's filters in the URL and the API query", () => {
    const parsed = parsePassListFilters({ connection: "sandbox", bucket: "Bad_Bucket", prefix: "a/" });
    expect(parsed.value).toEqual({ connection: "sandbox", prefix: "a/" });
    expect(parsed.problems[0]).toMatch(/^bucket: /);
    expect(passListHref(parsed.value)).toBe("/passes?connection=sandbox&prefix=a%2F");
    expect(passListApiUrl(parsed.value, 50)).toBe("/api/passes?limit=50&connection=sandbox&prefix=a%2F");
  });
});

describe("page bands in the whole-pass table", () => {
  const layout = bandLayout([page(0), page(1, { entryCount: 0, error: throttled, answered: false }), page(2, { entryCount: 50 })]);

  it("puts one band before each page's first row", () => {
    expect(layout).toMatchObject({ bandAt: [0, 101, 102], rows: 150, items: 153 });
    expect(itemAt(layout, 0)).toMatchObject({ kind: "band", page: { index: 0 } });
    expect(itemAt(layout, 1)).toEqual({ kind: "row", row: 0 });
    expect(itemAt(layout, 100)).toEqual({ kind: "row", row: 99 });
    expect(itemAt(layout, 101)).toMatchObject({ kind: "band", page: { index: 1 } });
    expect(itemAt(layout, 102)).toMatchObject({ kind: "band", page: { index: 2 } });
    expect(itemAt(layout, 103)).toEqual({ kind: "row", row: 100 });
    expect(itemAt(layout, 152)).toEqual({ kind: "row", row: 149 });
    // Rows of pages not replayed yet follow the last band.
    expect(itemAt(layout, 160)).toEqual({ kind: "row", row: 157 });
    expect(bandIndexOf(layout, 2)).toBe(102);
    expect(bandIndexOf(layout, 9)).toBeNull();
  });

  it("counts the rows before any item", () => {
    expect([0, 1, 2, 101, 102, 103, 104].map((i) => rowsBefore(layout, i))).toEqual([0, 0, 1, 100, 100, 100, 101]);
  });

  it("asks for fixed blocks, the last one as long as the rows it holds", () => {
    expect(blocksFor(0, 40, 3000)).toEqual([{ offset: 0, limit: BLOCK_ROWS }]);
    expect(blocksFor(190, 410, 3000).map((b) => b.offset)).toEqual([0, 200, 400]);
    expect(blocksFor(2950, 3100, 3000)).toEqual([{ offset: 2800, limit: 200 }]);
    expect(blocksFor(0, 40, 130)).toEqual([{ offset: 0, limit: 130 }]);
    expect(blocksFor(0, 40, 0)).toEqual([]);
    expect(jumped(blocksFor(0, 40, 1e6), blocksFor(10, 60, 1e6))).toBe(false);
    expect(jumped(blocksFor(0, 40, 1e6), blocksFor(999_000, 999_040, 1e6))).toBe(true);
  });
});

describe("page bands of a parallel pass", () => {
  const at = (index: number, range: number, after: string | null, firstKey: string) =>
    page(index, { firstKey, lastKey: firstKey, entryCount: 10, cursor: { range, after, through: null, page: 0, beyond: 0 } });

  it("come in key order (ranges by where they begin, astral after U+FFFD), whatever order the pages arrived in", () => {
    const pages = [at(0, 0, null, "a"), at(1, 2, "\u{1F600}", "\u{1F601}"), at(2, 1, "\uFFFD", "\uFFFE"), at(3, 0, null, "b"), at(4, 2, "\u{1F600}", "\u{1F602}")];
    const layout = bandLayout(pages);
    expect(layout.pages.map((p) => p.index)).toEqual([0, 3, 2, 1, 4]);
    expect(layout.bandAt).toEqual([0, 11, 22, 33, 44]);
    expect(bandIndexOf(layout, 1)).toBe(33);
  });

  it("follow a fallback: the withdrawn ranges' pages keep their bands but no rows, and the totals drop", () => {
    let live = foldPassEvent(emptyLivePass(), { type: "pass", pass: summary() }, 0);
    live = foldPassEvent(live, { type: "page", page: at(0, 0, null, "a"), commonPrefixes: [] });
    live = foldPassEvent(live, { type: "page", page: at(1, 1, "m", "n"), commonPrefixes: [] });
    const fallback = at(2, 0, null, "b");
    live = foldPassEvent(live, { type: "page", page: { ...fallback, cursor: { ...(fallback.cursor as NonNullable<PageRecord["cursor"]>), withdrew: [1] } }, commonPrefixes: [] });
    expect(live.pages.map((p) => p.entryCount)).toEqual([10, 0, 10]);
    expect(live.pages[1]?.cursor?.withdrawn).toMatch(/fell back to one cursor/);
    expect(live.totals.keys).toBe(20);
    expect(bandLayout(live.pages).rows).toBe(20);
  });
});

describe("the pages chart's data", () => {
  it("has one point per page, marking failures over anomalies over retries", () => {
    const points = pagePoints([page(0), page(1, { attempts: 3 }), page(2, { anomalyCount: 2, attempts: 2 }), page(3, { error: throttled, entryCount: 0 })]);
    expect(points.map((p) => [p.page, p.mark, p.keys, p.latencyMs])).toEqual([
      [0, null, 100, 100],
      [1, "retried", 100, 101],
      [2, "anomaly", 100, 102],
      [3, "failed", 0, 103],
    ]);
  });

  it("merges neighbouring pages past the point budget: slowest latency, mean size, any mark", () => {
    const pages = Array.from({ length: 1000 }, (_, i) => page(i, { entryCount: i % 2 === 0 ? 100 : 50, attempts: i === 501 ? 2 : 1 }));
    const points = pagePoints(pages, 300);
    expect(points).toHaveLength(250);
    expect(points[0]).toMatchObject({ page: 0, lastPage: 3, latencyMs: 103, keys: 75, mark: null });
    expect(points.find((p) => p.mark === "retried")).toMatchObject({ page: 500, lastPage: 503 });
    expect(latencyStats(pages)).toMatchObject({ median: 600, slowest: { index: 999 } });
  });
});

describe("following the events stream", () => {
  it("keeps page records and totals, not entries, and ends with the server's totals", () => {
    let live = foldPassEvent(emptyLivePass(), { type: "pass", pass: summary({ totals: { ...summary().totals, pages: 2, keys: 200 } }) }, 5000);
    live = foldPassEvent(live, { type: "page", page: page(0), commonPrefixes: [] });
    expect(displayTotals(live, summary()).keys).toBe(200);
    live = foldPassEvent(live, { type: "page", page: page(1), commonPrefixes: [] });
    live = foldPassEvent(live, { type: "page", page: page(1), commonPrefixes: [] });
    live = foldPassEvent(live, { type: "page", page: page(2, { attempts: 2 }), commonPrefixes: [] });
    expect(live.pages).toHaveLength(3);
    expect(displayTotals(live, summary())).toMatchObject({ pages: 3, keys: 300, requests: 4 });
    expect(elapsedMs(live, 6500)).toBe(2500);
    expect(keysPerSecond(300, 2500)).toBe(120);
    expect(keysPerSecond(10, 100)).toBeNull();
    // A finished pass has a rate however short it was: "—" would read as "unknown".
    expect(keysPerSecond(10, 100, false)).toBe(100);
    const final = summary({ status: "complete", activeMs: 4000, totals: { ...summary().totals, pages: 3, keys: 300, requests: 4 } });
    live = foldPassEvent(live, { type: "end", status: "complete", totals: final.totals, error: null, pass: final });
    expect(live).toMatchObject({ ended: true, status: "complete" });
    expect(elapsedMs(live, 99_999)).toBe(4000);
  });

  it("reads page lines without validating or keeping their entries", () => {
    const line = { type: "page", page: page(0), entries: [{ key: 1 }, "not an entry"], commonPrefixes: ["a/"] };
    expect(liveEventSchema.parse(line)).toEqual({ type: "page", page: page(0), commonPrefixes: ["a/"] });
    expect(() => liveEventSchema.parse({ ...line, page: { ...page(0), index: "0" } })).toThrow();
  });
});

describe("explaining why a pass stopped", () => {
  it("says what happened, what is kept and what to do", () => {
    const e = explainPass("failed", throttled, 12);
    expect(e).toMatchObject({ tone: "bad", title: "S3 asked to slow down and the retries ran out" });
    expect(e?.detail).toContain("S3 asked to slow down (SlowDown): reduce your rate");
    expect(e?.detail).toContain("The 12 recorded pages are kept.");
    expect(e?.facts).toEqual(["S3 code SlowDown", "HTTP 503", "request id REQ1", "retryable"]);
    expect(explainPass("interrupted", null, 1)?.detail).toContain("The 1 recorded page is kept.");
    expect(explainPass("cancelled", null, 4)?.title).toMatch(/^Cancelled/);
    expect(explainPass("complete", null, 4)).toBeNull();
    expect(explainPass("failed", { ...throttled, code: "mystery" }, 0)?.title).toBe("The pass failed");
  });
});

describe("explaining how a parallel pass lists", () => {
  const info = (over: Partial<ParallelInfo> = {}): ParallelInfo => ({
    requested: 16,
    cap: null,
    current: 16,
    lowest: 16,
    throttled: 0,
    ranges: { total: 20, pending: 2, listing: 16, done: 2, withdrawn: 0 },
    fallback: null,
    notes: [],
    ...over,
  });

  it("says how many cursors list now, and why fewer than asked", () => {
    expect(explainParallel(info(), true)).toMatchObject({ tone: "neutral", title: "Listing with 16 of 16 cursors", facts: ["20 key ranges (16 listing, 2 waiting, 2 done)"] });
    const slowed = explainParallel(
      info({ current: 4, lowest: 2, throttled: 3, notes: [{ at: "2025-01-01T00:00:00.000Z", kind: "backoff", message: "S3 asked to slow down (503 SlowDown): 16 → 8 cursors." }] }),
      true,
    );
    expect(slowed).toMatchObject({ tone: "warn", title: "Listing with 4 of 16 cursors", detail: "S3 asked to slow down (503 SlowDown): 16 → 8 cursors." });
    expect(slowed.facts).toContain("3 × 503 SlowDown, down to 2 cursors");
    expect(explainParallel(info({ cap: 4, current: 4 }), false)).toMatchObject({ title: "Listed with up to 4 cursors" });
    expect(explainParallel(info({ cap: 4, current: 4 }), false).facts).toContain("asked for 16, the connection allows 4");
  });

  it("puts a fallback to one cursor first, with the reason", () => {
    const fallback = { reason: "ignores-start-after" as const, message: "this server ignores StartAfter", at: "2025-01-01T00:00:00.000Z" };
    expect(explainParallel(info({ fallback, ranges: { total: 5, pending: 0, listing: 1, done: 0, withdrawn: 4 } }), true)).toMatchObject({
      tone: "warn",
      title: "Fell back to one cursor",
      detail: "this server ignores StartAfter",
      facts: ["5 key ranges (1 listing, 0 waiting, 0 done)", "4 withdrawn"],
    });
  });
});

describe("cursor lanes", () => {
  const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
  const ranged = (index: number, range: number, after: string | null, through: string | null, from: number, to: number, over: Partial<PageRecord> = {}) =>
    page(index, { requestedAt: at(from), receivedAt: at(to), cursor: { range, after, through, page: 0, beyond: 0 }, ...over });

  it("lays ranges one after another in the lane of the cursor that was free, says where ranges meet and what each lists now", () => {
    const pages = [
      ranged(0, 0, null, null, 0, 100),
      ranged(1, 1, "m", null, 110, 200),
      ranged(2, 0, null, "m", 100, 210, { cursor: { range: 0, after: null, through: "f", page: 1, beyond: 4 } }),
      ranged(3, 1, "m", null, 200, 300, { isTruncated: false }),
      ranged(4, 2, "f", "m", 220, 320),
      ranged(5, 3, "t", null, 330, 400, { cursor: { range: 3, after: "t", through: null, page: 0, beyond: 0, withdrawn: "the server ignores StartAfter" }, entryCount: 0 }),
    ];
    const model = cursorLanes(pages);
    expect(model.lanes.map((l) => l.spans.map((s) => [s.range, s.state]))).toEqual([
      [
        [0, "done"],
        [2, "listing"],
        [3, "withdrawn"],
      ],
      [[1, "done"]],
    ]);
    expect(model.lanes.map((l) => [l.number, l.pages, l.keys])).toEqual([
      [1, 4, 300],
      [2, 2, 200],
    ]);
    expect(model.lanes[0]?.spans[0]).toMatchObject({ after: null, through: "f", pageIndexes: [0, 2], firstKey: "k000", lastKey: "k299" });
    expect(model.splitPoints).toEqual(["f", "m", "t"]);
    expect(model.ranges).toBe(4);
    expect(model.endMs - model.startMs).toBe(400);
  });

  it("has no lanes for a pass listed with one cursor", () => {
    expect(cursorLanes([page(0), page(1)]).lanes).toEqual([]);
  });
});
