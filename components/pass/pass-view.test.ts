import { describe, expect, it } from "vitest";
import type { PageRecord, PassError, PassSummary } from "@/lib/wire";
import { bandIndexOf, bandLayout, itemAt, rowsBefore } from "./bands";
import { latencyStats, pagePoints } from "./chart-data";
import { explainPass } from "./explain";
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
    ...over,
  };
}

describe("the pass view's URL", () => {
  it("round-trips every view setting through a link, defaults left out", () => {
    expect(passHref("p1")).toBe("/passes/p1");
    const view = { tab: "pages" as const, sort: "lastModified" as const, order: "desc" as const, q: "a+b c%/é#?", page: 7, depth: 3 };
    const href = passHref("p1", view);
    expect(href).toBe("/passes/p1?tab=pages&sort=lastModified&order=desc&q=a%2Bb%20c%25%2F%C3%A9%23%3F&page=7&depth=3");
    expect(parsePassView(new URL(href, "http://x").searchParams)).toEqual({ value: view, problems: [] });
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
