import "server-only";
import { MAX_RECORDED_TIES, type Entry, type Tie, type VersionRef, type VersionRow } from "@/lib/wire";
import type { ListedPage } from "./list-pages";
import type { ListedVersionPage } from "./list-versions";

/** One key, settled: what it was at T, and what it would be if T's own second came after T. */
export interface SettledKey {
  key: string;
  atT: VersionRow | null;
  beforeT: VersionRow | null;
  tie: boolean;
}

const RESOLUTION_MS = 1000;

function ref(r: VersionRow | null): VersionRef | null {
  return r === null ? null : { versionId: r.versionId, deleteMarker: r.deleteMarker, lastModified: r.lastModified };
}

function visible(r: VersionRow | null): VersionRow | null {
  return r !== null && !r.deleteMarker ? r : null;
}

/**
 * The bucket as of T from ListObjectVersions rows: for each key, its newest entry with
 * LastModified <= T, absent when that entry is a delete marker (s3-listing-facts, "ListObjectVersions
 * (point in time)"). "Newest" is by LastModified, not by list position, so a multipart upload that
 * completed after a later simple PUT does not hide it; equal LastModifieds go to the one S3 lists
 * first (newer). A key's versions may span pages, so the last key of a page stays open until the next
 * key (or the end) shows up.
 */
export class AsOfFold {
  private readonly asOf: number;
  private readonly secondStart: number;
  private key: string | null = null;
  private atT: VersionRow | null = null;
  private atTMs = -Infinity;
  private beforeT: VersionRow | null = null;
  private beforeTMs = -Infinity;

  constructor(asOf: Date) {
    this.asOf = asOf.getTime();
    this.secondStart = Math.floor(this.asOf / RESOLUTION_MS) * RESOLUTION_MS;
  }

  /** The key still being read (its versions may continue on the next page). */
  get openKey(): string | null {
    return this.key;
  }

  /** Feeds rows in S3's order; returns the keys this settles (all but the last key seen). */
  push(rows: readonly VersionRow[]): SettledKey[] {
    const out: SettledKey[] = [];
    for (const r of rows) {
      if (r.key !== this.key) {
        const settled = this.settle();
        if (settled !== null) out.push(settled);
        this.key = r.key;
      }
      if (r.lastModified === null) continue;
      const ms = Date.parse(r.lastModified);
      if (ms <= this.asOf && ms > this.atTMs) {
        this.atT = r;
        this.atTMs = ms;
      }
      if (ms < this.secondStart && ms > this.beforeTMs) {
        this.beforeT = r;
        this.beforeTMs = ms;
      }
    }
    return out;
  }

  /** Settles the open key: call at the end of the listing. */
  finish(): SettledKey[] {
    const settled = this.settle();
    this.key = null;
    return settled === null ? [] : [settled];
  }

  private settle(): SettledKey | null {
    if (this.key === null) return null;
    const a = visible(this.atT);
    const b = visible(this.beforeT);
    const tie = a?.versionId !== b?.versionId;
    const out: SettledKey = { key: this.key, atT: this.atT, beforeT: this.beforeT, tie };
    this.atT = null;
    this.beforeT = null;
    this.atTMs = -Infinity;
    this.beforeTMs = -Infinity;
    return out;
  }
}

export function entryOf(r: VersionRow): Entry {
  return { key: r.key, size: r.size, etag: r.etag, lastModified: r.lastModified, storageClass: r.storageClass, versionId: r.versionId };
}

export interface AsOfListedPage extends ListedPage {
  /** Every tie settled on this page (the record keeps the first 20). */
  ties: Tie[];
}

/**
 * A ListObjectVersions page turned into the page of the bucket as of T: the entries settled on it,
 * its ties and absent keys in `record.versions`, and the record's counts over those entries. The last
 * page must pass `last` so the key still open is settled there.
 */
export function asOfPage(fold: AsOfFold, page: ListedVersionPage, last: boolean): AsOfListedPage {
  const settled = fold.push(page.rows);
  if (last) settled.push(...fold.finish());
  const entries: Entry[] = [];
  const ties: Tie[] = [];
  let absentKeys = 0;
  let bytes = 0;
  for (const s of settled) {
    const present = visible(s.atT);
    if (present !== null) {
      entries.push(entryOf(present));
      bytes += present.size;
    } else absentKeys++;
    if (s.tie) ties.push({ key: s.key, atT: ref(s.atT), beforeT: ref(s.beforeT) });
  }
  const versions = page.record.versions;
  return {
    record: {
      ...page.record,
      entryCount: entries.length,
      firstKey: entries[0]?.key ?? null,
      lastKey: entries[entries.length - 1]?.key ?? null,
      bytes,
      versions: versions === undefined ? undefined : { ...versions, absentKeys, ties: ties.slice(0, MAX_RECORDED_TIES), tieCount: ties.length },
    },
    entries,
    commonPrefixes: page.commonPrefixes,
    ties,
  };
}
