import { clockOffsetWords, formatTime, plural, visibleKey, type TimeZoneChoice } from "@/components/format";
import type { ClockOffset, PageRecord, PassStatus, PassSummary, SnapshotInfo, Tie, VersionRef } from "@/lib/wire";

// What the pass view says about a snapshot pass, shaped here (no React) so tests can reach it.

/** T in the app's zone to the second (milliseconds only when there are any): T must be read exactly. */
export function instantText(iso: string, choice: TimeZoneChoice): string {
  return formatTime(iso, choice, { ms: "auto" });
}

export function snapshotTitle(info: SnapshotInfo, choice: TimeZoneChoice): string {
  return `Snapshot as of ${instantText(info.asOf, choice)} (server clock)`;
}

export function asOfSourceText(source: SnapshotInfo["asOfSource"]): string {
  return source === "start" ? "T is when the pass started" : "T was chosen";
}

/**
 * "server clock: 1.20 s ahead of ours ± 500 ms (from the Date header)", or "no measurable offset"
 * within the uncertainty. A T taken from the pass's start (our clock) is moved by the offset only
 * when the offset exceeds its uncertainty.
 */
export function clockOffsetText(clock: ClockOffset | null, source: SnapshotInfo["asOfSource"] = "chosen"): string {
  if (clock === null) return "the server's clock could not be measured (no Date header)";
  const measurable = Math.abs(clock.offsetMs) > clock.uncertaintyMs;
  const moved = source !== "start" ? "" : measurable ? "; T was moved by it onto the server's clock" : "; so T was not moved";
  return `server clock: ${clockOffsetWords(clock.offsetMs, clock.uncertaintyMs)} (from the Date header)${moved}`;
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
export function versionStateText(ref: VersionRef | null, choice: TimeZoneChoice): string {
  if (ref === null) return "absent (no version yet)";
  const when = ref.lastModified !== null ? `, ${instantText(ref.lastModified, choice)}` : "";
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
  return `${plural(versions, "version")} · ${plural(deleteMarkers, "delete marker")}`;
}
