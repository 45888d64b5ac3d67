import { describe, expect, it } from "vitest";
import { UTC_CHOICE } from "@/components/format";
import type { DiffRow, KeyHistoryPoint, KeyPrefixHistoryPoint, PassSummary } from "@/lib/wire";
import { countsLabel, formatFieldValue, keyTimeline, pageOfRow, prefixTimeline, rowFieldChanges, sameRunLabel } from "./timeline";
import { coveringPrefixes, keyHistoryHref, parseKeyChoice, withKeyChoice } from "./search-params";

function pass(id: string): PassSummary {
  return {
    id,
    kind: "list",
    snapshot: null,
    inventory: null,
    connection: "sandbox",
    bucket: "demo",
    prefix: "",
    delimiter: null,
    pageSize: 1000,
    startAfter: null,
    status: "complete",
    createdAt: "2025-01-01T00:00:00.000Z",
    endedAt: null,
    updatedAt: "2025-01-01T00:00:00.000Z",
    activeMs: 1200,
    runs: 1,
    totals: { pages: 3, failedPages: 0, keys: 3, bytes: 30, prefixes: 0, anomalies: 0, requests: 3 },
    error: null,
    resumable: false,
    concurrency: 1,
    parallel: null,
  };
}

function point(id: string, state: KeyHistoryPoint["state"], change: KeyHistoryPoint["change"]): KeyHistoryPoint {
  return { pass: pass(id), state, entry: null, previousId: null, change, fields: [] };
}

const shape = (items: ReturnType<typeof keyTimeline>) =>
  items.map((i) => (i.type === "event" ? `${i.kind}@${i.point.pass.id}` : i.type === "same" ? `${sameRunLabel(i)}@${i.passes.map((p) => p.id).join(",")}` : `${i.reason}@${i.passes.map((p) => p.id).join(",")}`));

describe("the key timeline", () => {
  it("puts the newest pass first and folds passes where nothing happened into one run", () => {
    const points = [
      point("p1", "listed", "first"),
      point("p2", "listed", "unchanged"),
      point("p3", "listed", "unchanged"),
      point("p4", "listed", "changed"),
      point("p5", "absent", "disappeared"),
      point("p6", "absent", "still_absent"),
      point("p7", "not_covered", null),
      point("p8", "not_covered", null),
      point("p9", "listed", "appeared"),
    ];
    expect(shape(keyTimeline(points))).toEqual([
      "appeared@p9",
      "not_covered@p7,p8",
      "still absent in 1 pass@p6",
      "disappeared@p5",
      "changed@p4",
      "same in 2 passes@p2,p3",
      "first_listed@p1",
    ]);
    const firsts = keyTimeline([point("p0", "not_covered", null), point("p1", "listed", "first"), point("p2", "listed", "first")]).filter((i) => i.type === "event");
    expect(firsts.map((i) => i.type === "event" && i.earliest)).toEqual([false, true]);
  });

  it("says when the first pass did not list the key, and keeps rolled-up passes apart", () => {
    expect(shape(keyTimeline([point("p1", "absent", "first"), point("p2", "rolled_up", null), point("p3", "not_covered", null)]))).toEqual([
      "not_covered@p3",
      "rolled_up@p2",
      "first_absent@p1",
    ]);
    expect(sameRunLabel({ listed: true, passes: new Array(1234).fill(0) })).toBe("same in 1,234 passes");
  });
});

describe("field values", () => {
  it("shows sizes in units and times in the app's zone with its name", () => {
    expect(formatFieldValue("size", 2048, UTC_CHOICE)).toBe("2.00 KiB");
    expect(formatFieldValue("lastModified", "2024-02-29T16:05:00.000Z", UTC_CHOICE)).toBe("2024-02-29 16:05:00 UTC");
    expect(formatFieldValue("etag", '"abc"', UTC_CHOICE)).toBe('"abc"');
    expect(formatFieldValue("storageClass", null, UTC_CHOICE)).toBe("—");
  });

  it("reads a diff row's changed fields as from → to, in the row's order", () => {
    const row: DiffRow = {
      key: "k",
      kind: "changed",
      changed: ["etag", "size"],
      a: { page: 0, size: 1, etag: '"a"', lastModified: null, storageClass: null },
      b: { page: 2, size: 5, etag: '"b"', lastModified: null, storageClass: null },
    };
    expect(rowFieldChanges(row)).toEqual([
      { field: "etag", from: '"a"', to: '"b"' },
      { field: "size", from: 1, to: 5 },
    ]);
    expect(pageOfRow(row)).toEqual({ pass: "this", page: 2 });
    expect(pageOfRow({ ...row, kind: "removed", changed: [], b: null })).toEqual({ pass: "previous", page: 0 });
  });
});

describe("the prefix timeline", () => {
  const p = (id: string, state: KeyPrefixHistoryPoint["state"], appeared = 0, changed = 0, disappeared = 0): KeyPrefixHistoryPoint => ({
    pass: pass(id),
    previousId: null,
    state,
    counts: { appeared, changed, disappeared },
    keys: [],
    keysTruncated: false,
  });

  it("lists passes with changes, folds the quiet ones, newest first", () => {
    const items = prefixTimeline([p("p1", "first"), p("p2", "compared"), p("p3", "compared"), p("p4", "compared", 2, 0, 1), p("p5", "not_covered"), p("p6", "compared")]);
    expect(items.map((i) => `${i.type}@${"point" in i && i.type !== "same" ? i.point.pass.id : i.passes.map((x) => x.id).join(",")}`)).toEqual([
      "same@p6",
      "not_covered@p5",
      "changes@p4",
      "same@p2,p3",
      "first@p1",
    ]);
    expect(countsLabel({ appeared: 2, changed: 0, disappeared: 1 })).toBe("2 appeared · 1 disappeared");
    expect(countsLabel({ appeared: 0, changed: 1200, disappeared: 0 })).toBe("1,200 changed");
  });
});

describe("addresses", () => {
  it("tries the browser's prefix, then its folder, then the whole bucket", () => {
    expect(coveringPrefixes("photos/2025/a.jpg", "photos/2025/a", "photos/2025/")).toEqual(["photos/2025/a", "photos/2025/", ""]);
    expect(coveringPrefixes("a.jpg", "", "")).toEqual([""]);
  });

  it("keeps the key or the prefix in the history page's address", () => {
    expect(keyHistoryHref("sandbox", "demo", "", { mode: "key", value: "a b/c+d" })).toBe("/b/sandbox/demo/history?key=a%20b%2Fc%2Bd");
    expect(keyHistoryHref("sandbox", "demo", "x/", { mode: "keyPrefix", value: "" })).toBe("/b/sandbox/demo/history?prefix=x%2F&keyPrefix=");
    expect(withKeyChoice("prefix=x%2F&key=old&pageSize=10", { mode: "keyPrefix", value: "x/y" })).toBe("?prefix=x%2F&pageSize=10&keyPrefix=x%2Fy");
    expect(withKeyChoice("key=old", null)).toBe("");
    expect(parseKeyChoice(new URLSearchParams("key=a&keyPrefix=b"))).toEqual({ mode: "key", value: "a" });
    expect(parseKeyChoice({ keyPrefix: "" })).toEqual({ mode: "keyPrefix", value: "" });
    expect(parseKeyChoice({ key: "" })).toBeNull();
  });
});
