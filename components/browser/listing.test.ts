import { describe, expect, it } from "vitest";
import type { BrowsePageEvent, Entry, PageRecord } from "@/lib/wire";
import { applyBrowseEvent, compareCodePoints, emptyListing, snapshotListing } from "./listing";

function entry(key: string, size = 1): Entry {
  return { key, size, etag: '"e"', lastModified: "2024-01-01T00:00:00.000Z", storageClass: "STANDARD" };
}

function pageEvent(index: number, keys: string[], prefixes: string[] = [], tokenIn: string | null = null, tokenOut: string | null = null): BrowsePageEvent {
  const entries = keys.map((k) => entry(k));
  const record: PageRecord = {
    index,
    request: { prefix: "", delimiter: "/", maxKeys: 1000, continuationToken: tokenIn, startAfter: null },
    resumedBy: null,
    requestedAt: "2024-01-01T00:00:00.000Z",
    receivedAt: "2024-01-01T00:00:00.010Z",
    durationMs: 10,
    attempts: 1,
    answered: true,
    httpStatus: 200,
    requestId: null,
    keyCount: keys.length + prefixes.length,
    entryCount: keys.length,
    commonPrefixCount: prefixes.length,
    firstKey: keys[0] ?? null,
    lastKey: keys.at(-1) ?? null,
    isTruncated: tokenOut !== null,
    nextContinuationToken: tokenOut,
    bytes: keys.length,
    anomalies: [],
    anomalyCount: 0,
    error: null,
  };
  return { type: "page", page: record, entries, commonPrefixes: prefixes };
}

describe("folding the browse stream", () => {
  it("opens every page with a band and interleaves folders and objects in S3's byte order", () => {
    const listing = emptyListing();
    applyBrowseEvent(listing, pageEvent(0, ["a.txt", "c.txt"], ["b/", "d/"], null, "tok1"));
    applyBrowseEvent(listing, pageEvent(1, ["e.txt"], [], "tok1", null));
    const names = listing.rows.map((r) => (r.kind === "band" ? `#${r.band.index}` : r.kind === "folder" ? r.prefix : r.entry.key));
    expect(names).toEqual(["#0", "a.txt", "b/", "c.txt", "d/", "#1", "e.txt"]);
    expect(listing.bandRows).toEqual([0, 5]);
    expect(listing.bands.map((b) => [b.firstKey, b.lastKey, b.tokenIn, b.tokenOut])).toEqual([
      ["a.txt", "d/", null, "tok1"],
      ["e.txt", "e.txt", "tok1", null],
    ]);
    expect([listing.objects, listing.folders, listing.bytes]).toEqual([3, 2, 3]);
  });

  it("orders astral characters after U+E000..U+FFFF, as UTF-8 bytes do", () => {
    expect(compareCodePoints("\u{1F600}", "\uFFFD")).toBeGreaterThan(0);
    expect(compareCodePoints("\uFFFD", "\u{1F600}")).toBeLessThan(0);
    expect(compareCodePoints("ab", "abc")).toBeLessThan(0);
    const listing = emptyListing();
    applyBrowseEvent(listing, pageEvent(0, ["\uFFFD.txt"], ["\u{1F600}/"]));
    expect(listing.bands[0]?.lastKey).toBe("\u{1F600}/");
  });

  it("gives each snapshot its own row count, so later pages do not change what was rendered", () => {
    const listing = emptyListing();
    applyBrowseEvent(listing, pageEvent(0, ["a"]));
    const first = snapshotListing(listing);
    applyBrowseEvent(listing, pageEvent(1, ["b"]));
    const second = snapshotListing(listing);
    expect([first.rowCount, first.bands.length, second.rowCount, second.bands.length]).toEqual([2, 1, 4, 2]);
  });

  it("keeps the end line and a broken stream's error", () => {
    const listing = emptyListing();
    applyBrowseEvent(listing, { type: "end", pages: 0, keys: 0, prefixes: 0, bytes: 0, durationMs: 5, error: null });
    applyBrowseEvent(listing, { type: "error", error: { code: "internal", message: "boom" } });
    expect(listing.end?.durationMs).toBe(5);
    expect(listing.streamError?.message).toBe("boom");
  });

  it("marks as-of ties on their rows, keeps ties of keys absent at T in the list, and reads key markers as the page's tokens", () => {
    const listing = emptyListing();
    const event = pageEvent(0, ["a.txt", "b.txt"]);
    const atT = { versionId: "v2", deleteMarker: false, lastModified: "2024-01-01T00:00:00.000Z" };
    const before = { versionId: "v1", deleteMarker: false, lastModified: "2023-12-31T00:00:00.000Z" };
    event.page.versions = {
      keyMarker: null,
      versionIdMarker: null,
      nextKeyMarker: "c.txt",
      nextVersionIdMarker: "v9",
      versions: 5,
      deleteMarkers: 1,
      nullVersions: 0,
      absentKeys: 1,
      ties: [],
      tieCount: 2,
      serverDate: null,
    };
    event.ties = [
      { key: "b.txt", atT, beforeT: before },
      { key: "gone.txt", atT: null, beforeT: before },
    ];
    applyBrowseEvent(listing, event);
    const objects = listing.rows.flatMap((r) => (r.kind === "object" ? [[r.entry.key, r.tie?.beforeT?.versionId ?? null]] : []));
    expect(objects).toEqual([
      ["a.txt", null],
      ["b.txt", "v1"],
    ]);
    expect(listing.ties.map((t) => t.key)).toEqual(["b.txt", "gone.txt"]);
    expect(listing.bands[0]).toMatchObject({ tokenIn: null, tokenOut: "c.txt", versions: { versions: 5, deleteMarkers: 1, absentKeys: 1, ties: 2 } });
    expect(snapshotListing(listing).ties).not.toBe(listing.ties);
  });
});
