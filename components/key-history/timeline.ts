import { formatBytes, formatCount, formatTime, type TimeZoneChoice } from "@/components/format";
import type { DiffRow, KeyFieldChange, KeyHistoryPoint, KeyPrefixHistoryPoint, PassSummary } from "@/lib/wire";

// The key-history timelines as items to draw, newest first: what happened to a key (or the keys
// under a prefix) in each pass, with runs of passes in which nothing happened folded into one item.

/** What one pass said about the key, in words a reader scans for. */
export type KeyEventKind = "first_listed" | "first_absent" | "appeared" | "changed" | "disappeared";

export type KeyTimelineItem =
  /** `earliest`: the oldest pass shown (a first pass of another series is only the first listed its way). */
  | { type: "event"; kind: KeyEventKind; point: KeyHistoryPoint; earliest: boolean }
  /** Passes in a row that saw the key as the one before them did (listed the same, or still absent). */
  | { type: "same"; listed: boolean; passes: PassSummary[]; point: KeyHistoryPoint }
  /** Passes in a row that did not list the key's part of the bucket (start-after, stopped early, a delimiter). */
  | { type: "not_covered"; reason: "not_covered" | "rolled_up"; passes: PassSummary[] };

function eventKind(p: KeyHistoryPoint): KeyEventKind | null {
  switch (p.change) {
    case "first":
      return p.state === "listed" ? "first_listed" : "first_absent";
    case "appeared":
    case "changed":
    case "disappeared":
      return p.change;
    default:
      return null;
  }
}

/** Oldest-first points to newest-first items. */
export function keyTimeline(points: readonly KeyHistoryPoint[]): KeyTimelineItem[] {
  const items: KeyTimelineItem[] = [];
  for (const point of points) {
    const last = items[items.length - 1];
    if (point.change === null) {
      const reason = point.state === "rolled_up" ? "rolled_up" : "not_covered";
      if (last?.type === "not_covered" && last.reason === reason) last.passes.push(point.pass);
      else items.push({ type: "not_covered", reason, passes: [point.pass] });
      continue;
    }
    const kind = eventKind(point);
    if (kind !== null) {
      items.push({ type: "event", kind, point, earliest: items.every((i) => i.type === "not_covered") });
      continue;
    }
    const listed = point.change === "unchanged";
    if (last?.type === "same" && last.listed === listed) {
      last.passes.push(point.pass);
      last.point = point;
    } else items.push({ type: "same", listed, passes: [point.pass], point });
  }
  return items.reverse();
}

export const FIELD_LABELS: Record<KeyFieldChange["field"], string> = {
  size: "size",
  etag: "ETag",
  lastModified: "last modified",
  storageClass: "storage class",
  versionId: "version",
};

/** A field's value as the app shows it everywhere: sizes in units, times in the app's zone with its name. */
export function formatFieldValue(field: KeyFieldChange["field"], value: string | number | null, choice: TimeZoneChoice): string {
  if (value === null) return "—";
  if (field === "size" && typeof value === "number") return formatBytes(value);
  if (field === "lastModified" && typeof value === "string") return formatTime(value, choice);
  return String(value);
}

/** The hover text of a size: the exact byte count, which units round. */
export function fieldValueTitle(field: KeyFieldChange["field"], value: string | number | null): string | undefined {
  return field === "size" && typeof value === "number" ? `${formatCount(value)} bytes` : undefined;
}

/** The fields that differ in a diff row, as from/to pairs. */
export function rowFieldChanges(row: DiffRow): KeyFieldChange[] {
  const a = row.a;
  const b = row.b;
  if (a === null || b === null) return [];
  return row.changed.map((field) => ({ field, from: a[field], to: b[field] }));
}

/** "same in 37 passes", "still absent in 2 passes". */
export function sameRunLabel(item: { listed: boolean; passes: readonly unknown[] }): string {
  const n = item.passes.length;
  const passes = n === 1 ? "1 pass" : `${formatCount(n)} passes`;
  return item.listed ? `same in ${passes}` : `still absent in ${passes}`;
}

export type PrefixTimelineItem =
  | { type: "changes"; point: KeyPrefixHistoryPoint }
  | { type: "first"; point: KeyPrefixHistoryPoint; earliest: boolean }
  /** Passes in a row compared with the one before them where no key under the prefix changed. */
  | { type: "same"; passes: PassSummary[]; point: KeyPrefixHistoryPoint }
  | { type: "not_covered"; passes: PassSummary[] };

export function prefixTimeline(points: readonly KeyPrefixHistoryPoint[]): PrefixTimelineItem[] {
  const items: PrefixTimelineItem[] = [];
  for (const point of points) {
    const last = items[items.length - 1];
    if (point.state === "not_covered") {
      if (last?.type === "not_covered") last.passes.push(point.pass);
      else items.push({ type: "not_covered", passes: [point.pass] });
    } else if (point.state === "first") items.push({ type: "first", point, earliest: items.every((i) => i.type === "not_covered") });
    else if (point.counts.appeared + point.counts.disappeared + point.counts.changed > 0) items.push({ type: "changes", point });
    else if (last?.type === "same") {
      last.passes.push(point.pass);
      last.point = point;
    } else items.push({ type: "same", passes: [point.pass], point });
  }
  return items.reverse();
}

/** "2 appeared · 1 changed · 3 disappeared", leaving out the zeros. */
export function countsLabel(c: KeyPrefixHistoryPoint["counts"]): string {
  const parts: string[] = [];
  if (c.appeared > 0) parts.push(`${formatCount(c.appeared)} appeared`);
  if (c.changed > 0) parts.push(`${formatCount(c.changed)} changed`);
  if (c.disappeared > 0) parts.push(`${formatCount(c.disappeared)} disappeared`);
  return parts.length === 0 ? "no change" : parts.join(" · ");
}

/** The pass page a timeline entry links to: the key's own page, numbered from 1 in the URL. */
export function pageOfRow(row: DiffRow): { pass: "this" | "previous"; page: number } | null {
  if (row.b !== null) return { pass: "this", page: row.b.page };
  if (row.a !== null) return { pass: "previous", page: row.a.page };
  return null;
}
