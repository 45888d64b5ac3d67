import { formatBytes, formatTime, type TimeZoneChoice } from "@/components/format";
import type { DiffField, DiffKind, DiffRow, DiffSide } from "@/lib/wire";

/** Which sides of a comparison are S3 Inventory reports (as of their creation, eventually consistent). */
export interface InventorySides {
  a: boolean;
  b: boolean;
}

// How a compared key reads, as plain functions: the compare table, its titles and the tests share them.

export const KIND_MARK: Record<DiffKind, string> = { added: "+", removed: "−", changed: "~", unchanged: "" };

export const FIELD_LABEL: Record<DiffField, string> = {
  etag: "ETag",
  size: "size",
  lastModified: "last modified",
  storageClass: "storage class",
};

/** An ETag without its quotes, cut to its first 8 characters (enough to tell two apart at a glance). */
export function shortEtag(etag: string | null): string {
  if (etag === null) return "—";
  const bare = etag.replace(/^"|"$/g, "");
  return bare.length > 10 ? `${bare.slice(0, 8)}…` : bare;
}

export function fieldText(field: DiffField, side: DiffSide, choice: TimeZoneChoice): string {
  switch (field) {
    case "etag":
      return side.etag ?? "—";
    case "size":
      return formatBytes(side.size);
    case "lastModified":
      return formatTime(side.lastModified, choice);
    case "storageClass":
      return side.storageClass ?? "—";
  }
}

/** "size 9 B → 25 B; ETag "a" → "b"": the changed fields of a key, old → new. */
export function changeText(row: DiffRow, choice: TimeZoneChoice): string {
  const { a, b } = row;
  if (a === null || b === null) return row.kind === "added" ? "only in B (added)" : "only in A (removed)";
  return row.changed.map((f) => `${FIELD_LABEL[f]} ${fieldText(f, a, choice)} → ${fieldText(f, b, choice)}`).join("; ");
}

/** The key sits on another page index in B than in A. */
export function pageShift(row: DiffRow): number | null {
  return row.a !== null && row.b !== null && row.a.page !== row.b.page ? row.b.page - row.a.page : null;
}

/** "page 3 in A, page 4 in B": where a key sits in each pass, pages numbered from 1. */
export function pagesText(row: DiffRow): string {
  const where = (side: DiffSide | null, name: string) => (side === null ? `not in ${name}` : `page ${side.page + 1} in ${name}`);
  return `${where(row.a, "A")}, ${where(row.b, "B")}`;
}

/** A page shift as a signed number of pages. */
export function signedShift(shift: number): string {
  return shift > 0 ? `+${shift}` : String(shift);
}

/**
 * What the empty half of a key in one pass only says when an inventory is compared: the report
 * lacks a key the listing has, or has one the listing lacks. Either may be the report's lag (S3
 * Inventory is eventually consistent), so the row carries that caveat. Null for other rows.
 */
export function inventoryCaveat(row: DiffRow, sides: InventorySides): string | null {
  if (!sides.a && !sides.b) return null;
  const absent = row.a === null ? "a" : row.b === null ? "b" : null;
  if (absent === null) return null;
  if (sides[absent]) return "not in the report · may be too recent for it";
  return "only in the report · may be deleted since";
}
