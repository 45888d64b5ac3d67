import "server-only";
import type { PassStore } from "@/lib/passes";
import type { DiffCounts, DiffEvent, DiffOnly, DiffRow } from "@/lib/wire";
import { DiffReader, mergeRuns, RUN_KIND, type DiffRun } from "./merge";
import { planDiff, type DiffOptions, type ResolvedPlan } from "./plan";
import { countRun, emptyCounts, rowsOfRun } from "./rows";
import { SideRows } from "./span-merge";

/** Rows merged between two turns of the event loop, so a long comparison never stalls the server. */
export const ROWS_PER_TURN = 25_000;

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The runs of a comparison on a reader of its own, yielding to the event loop as it goes. */
export async function* runsOf(file: string, resolved: ResolvedPlan, signal?: AbortSignal): AsyncGenerator<DiffRun, void, undefined> {
  const reader = new DiffReader(file);
  try {
    let sinceTurn = 0;
    for (const run of mergeRuns(reader, resolved)) {
      if (signal?.aborted === true) return;
      yield run;
      sinceTurn += run.length;
      if (sinceTurn >= ROWS_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
  } finally {
    reader.close();
  }
}

/** Only the counts: the merge without reading any field back. */
export async function countDiff(file: string, resolved: ResolvedPlan, signal?: AbortSignal): Promise<DiffCounts> {
  const counts = emptyCounts();
  for await (const run of runsOf(file, resolved, signal)) countRun(counts, run);
  return counts;
}

/** The rows of a comparison in key order (all of them, or only the changes), then its counts. */
export async function* diffRows(
  file: string,
  resolved: ResolvedPlan,
  only: DiffOnly,
  signal?: AbortSignal,
): AsyncGenerator<DiffRow, DiffCounts, undefined> {
  const counts = emptyCounts();
  const reader = new DiffReader(file);
  const sideA = new SideRows(reader.rows, resolved.a, reader.pages(resolved.a));
  const sideB = new SideRows(reader.rows, resolved.b, reader.pages(resolved.b));
  const readA = (first: number, last: number) => sideA.read(first, last);
  const readB = (first: number, last: number) => sideB.read(first, last);
  try {
    let sinceTurn = 0;
    for (const run of mergeRuns(reader, resolved)) {
      if (signal?.aborted === true) return counts;
      countRun(counts, run);
      if (only === "changes" && run.kind === RUN_KIND.unchanged) {
        sinceTurn += run.length;
        if (sinceTurn >= ROWS_PER_TURN) {
          sinceTurn = 0;
          await nextTurn();
        }
        continue;
      }
      for (const row of rowsOfRun(readA, readB, run)) yield row;
    }
  } finally {
    reader.close();
  }
  return counts;
}

export interface DiffPassesOptions extends DiffOptions {
  only?: DiffOnly;
  signal?: AbortSignal;
}

/**
 * Compares two passes by key as a stream: a `start` line with the plan, one `row` line per key in
 * UTF-8 byte order (only the changes unless `only: "all"`), and the `summary` line last. Refusals
 * (unknown pass, different buckets, an incomplete pass) are thrown before the first line.
 */
export async function* diffPasses(store: PassStore, a: string, b: string, opts: DiffPassesOptions = {}): AsyncGenerator<DiffEvent, void, undefined> {
  const resolved = planDiff(store, a, b, opts);
  yield { type: "start", plan: resolved.plan };
  const rows = diffRows(store.file, resolved, opts.only ?? "changes", opts.signal);
  try {
    let next = await rows.next();
    while (next.done !== true) {
      yield { type: "row", row: next.value };
      next = await rows.next();
    }
    yield { type: "summary", summary: { ...resolved.plan, counts: next.value } };
  } finally {
    // A reader that stops early must still close the merge's connection.
    await rows.return(emptyCounts());
  }
}
