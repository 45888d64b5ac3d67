import type { PageRecord } from "@/lib/wire";

// Data shaping for the pages chart, kept out of the chart so tests can reach it. Past `maxPoints`
// pages, consecutive pages share one point (slowest latency, mean counts, any retry or anomaly),
// which keeps a thousand-page pass drawable while it streams.

export type PageMark = "failed" | "anomaly" | "retried" | null;

export interface PagePoint {
  /** First page index the point stands for (the x value; labelled index + 1). */
  page: number;
  lastPage: number;
  latencyMs: number;
  keys: number;
  prefixes: number;
  bytes: number;
  attempts: number;
  anomalies: number;
  failed: number;
  /** ListObjectVersions pages: versions and delete markers read (mean per page), null otherwise. */
  versions: number | null;
  deleteMarkers: number | null;
  /** What the latency dot says about these pages, worst first. */
  mark: PageMark;
}

export const DEFAULT_MAX_POINTS = 300;

function markOf(failed: number, anomalies: number, attempts: number, pages: number): PageMark {
  if (failed > 0) return "failed";
  if (anomalies > 0) return "anomaly";
  if (attempts > pages) return "retried";
  return null;
}

export function pagePoints(pages: readonly PageRecord[], maxPoints: number = DEFAULT_MAX_POINTS): PagePoint[] {
  const per = Math.max(1, Math.ceil(pages.length / maxPoints));
  const points: PagePoint[] = [];
  for (let start = 0; start < pages.length; start += per) {
    const group = pages.slice(start, start + per);
    let latencyMs = 0;
    let keys = 0;
    let prefixes = 0;
    let bytes = 0;
    let attempts = 0;
    let anomalies = 0;
    let failed = 0;
    let versions: number | null = null;
    let deleteMarkers: number | null = null;
    for (const p of group) {
      if (p.versions !== undefined) {
        versions = (versions ?? 0) + p.versions.versions;
        deleteMarkers = (deleteMarkers ?? 0) + p.versions.deleteMarkers;
      }
      latencyMs = Math.max(latencyMs, p.durationMs);
      keys += p.entryCount;
      prefixes += p.commonPrefixCount;
      bytes += p.bytes;
      attempts += p.attempts;
      anomalies += p.anomalyCount;
      if (p.error !== null) failed++;
    }
    const n = group.length;
    const first = group[0] as PageRecord;
    const last = group[n - 1] as PageRecord;
    points.push({
      page: first.index,
      lastPage: last.index,
      latencyMs,
      keys: Math.round(keys / n),
      prefixes: Math.round(prefixes / n),
      bytes: Math.round(bytes / n),
      attempts,
      anomalies,
      failed,
      versions: versions === null ? null : Math.round(versions / n),
      deleteMarkers: deleteMarkers === null ? null : Math.round(deleteMarkers / n),
      mark: markOf(failed, anomalies, attempts, n),
    });
  }
  return points;
}

/** "page 4", "pages 4–6": page numbers as people count them (index + 1). */
export function pointLabel(p: Pick<PagePoint, "page" | "lastPage">): string {
  return p.page === p.lastPage ? `page ${p.page + 1}` : `pages ${p.page + 1}–${p.lastPage + 1}`;
}

/** Latency summary for the chart's caption: median and slowest page. */
export function latencyStats(pages: readonly PageRecord[]): { median: number; slowest: PageRecord | null } {
  if (pages.length === 0) return { median: 0, slowest: null };
  const sorted = pages.map((p) => p.durationMs).sort((a, b) => a - b);
  let slowest = pages[0] as PageRecord;
  for (const p of pages) if (p.durationMs > slowest.durationMs) slowest = p;
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, slowest };
}
