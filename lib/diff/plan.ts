import "server-only";
import { AppError } from "@/lib/http";
import { compareKeys } from "@/lib/lister";
import type { PassLocation, PassStore } from "@/lib/passes";
import { INVENTORY_CAVEAT, type DiffCoverage, type DiffPlan, type PassSummary } from "@/lib/wire";

// Deciding what two passes can be compared over, before any key is read. A pass covers the keys that
// begin with its prefix, come after its start-after, have no delimiter after the prefix when it rolls
// keys up, and, when it is not complete, are not beyond the last key it reached. The diff compares
// only keys both passes cover, so a key outside one pass's reach never shows up as added or removed.

export type PassRow = NonNullable<ReturnType<PassStore["row"]>>;

export interface DiffOptions {
  allowIncomplete?: boolean;
  allowDifferentBuckets?: boolean;
}

/** One pass as the merge reads it. */
export interface SideRef extends PassLocation {
  id: string;
  seq: number;
  /** Page records written when planned: the pass's entries change exactly when this does. */
  pageRecords: number;
  /** Keys out of order or repeated: the pass's rowid order is then not its key order. */
  anomalies: number;
}

function sideOf(r: PassRow): SideRef {
  return { id: r.id, seq: r.seq, pageRecords: r.page_records, anomalies: r.anomalies, layout: r.layout, target: r.target };
}

/** The compared key range as SQL bounds on the BLOB key, plus the delimiter rules SQL cannot express. */
export interface KeyRange {
  /** key >= from */
  from: Buffer | null;
  /** key < below */
  below: Buffer | null;
  /** key > after */
  after: Buffer | null;
  /** key <= through */
  through: Buffer | null;
  /** A pass that rolls keys up does not cover keys with its delimiter after its prefix. */
  rollups: readonly Rollup[];
}

export interface Rollup {
  delimiter: string;
  /** Where the search for the delimiter starts: the length of that pass's prefix. */
  from: number;
}

export interface ResolvedPlan {
  plan: DiffPlan;
  a: SideRef;
  b: SideRef;
  range: KeyRange;
}

const quote = (s: string) => JSON.stringify(s);

/** The smallest byte string above every string that begins with `prefix` (UTF-8 has no 0xFF byte). */
export function prefixUpperBound(prefix: string): Buffer | null {
  if (prefix === "") return null;
  const bytes = Buffer.from(prefix, "utf8");
  const upper = Buffer.from(bytes);
  upper[upper.length - 1] = (upper[upper.length - 1] as number) + 1;
  return upper;
}

/** True when the key is outside what a rolling-up pass lists as keys (it sits in a deeper folder). */
export function rolledUp(key: string, rollups: readonly Rollup[]): boolean {
  for (const r of rollups) if (key.indexOf(r.delimiter, r.from) !== -1) return true;
  return false;
}

function laterOf(x: string | null, y: string | null): string | null {
  if (x === null) return y;
  if (y === null) return x;
  return compareKeys(x, y) >= 0 ? x : y;
}

function earlierOf(x: string | null, y: string | null): string | null {
  if (x === null) return y;
  if (y === null) return x;
  return compareKeys(x, y) <= 0 ? x : y;
}

function mustRow(store: PassStore, id: string, label: "A" | "B"): { row: PassRow; summary: PassSummary } {
  const row = store.row(id);
  const summary = store.summary(id);
  if (row === undefined || summary === null) throw new AppError("unknown_pass", `There is no pass with id "${id}" (pass ${label}).`);
  return { row, summary };
}


/**
 * Validates a comparison and decides its key range. Refuses (409) passes of different buckets or
 * connections unless `allowDifferentBuckets`, and a pass that is not complete unless
 * `allowIncomplete`; passes whose prefixes share no key are always refused.
 */
export function planDiff(store: PassStore, aId: string, bId: string, opts: DiffOptions = {}): ResolvedPlan {
  const A = mustRow(store, aId, "A");
  const B = mustRow(store, bId, "B");
  const notes: string[] = [];
  const a = A.row;
  const b = B.row;

  const differentTargets = a.connection !== b.connection || a.bucket !== b.bucket;
  if (differentTargets) {
    const what = `pass A lists ${a.connection}/${a.bucket} and pass B lists ${b.connection}/${b.bucket}`;
    if (opts.allowDifferentBuckets !== true) {
      throw new AppError(
        "incomparable_passes",
        `These passes list different buckets: ${what}. Compare passes of one bucket, or ask for it with allowDifferentBuckets=true.`,
      );
    }
    notes.push(`Different buckets: ${what}; keys are matched by name only.`);
  }

  const incompleteSides = ([["A", a], ["B", b]] as const).filter(([, r]) => r.status !== "complete");
  for (const [label, r] of incompleteSides) {
    if (opts.allowIncomplete !== true) {
      throw new AppError(
        "incomplete_pass",
        `Pass ${label} (${r.id}) is ${r.status}, not complete: keys it never reached would look ${label === "A" ? "added" : "removed"}. ` +
          `Compare complete passes, or ask for it with allowIncomplete=true (the comparison then stops where it stopped).`,
      );
    }
  }

  if (!a.prefix.startsWith(b.prefix) && !b.prefix.startsWith(a.prefix)) {
    throw new AppError(
      "incomparable_passes",
      `Pass A lists the prefix ${quote(a.prefix)} and pass B the prefix ${quote(b.prefix)}: no key can be in both, so there is nothing to compare.`,
    );
  }
  const prefix = a.prefix.length >= b.prefix.length ? a.prefix : b.prefix;
  if (a.prefix !== b.prefix) {
    const wider = a.prefix.length < b.prefix.length ? "A" : "B";
    notes.push(`Pass ${wider} lists a wider prefix than the other: only keys under ${quote(prefix)} are compared.`);
  }

  const startAfter = laterOf(a.start_after, b.start_after);
  if (startAfter !== null && a.start_after !== b.start_after) {
    notes.push(`Only keys after ${quote(startAfter)} are compared: a pass began its listing there.`);
  }

  let through: string | null = null;
  for (const [label, r] of incompleteSides) {
    const stop = store.reach(r);
    through = earlierOf(through, stop);
    notes.push(
      stop === ""
        ? `Pass ${label} is ${r.status} and listed no key before it stopped: nothing is compared.`
        : `Pass ${label} is ${r.status}, not complete: only keys up to ${quote(stop)}, where it stopped, are compared.`,
    );
  }

  const rollups: Rollup[] = [];
  for (const [label, r] of [["A", a], ["B", b]] as const) {
    if (r.delimiter === null) continue;
    if (!rollups.some((x) => x.delimiter === r.delimiter && x.from === r.prefix.length)) {
      rollups.push({ delimiter: r.delimiter, from: r.prefix.length });
    }
    notes.push(
      `Pass ${label} rolls keys up by ${quote(r.delimiter)}: its common prefixes are not compared, nor keys in deeper folders.`,
    );
  }
  for (const [label, pass] of [["A", A.summary], ["B", B.summary]] as const) {
    if (pass.kind !== "inventory" || pass.inventory === null) continue;
    notes.push(
      `Pass ${label} is an S3 Inventory report as of ${pass.inventory.asOf}. ${INVENTORY_CAVEAT} A key only in one pass may be the report's lag, not a change of the bucket.`,
    );
  }
  const sameRollup = a.delimiter === b.delimiter && a.prefix === b.prefix;
  if (a.page_size !== b.page_size) {
    notes.push(`The page sizes differ (${a.page_size} in A, ${b.page_size} in B): page boundaries fall in different places.`);
  }

  const coverage: DiffCoverage = {
    prefix,
    startAfter,
    through,
    delimiter: rollups[0]?.delimiter ?? null,
    narrowed: a.prefix !== b.prefix || a.start_after !== b.start_after || through !== null || (rollups.length > 0 && !sameRollup),
  };
  const plan: DiffPlan = {
    a: A.summary,
    b: B.summary,
    coverage,
    incomplete: incompleteSides.length > 0,
    differentTargets,
    notes,
  };
  return {
    plan,
    a: sideOf(a),
    b: sideOf(b),
    range: {
      from: prefix !== "" ? Buffer.from(prefix, "utf8") : null,
      below: prefixUpperBound(prefix),
      after: startAfter !== null ? Buffer.from(startAfter, "utf8") : null,
      through: through !== null ? Buffer.from(through, "utf8") : null,
      // Each pass's own keys already obey its own rule: filtering is needed only when the rules differ.
      rollups: sameRollup ? [] : rollups,
    },
  };
}
