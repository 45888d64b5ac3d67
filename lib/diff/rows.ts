import "server-only";
import type { DiffCounts, DiffRow, DiffSide } from "@/lib/wire";
import { fieldsOf, KIND_OF_CODE, RUN_KIND, type DiffRun, type EntryTuple } from "./merge";

// Runs turned into what people read: counts, and rows with both passes' fields.

export function emptyCounts(): DiffCounts {
  return {
    added: 0,
    removed: 0,
    changed: 0,
    unchanged: 0,
    comparedA: 0,
    comparedB: 0,
    fields: { etag: 0, size: 0, lastModified: 0, storageClass: 0 },
    pageShifts: 0,
  };
}

export function countRun(counts: DiffCounts, run: DiffRun): void {
  const n = run.length;
  switch (run.kind) {
    case RUN_KIND.added:
      counts.added += n;
      counts.comparedB += n;
      return;
    case RUN_KIND.removed:
      counts.removed += n;
      counts.comparedA += n;
      return;
    case RUN_KIND.changed:
      counts.changed += n;
      for (const field of fieldsOf(run.fields)) counts.fields[field] += n;
      break;
    case RUN_KIND.unchanged:
      counts.unchanged += n;
      break;
  }
  counts.comparedA += n;
  counts.comparedB += n;
  if (run.aPage !== run.bPage) counts.pageShifts += n;
}

function side(t: EntryTuple, page: number): DiffSide {
  return { page, size: t[1], etag: t[2], lastModified: t[3], storageClass: t[4] };
}

export type EntryRangeReader = (firstRowid: number, lastRowid: number) => EntryTuple[];

/** Rows `from..to` (exclusive) of a run, read back by row id from each pass. */
export function rowsOfRun(readA: EntryRangeReader, readB: EntryRangeReader, run: DiffRun, from = 0, to = run.length): DiffRow[] {
  if (to <= from) return [];
  const aRows = run.aRow !== null ? readA(run.aRow + from, run.aRow + to - 1) : null;
  const bRows = run.bRow !== null ? readB(run.bRow + from, run.bRow + to - 1) : null;
  const kind = KIND_OF_CODE[run.kind] ?? "unchanged";
  const changed = fieldsOf(run.fields);
  const out: DiffRow[] = [];
  for (let i = 0; i < to - from; i++) {
    const a = aRows?.[i];
    const b = bRows?.[i];
    const key = (a ?? b)?.[0];
    // The rowids were read in this same snapshot: a missing entry means the pass was deleted meanwhile.
    if (key === undefined) break;
    out.push({
      key,
      kind,
      changed,
      a: a !== undefined && run.aPage !== null ? side(a, run.aPage) : null,
      b: b !== undefined && run.bPage !== null ? side(b, run.bPage) : null,
    });
  }
  return out;
}
