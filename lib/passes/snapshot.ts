import "server-only";
import { clockOffset, versioningWarning, type ListedVersionPage } from "@/lib/lister";
import type { BucketVersioning, SnapshotInfo } from "@/lib/wire";
import type { SnapshotProgress } from "./store";

// The running SnapshotInfo of a snapshot pass: totals over its pages, the clock, and the warnings
// that say how far the rebuilt moment can be trusted.

const NULL_VERSION = "null";
const NULL_ONLY_EXAMPLES = 5;
export const LAST_MODIFIED_RESOLUTION_MS = 1000;

/** What survives a resume besides SnapshotInfo itself (stored beside it, opaque to the store). */
interface TrackerState {
  nullOnlyKeys: number;
  nullOnlyExamples: string[];
  /** Set when the first page moved T by the measured clock offset. */
  movedBy: number | null;
  /** Why the versioning status is "unknown". */
  versioningNote: string | null;
}

export function newSnapshotInfo(asOf: string, asOfSource: SnapshotInfo["asOfSource"], versioning: BucketVersioning): SnapshotInfo {
  return {
    asOf,
    asOfSource,
    resolutionMs: LAST_MODIFIED_RESOLUTION_MS,
    clock: null,
    versioning,
    versions: 0,
    deleteMarkers: 0,
    nullVersions: 0,
    absentKeys: 0,
    ties: 0,
    earliestVersionedAt: null,
    warnings: [],
  };
}

export function newTrackerState(versioningNote: string | null): string {
  const s: TrackerState = { nullOnlyKeys: 0, nullOnlyExamples: [], movedBy: null, versioningNote };
  return JSON.stringify(s);
}

export class SnapshotTracker {
  readonly info: SnapshotInfo;
  private readonly state: TrackerState;
  /** The key whose versions may continue on the next page, and whether it has a non-null one. */
  private openKey: string | null = null;
  private openHasVersionId = false;
  // Counted when the key settles: a resume lists the open key again, and must not count it twice.
  private open = { versions: 0, deleteMarkers: 0, nullVersions: 0 };

  constructor(info: SnapshotInfo, state: string | null) {
    this.info = { ...info, warnings: [...info.warnings] };
    this.state = state !== null ? (JSON.parse(state) as TrackerState) : { nullOnlyKeys: 0, nullOnlyExamples: [], movedBy: null, versioningNote: null };
    this.info.warnings = this.warnings();
  }

  get asOf(): Date {
    return new Date(this.info.asOf);
  }

  /**
   * The first page's Date header gives the server's clock. A T taken from our clock (the pass's
   * start) is moved onto the server's only when the offset is larger than what the header's
   * whole-second resolution and the round trip leave uncertain.
   */
  measureClock(page: ListedVersionPage, passStartMs: number): void {
    if (this.info.clock !== null || page.clock === null || page.record.index !== 0) return;
    const clock = clockOffset(page.clock);
    this.info.clock = clock;
    if (this.info.asOfSource === "start" && Math.abs(clock.offsetMs) > clock.uncertaintyMs) {
      this.info.asOf = new Date(passStartMs + clock.offsetMs).toISOString();
      this.state.movedBy = clock.offsetMs;
    }
    this.info.warnings = this.warnings();
  }

  /**
   * Adds a page already folded by AsOfFold (which settles the same keys: absent keys and ties are in
   * `folded`); `last` settles the key still open. Returns what the store records with the page.
   */
  observe(page: ListedVersionPage, folded: { absentKeys: number; tieCount: number }, last: boolean): SnapshotProgress {
    const i = this.info;
    i.absentKeys += folded.absentKeys;
    i.ties += folded.tieCount;
    let settledKey: string | null = null;
    for (const r of page.rows) {
      if (r.key !== this.openKey) {
        if (this.openKey !== null) {
          this.settle(this.openKey);
          settledKey = this.openKey;
        }
        this.openKey = r.key;
        this.openHasVersionId = false;
        this.open = { versions: 0, deleteMarkers: 0, nullVersions: 0 };
      }
      if (r.deleteMarker) this.open.deleteMarkers++;
      else this.open.versions++;
      if (r.versionId === NULL_VERSION) this.open.nullVersions++;
      if (r.versionId !== NULL_VERSION) {
        this.openHasVersionId = true;
        if (!r.deleteMarker && r.lastModified !== null && (i.earliestVersionedAt === null || r.lastModified < i.earliestVersionedAt)) {
          i.earliestVersionedAt = r.lastModified;
        }
      }
    }
    if (last && this.openKey !== null) {
      this.settle(this.openKey);
      settledKey = this.openKey;
      this.openKey = null;
    }
    i.warnings = this.warnings();
    return { info: { ...i, warnings: [...i.warnings] }, state: JSON.stringify(this.state), settledKey };
  }

  private settle(key: string): void {
    this.info.versions += this.open.versions;
    this.info.deleteMarkers += this.open.deleteMarkers;
    this.info.nullVersions += this.open.nullVersions;
    if (this.openHasVersionId) return;
    this.state.nullOnlyKeys++;
    if (this.state.nullOnlyExamples.length < NULL_ONLY_EXAMPLES) this.state.nullOnlyExamples.push(key);
  }

  private warnings(): string[] {
    const i = this.info;
    const s = this.state;
    const out: string[] = [];
    const versioning = versioningWarning(i.versioning, s.versioningNote);
    if (versioning !== null) out.push(versioning);
    if (s.movedBy !== null && i.clock !== null) {
      const secs = (Math.abs(s.movedBy) / 1000).toFixed(1);
      out.push(
        `The server's clock is ${secs} s ${s.movedBy > 0 ? "ahead of" : "behind"} ours (± ${i.clock.uncertaintyMs} ms, from its Date header): T, the pass's start, was moved onto the server's clock.`,
      );
    }
    if (s.nullOnlyKeys > 0) {
      const more = s.nullOnlyKeys > s.nullOnlyExamples.length ? ", …" : "";
      out.push(
        `${s.nullOnlyKeys} ${s.nullOnlyKeys === 1 ? "key has" : "keys have"} only a null version (written before versioning was enabled, or while it was suspended): only their last write is known, e.g. ${s.nullOnlyExamples.join(", ")}${more}.`,
      );
    }
    if (i.earliestVersionedAt !== null && Date.parse(i.asOf) < Date.parse(i.earliestVersionedAt)) {
      out.push(
        `T is before the oldest versioned write seen (${i.earliestVersionedAt}): versioning may have been enabled after T, so earlier history may be missing.`,
      );
    }
    return out;
  }
}
