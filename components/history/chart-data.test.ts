import { describe, expect, it } from "vitest";
import type { HistoryPoint, PassSummary } from "@/lib/wire";
import { comparePair, timelinePoints, toggleSelection } from "./chart-data";

function pass(id: string, status: PassSummary["status"], keys: number): PassSummary {
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
    status,
    createdAt: "2025-01-01T00:00:00.000Z",
    endedAt: null,
    updatedAt: "2025-01-01T00:00:00.000Z",
    activeMs: 1200,
    runs: 1,
    totals: { pages: 3, failedPages: 0, keys, bytes: keys * 10, prefixes: 0, anomalies: 0, requests: 3 },
    error: null,
    resumable: false,
    concurrency: 1,
    parallel: null,
  };
}

const history: HistoryPoint[] = [
  { pass: pass("p1", "complete", 3000), previousId: null, changes: null, changesState: "first" },
  { pass: pass("p2", "failed", 1000), previousId: "p1", changes: null, changesState: "incomplete" },
  { pass: pass("p3", "complete", 3001), previousId: "p1", changes: { added: 2, removed: 1, changed: 4, unchanged: 2995, pageShifts: 3 }, changesState: "ready" },
];

describe("the history timeline", () => {
  it("numbers passes oldest first and keeps change counts only where a comparison was made", () => {
    const points = timelinePoints(history);
    expect(points.map((p) => [p.n, p.id, p.status, p.keys, p.added, p.changesState])).toEqual([
      [1, "p1", "complete", 3000, null, "first"],
      [2, "p2", "failed", 1000, null, "incomplete"],
      [3, "p3", "complete", 3001, 2, "ready"],
    ]);
    expect(points[2]).toMatchObject({ removed: 1, changed: 4, pageShifts: 3, previousId: "p1", durationMs: 1200, pages: 3 });
  });

  it("selects two passes, older as A and newer as B, letting go of the first chosen when a third comes", () => {
    const points = timelinePoints(history);
    let sel = toggleSelection([], "p3");
    sel = toggleSelection(sel, "p1");
    expect(comparePair(sel, points)).toEqual({ a: "p1", b: "p3" });
    sel = toggleSelection(sel, "p2");
    expect(sel).toEqual(["p1", "p2"]);
    expect(comparePair(toggleSelection(sel, "p2"), points)).toBeNull();
  });
});
