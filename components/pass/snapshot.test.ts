import { describe, expect, it } from "vitest";
import { passParamsSchema, type PageRecord, type PassSummary, type SnapshotInfo, type VersionsPage } from "@/lib/wire";
import { UTC_CHOICE } from "@/components/format";
import { pagePoints } from "./chart-data";
import { clockOffsetText, collectTies, markerText, snapshotAtStartParams, instantText, snapshotCounts, snapshotTitle, versionCountsText, versionStateText } from "./snapshot";

function versions(over: Partial<VersionsPage> = {}): VersionsPage {
  return {
    keyMarker: null,
    versionIdMarker: null,
    nextKeyMarker: null,
    nextVersionIdMarker: null,
    versions: 10,
    deleteMarkers: 2,
    nullVersions: 1,
    absentKeys: 1,
    ties: [],
    tieCount: 0,
    serverDate: "2025-01-01T00:00:00.000Z",
    ...over,
  };
}

function page(index: number, v: VersionsPage | undefined): PageRecord {
  return {
    index,
    request: { prefix: "", delimiter: null, maxKeys: 100, continuationToken: null, startAfter: null },
    resumedBy: null,
    requestedAt: "2025-01-01T00:00:00.000Z",
    receivedAt: "2025-01-01T00:00:00.100Z",
    durationMs: 100,
    attempts: 1,
    answered: true,
    httpStatus: 200,
    requestId: null,
    keyCount: 12,
    entryCount: 7,
    commonPrefixCount: 0,
    firstKey: "a",
    lastKey: "z",
    isTruncated: true,
    nextContinuationToken: null,
    bytes: 70,
    anomalies: [],
    anomalyCount: 0,
    error: null,
    ...(v !== undefined ? { versions: v } : {}),
  };
}

const info: SnapshotInfo = {
  asOf: "2024-03-10T00:00:00.000Z",
  asOfSource: "chosen",
  resolutionMs: 1000,
  clock: { offsetMs: 1200, uncertaintyMs: 300, measuredAt: "2025-01-01T00:00:00.000Z" },
  versioning: "Enabled",
  versions: 99,
  deleteMarkers: 9,
  nullVersions: 3,
  absentKeys: 4,
  ties: 1,
  earliestVersionedAt: null,
  warnings: [],
};

describe("the point-in-time words", () => {
  it("names T exactly in the app's zone, with the zone, to the millisecond only when it has one", () => {
    expect(snapshotTitle(info, UTC_CHOICE)).toBe("Snapshot as of 2024-03-10 00:00:00 UTC (server clock)");
    expect(snapshotTitle(info, { mode: "local", local: "America/Los_Angeles" })).toBe("Snapshot as of 2024-03-09 16:00:00 PST (server clock)");
    expect(instantText("2024-03-10T00:00:00.250Z", UTC_CHOICE)).toBe("2024-03-10 00:00:00.250 UTC");
  });

  it("says which way the server's clock is off, and nothing when the offset is within its uncertainty", () => {
    expect(clockOffsetText(info.clock)).toBe("server clock: 1.20 s ahead of ours ± 300 ms (from the Date header)");
    expect(clockOffsetText({ offsetMs: -42_000, uncertaintyMs: 500, measuredAt: "" })).toBe("server clock: 42.0 s behind ours ± 500 ms (from the Date header)");
    expect(clockOffsetText({ offsetMs: -200, uncertaintyMs: 500, measuredAt: "" }, "start")).toBe("server clock: no measurable offset from ours, within ± 500 ms (from the Date header); so T was not moved");
    expect(clockOffsetText({ offsetMs: 280, uncertaintyMs: 500, measuredAt: "" })).toBe(clockOffsetText({ offsetMs: -210, uncertaintyMs: 500, measuredAt: "" }));
    expect(clockOffsetText({ offsetMs: 2000, uncertaintyMs: 500, measuredAt: "" }, "start")).toMatch(/T was moved by it onto the server's clock$/);
    expect(clockOffsetText(null)).toMatch(/could not be measured/);
  });

  it("tells a deleted key from one that did not exist yet and names the version that was current", () => {
    expect(versionStateText(null, UTC_CHOICE)).toBe("absent (no version yet)");
    expect(versionStateText({ versionId: "v1", deleteMarker: false, lastModified: "2024-03-15T12:00:00.000Z" }, UTC_CHOICE)).toBe("version v1, 2024-03-15 12:00:00 UTC");
    expect(versionStateText({ versionId: "dm", deleteMarker: true, lastModified: null }, UTC_CHOICE)).toBe("deleted (delete marker dm)");
    expect(markerText(null, null)).toBe("— (first page)");
    expect(markerText("k", "v")).toBe("k @ v");
    expect(versionCountsText(1, 1)).toBe("1 version · 1 delete marker");
    expect(versionCountsText(1000, 0)).toBe("1,000 versions · 0 delete markers");
  });
});

describe("the snapshot's figures", () => {
  const tie = { key: "config.json", atT: { versionId: "v2", deleteMarker: false, lastModified: "2024-03-15T12:00:00.000Z" }, beforeT: null };
  const pages = [page(0, versions({ ties: [tie], tieCount: 1 })), page(1, versions({ tieCount: 25, ties: [] })), page(2, undefined)];

  it("collects the ties the pages recorded with their page, and counts the ones past each page's 20", () => {
    const { ties, total } = collectTies(pages);
    expect(ties).toEqual([{ ...tie, page: 0 }]);
    expect(total).toBe(26);
  });

  it("sums the pages while the pass runs and trusts the summary once it stopped", () => {
    expect(snapshotCounts(info, pages, "running")).toEqual({ versions: 20, deleteMarkers: 4, nullVersions: 2, absentKeys: 2, ties: 26 });
    expect(snapshotCounts(info, pages, "complete")).toEqual({ versions: 99, deleteMarkers: 9, nullVersions: 3, absentKeys: 4, ties: 1 });
  });

  it("charts versions and delete markers only for ListObjectVersions pages", () => {
    const points = pagePoints(pages);
    expect(points.map((p) => [p.versions, p.deleteMarkers])).toEqual([
      [10, 2],
      [10, 2],
      [null, null],
    ]);
  });
});

describe("snapshot at a list pass's start", () => {
  const list = (over: Partial<PassSummary>): PassSummary => ({
    id: "p1",
    kind: "list",
    snapshot: null,
    inventory: null,
    connection: "sandbox",
    bucket: "versioned",
    prefix: "logs/",
    delimiter: "/",
    pageSize: 2,
    startAfter: null,
    status: "complete",
    createdAt: "2025-01-01T10:00:00.123Z",
    endedAt: null,
    updatedAt: "2025-01-01T10:00:00.123Z",
    activeMs: 10,
    runs: 1,
    totals: { pages: 1, failedPages: 0, keys: 1, bytes: 1, prefixes: 0, anomalies: 0, requests: 1 },
    error: null,
    resumable: false,
    concurrency: 1,
    parallel: null,
    ...over,
  });

  it("asks for the same target as of the pass's start, without the delimiter a snapshot refuses", () => {
    const params = passParamsSchema.parse(snapshotAtStartParams(list({})));
    expect(params).toMatchObject({ kind: "snapshot", asOf: "2025-01-01T10:00:00.123Z", connection: "sandbox", bucket: "versioned", prefix: "logs/", pageSize: 2 });
    expect(params.delimiter).toBeUndefined();
    expect(passParamsSchema.parse(snapshotAtStartParams(list({ startAfter: "logs/a" }))).startAfter).toBe("logs/a");
  });
});
