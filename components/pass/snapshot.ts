import { formatCount, visibleKey } from "@/components/format";
import type { ClockOffset, PageRecord, PassStatus, PassSummary, SnapshotInfo, Tie, VersionRef } from "@/lib/wire";

// What the pass view says about a snapshot pass, shaped here (no React) so tests can reach it.

/** An instant in UTC to the second (milliseconds only when there are any): T must be read exactly. */
export function utcInstant(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace("T", " ").replace(".000Z", "Z");
}

export function snapshotTitle(info: SnapshotInfo): string {
  return `Snapshot as of ${utcInstant(info.asOf)} (server clock)`;
}

export function asOfSourceText(source: SnapshotInfo["asOfSource"]): string {
  return source === "start" ? "T is when the pass started" : "T was chosen";
}

function seconds(ms: number): string {
  const s = Math.abs(ms) / 1000;
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

/**
 * "server clock is 1.20 s ahead of ours ± 0.50 s (from the Date header)". A T taken from the pass's
 * start (our clock) is moved by the offset only when the offset exceeds its uncertainty.
 */
export function clockOffsetText(clock: ClockOffset | null, source: SnapshotInfo["asOfSource"] = "chosen"): string {
  if (clock === null) return "the server's clock could not be measured (no Date header)";
  const side = clock.offsetMs >= 0 ? "ahead of" : "behind";
  const moved = source !== "start" ? "" : Math.abs(clock.offsetMs) <= clock.uncertaintyMs ? "; within its uncertainty, so T was not moved" : "; T was moved by it onto the server's clock";
  return `server clock is ${seconds(clock.offsetMs)} ${side} ours ± ${seconds(clock.uncertaintyMs)} (from the Date header)${moved}`;
}

export interface VersionCounts {
  versions: number;
  deleteMarkers: number;
  nullVersions: number;
  absentKeys: number;
  ties: number;
}

export function sumVersionCounts(pages: readonly PageRecord[]): VersionCounts {
  const c: VersionCounts = { versions: 0, deleteMarkers: 0, nullVersions: 0, absentKeys: 0, ties: 0 };
  for (const p of pages) {
    const v = p.versions;
    if (v === undefined) continue;
    c.versions += v.versions;
    c.deleteMarkers += v.deleteMarkers;
    c.nullVersions += v.nullVersions;
    c.absentKeys += v.absentKeys;
    c.ties += v.tieCount;
  }
  return c;
}

/**
 * The counts to show: the summary's once the pass has stopped (it covers every page), the pages'
 * own while it runs, since the summary only sums them at the end.
 */
export function snapshotCounts(info: SnapshotInfo, pages: readonly PageRecord[], status: PassStatus): VersionCounts {
  if (status !== "running") {
    return { versions: info.versions, deleteMarkers: info.deleteMarkers, nullVersions: info.nullVersions, absentKeys: info.absentKeys, ties: info.ties };
  }
  return sumVersionCounts(pages);
}

export interface PageTie extends Tie {
  page: number;
}

/** The ties the pages recorded (each page keeps its first 20), and how many there are in all. */
export function collectTies(pages: readonly PageRecord[]): { ties: PageTie[]; total: number } {
  const ties: PageTie[] = [];
  let total = 0;
  for (const p of pages) {
    if (p.versions === undefined) continue;
    total += p.versions.tieCount;
    for (const t of p.versions.ties) ties.push({ ...t, page: p.index });
  }
  return { ties, total };
}

/** A key's state at T in words: absent, deleted (a delete marker), or the version that was current. */
export function versionStateText(ref: VersionRef | null): string {
  if (ref === null) return "absent (no version yet)";
  const when = ref.lastModified !== null ? `, ${utcInstant(ref.lastModified)}` : "";
  if (ref.deleteMarker) return `deleted (delete marker ${ref.versionId}${when})`;
  return `version ${ref.versionId}${when}`;
}

/** Where a ListObjectVersions page began: its key and version-id markers. */
export function markerText(keyMarker: string | null, versionIdMarker: string | null): string {
  if (keyMarker === null) return "— (first page)";
  return versionIdMarker === null ? visibleKey(keyMarker) : `${visibleKey(keyMarker)} @ ${versionIdMarker}`;
}

/** The snapshot request that shows what a list pass got wrong relative to its own start. */
export function snapshotAtStartParams(pass: PassSummary) {
  return {
    kind: "snapshot" as const,
    asOf: pass.createdAt,
    connection: pass.connection,
    bucket: pass.bucket,
    prefix: pass.prefix,
    pageSize: pass.pageSize,
    ...(pass.startAfter !== null ? { startAfter: pass.startAfter } : {}),
  };
}

/** "2 versions · 1 delete marker" */
export function versionCountsText(versions: number, deleteMarkers: number): string {
  return `${formatCount(versions)} ${versions === 1 ? "version" : "versions"} · ${formatCount(deleteMarkers)} ${deleteMarkers === 1 ? "delete marker" : "delete markers"}`;
}
