import type { HistoryPoint, PassStatus, PassSummary } from "@/lib/wire";

// The history timeline shaped for the charts: one point per pass, oldest first. Plain data, so the
// shaping is unit-tested without rendering a chart.

export interface TimelinePoint {
  /** 1-based position in the timeline: the x axis. */
  n: number;
  id: string;
  kind: PassSummary["kind"];
  createdAt: string;
  status: PassStatus;
  keys: number;
  bytes: number;
  pages: number;
  pageSize: number;
  durationMs: number;
  /** Null when the pass is not compared (first, incomplete, or still being computed). */
  added: number | null;
  removed: number | null;
  changed: number | null;
  pageShifts: number | null;
  changesState: HistoryPoint["changesState"];
  previousId: string | null;
}

export function timelinePoints(points: readonly HistoryPoint[]): TimelinePoint[] {
  return points.map((p, i) => ({
    n: i + 1,
    id: p.pass.id,
    kind: p.pass.kind,
    createdAt: p.pass.createdAt,
    status: p.pass.status,
    keys: p.pass.totals.keys,
    bytes: p.pass.totals.bytes,
    pages: p.pass.totals.pages,
    pageSize: p.pass.pageSize,
    durationMs: p.pass.activeMs,
    added: p.changes?.added ?? null,
    removed: p.changes?.removed ?? null,
    changed: p.changes?.changed ?? null,
    pageShifts: p.changes?.pageShifts ?? null,
    changesState: p.changesState,
    previousId: p.previousId,
  }));
}

/** The pair to compare from a selection: the older pass is A, the newer B (null until two are chosen). */
export function comparePair(selected: readonly string[], points: readonly TimelinePoint[]): { a: string; b: string } | null {
  if (selected.length !== 2) return null;
  const order = (id: string) => points.findIndex((p) => p.id === id);
  const [x, y] = [...selected].sort((p, q) => order(p) - order(q));
  return x !== undefined && y !== undefined ? { a: x, b: y } : null;
}

/** Selecting a third pass lets go of the one chosen first; selecting a chosen one lets go of it. */
export function toggleSelection(selected: readonly string[], id: string): string[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  return [...selected, id].slice(-2);
}
