import "server-only";
import { compareKeys } from "@/lib/lister";
import { VERDICTS, type ExperimentResult, type KeyVerdict, type Mutation, type Verdict } from "@/lib/wire";

// Pure functions from (ground truth, mutation log, what the pass listed) to one verdict per key.
// The model (s3-listing-facts.md, "Consistency"): each page reflects the bucket when that page is
// requested, so a key's fate is decided by the one page whose key range holds it.

/** Key (relative to the experiment's prefix) → ETag, for one moment of the bucket. */
export type Contents = ReadonlyMap<string, string | null>;
export type Listed = ReadonlyMap<string, { etag: string | null; page: number }>;

export interface PageRange {
  index: number;
  lastKey: string | null;
  isTruncated: boolean;
  failed: boolean;
  /** Parallel passes: the key range (after, through] whose cursor answered this page, keys relative. */
  cursor?: { range: number; page: number; after: string | null; through: string | null; beyond: number; withdrawn?: boolean };
}

/** ETags compare without the quotes S3 puts around them (listings and PUT answers differ in tools). */
export function normalizeEtag(etag: string | null | undefined): string | null {
  if (etag === null || etag === undefined || etag === "") return null;
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

export function sortedKeys(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort(compareKeys);
}

/**
 * x coordinate of a key: its index among the keys held at the start; a key the start did not hold
 * sits half-way between its neighbours, so the axis never moves while an experiment runs.
 */
export function positionIn(startKeys: readonly string[], key: string): number {
  let lo = 0;
  let hi = startKeys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const cmp = compareKeys(startKeys[mid] as string, key);
    if (cmp === 0) return mid;
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 0.5;
}

/**
 * The page whose answer decided what the pass saw of `key`: the first page whose last key is not
 * before it. A continuation token resumes strictly after the previous page's last key, so page i
 * returns the first N keys after lastKey(i-1) as the bucket is at i's request; the final,
 * untruncated page holds everything after. Null when the pass stopped before reaching the key.
 */
export function coveringPage(pages: readonly PageRange[], key: string): number | null {
  if (pages.some((p) => p.cursor !== undefined)) return coveringPageOfRanges(pages, key);
  for (const p of pages) {
    if (p.failed) return null;
    if (p.lastKey !== null && compareKeys(key, p.lastKey) <= 0) return p.index;
    if (!p.isTruncated) return p.index;
  }
  return null;
}

/**
 * A parallel pass: each range's cursor is a sequential listing of its own keys (after, through], so
 * the page that decided `key` is found as above among the pages of the one range holding it. A range
 * only ever shrinks from its end when it is split (the part cut off becomes a range with a greater
 * start), so its latest page says where it ends, and of the ranges that seem to hold a key (a split
 * after a cancelled pass's last page) the one that starts latest is the one that lists it. Pages
 * withdrawn by a fall back to one cursor decided nothing.
 */
function coveringPageOfRanges(pages: readonly PageRange[], key: string): number | null {
  const byRange = new Map<number, PageRange[]>();
  for (const p of pages) {
    if (p.cursor?.withdrawn === true) continue;
    const id = p.cursor?.range ?? 0;
    const list = byRange.get(id) ?? [];
    list.push(p);
    byRange.set(id, list);
  }
  let holder: { after: string | null; pages: PageRange[] } | null = null;
  for (const list of byRange.values()) {
    list.sort((a, b) => (a.cursor?.page ?? a.index) - (b.cursor?.page ?? b.index));
    const after = list[0]?.cursor?.after ?? null;
    const through = list[list.length - 1]?.cursor?.through ?? null;
    if (after !== null && compareKeys(key, after) <= 0) continue;
    if (through !== null && compareKeys(key, through) > 0) continue;
    if (holder === null || (after !== null && (holder.after === null || compareKeys(after, holder.after) > 0))) holder = { after, pages: list };
  }
  if (holder === null) return null;
  for (const p of holder.pages) {
    if (p.failed) return null;
    if (p.lastKey !== null && compareKeys(key, p.lastKey) <= 0) return p.index;
    // The range ended here: S3 had nothing more, or the response reached past the range's end.
    if (!p.isTruncated || (p.cursor?.beyond ?? 0) > 0) return p.index;
  }
  return null;
}

/**
 * One key's verdict. `mutated`: the log holds a write or delete of this key during the pass.
 * - listed, gone at the end → phantom (its page came before the delete)
 * - listed as it is at the end → seen-new when that differs from the start, else consistent
 * - listed, but not as it is at the end → stale-version (overwritten after its page)
 * - not listed, present at the end → missed (inserted behind the cursor, or an S3 bug if it never changed)
 * - not listed, present only at the start → gone-early (deleted before its page)
 * - not listed, absent at both ends → consistent (created and deleted between the pages)
 */
export function classifyKey(
  start: { etag: string | null } | null,
  end: { etag: string | null } | null,
  listed: { etag: string | null } | null,
): Verdict {
  if (listed !== null) {
    if (end === null) return "phantom";
    if (listed.etag === end.etag) return start !== null && start.etag === listed.etag ? "consistent" : "seen-new";
    return "stale-version";
  }
  if (end !== null) return "missed";
  if (start !== null) return "gone-early";
  return "consistent";
}

export interface ClassifyInput {
  start: Contents;
  end: Contents;
  listed: Listed;
  mutations: readonly Mutation[];
  pages: readonly PageRange[];
}

/** Every key seen anywhere (start, end, listing, log), in key order, with its verdict. */
export function classifyKeys(input: ClassifyInput): KeyVerdict[] {
  const startKeys = sortedKeys(input.start.keys());
  const byKey = new Map<string, number[]>();
  for (const m of input.mutations) {
    const list = byKey.get(m.key) ?? [];
    list.push(m.seq);
    byKey.set(m.key, list);
  }
  const keys = sortedKeys([...input.start.keys(), ...input.end.keys(), ...input.listed.keys(), ...byKey.keys()]);
  return keys.map((key) => {
    const start = input.start.has(key) ? { etag: input.start.get(key) ?? null } : null;
    const end = input.end.has(key) ? { etag: input.end.get(key) ?? null } : null;
    const listed = input.listed.get(key) ?? null;
    return {
      key,
      position: positionIn(startKeys, key),
      verdict: classifyKey(start, end, listed),
      start,
      end,
      listed: listed !== null ? { etag: listed.etag, page: listed.page } : null,
      page: coveringPage(input.pages, key),
      mutations: byKey.get(key) ?? [],
    };
  });
}

function differingKeys(listed: Listed, truth: Contents): string[] {
  const out: string[] = [];
  for (const [key, etag] of truth) {
    const l = listed.get(key);
    if (l === undefined || l.etag !== etag) out.push(key);
  }
  for (const key of listed.keys()) if (!truth.has(key)) out.push(key);
  return sortedKeys(out);
}

function keysPhrase(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).join(", ");
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : "";
  return `${keys.length} key${keys.length === 1 ? "" : "s"}: ${shown}${more}`;
}

/** The one-line answer: did the pass equal the bucket at its start? at its end? */
export function summarize(input: ClassifyInput, verdicts: readonly KeyVerdict[], pages: number): ExperimentResult {
  const vsStart = differingKeys(input.listed, input.start);
  const vsEnd = differingKeys(input.listed, input.end);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of verdicts) counts[v.verdict]++;
  const part = (diff: string[], when: string) =>
    diff.length === 0 ? `matches the bucket at its ${when}` : `differs from the bucket at its ${when} (${keysPhrase(diff)})`;
  const line =
    vsStart.length === 0 && vsEnd.length === 0
      ? "The pass matches the bucket both at its start and at its end."
      : `The pass ${part(vsStart, "start")} and ${part(vsEnd, "end")}.`;
  return {
    equalsStart: vsStart.length === 0,
    equalsEnd: vsEnd.length === 0,
    line,
    counts,
    startKeys: input.start.size,
    endKeys: input.end.size,
    listedKeys: input.listed.size,
    pages,
    mutations: input.mutations.length,
  };
}
