import { compareKeys } from "@/lib/wire";
import type { KeyRange, RangeState } from "@/lib/wire";
import { codePoints, KeyShape, splitPoints } from "./split";

// The ranges of one parallel pass and the decisions about them: which range a free cursor takes,
// which range to split and where. Pure (no I/O), so the pass, its resume and the tests share it.

/** A range as the pass keeps it: the public fields plus what its cursor needs to go on. */
export interface RangeRecord extends KeyRange {
  /** The first item listed in the range (its density is measured from here to `position`). */
  first: string | null;
  /** Continues the range's walk (null before its first page and after its last). */
  token: string | null;
  /** The last key and common prefix listed, and the page indexes they came from (anomaly checks). */
  lastKey: string | null;
  lastKeyPage: number;
  lastPrefix: string | null;
  lastPrefixPage: number;
}

/** What a page of a range showed, for the plan. */
export interface RangeProgress {
  index: number;
  keys: string[];
  prefixes: string[];
  /** The walk ends here: the page was not truncated, or it reached the range's end. */
  last: boolean;
  token: string | null;
}

/** A range holds at least this many pages beyond the one in flight before it is worth splitting. */
const MIN_SPLIT_PAGES = 2;
/** Points made at once when the open-ended range is split (the gallop plus even points past it). */
const MAX_POINTS_AT_ONCE = 16;
/** Ranges of one pass at most; each costs at least one request. */
export const MAX_RANGES = 4096;
/** A range's last request asks for this many times the keys expected before its end, plus TAIL_EXTRA. */
const TAIL_MARGIN = 2;
const TAIL_EXTRA = 20;
/** Items of each page read into the key shape: enough to learn the characters, cheap per page. */
const SHAPE_SAMPLE_EVERY = 16;

export function newRange(id: number, after: string | null, through: string | null, parent: number | null, state: RangeState = "pending"): RangeRecord {
  return {
    id,
    after,
    through,
    state,
    position: null,
    pages: 0,
    keys: 0,
    prefixes: 0,
    parent,
    first: null,
    token: null,
    lastKey: null,
    lastKeyPage: -1,
    lastPrefix: null,
    lastPrefixPage: -1,
  };
}

const maxKey = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : compareKeys(a, b) >= 0 ? a : b);
const minKey = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : compareKeys(a, b) <= 0 ? a : b);

export interface PlanOptions {
  prefix: string;
  delimiter: string | null;
  pageSize: number;
}

export class RangePlan {
  readonly shape: KeyShape;
  readonly ranges: RangeRecord[];
  /** Ranges whose rest could not be split from their current position (tried once per position). */
  private readonly unsplittable = new Map<number, string | null>();

  constructor(
    readonly opts: PlanOptions,
    ranges: RangeRecord[],
  ) {
    this.shape = new KeyShape(opts.prefix);
    this.ranges = [...ranges].sort((a, b) => compareKeys(a.after ?? "", b.after ?? ""));
    for (const r of this.ranges) {
      for (const k of [r.first, r.position, r.after, r.through]) if (k !== null) this.shape.observe(k);
    }
  }

  get(id: number): RangeRecord | undefined {
    return this.ranges.find((r) => r.id === id);
  }

  /** The lowest range nobody lists yet. */
  nextPending(): RangeRecord | undefined {
    return this.ranges.find((r) => r.state === "pending");
  }

  /** Records a page of range `r` and learns from its items (they are in key order). */
  progress(r: RangeRecord, p: RangeProgress): void {
    const items = p.keys.length + p.prefixes.length;
    r.pages++;
    r.keys += p.keys.length;
    r.prefixes += p.prefixes.length;
    const lastKey = p.keys[p.keys.length - 1] ?? null;
    const lastPrefix = p.prefixes[p.prefixes.length - 1] ?? null;
    const firstItem = minKey(p.keys[0] ?? null, p.prefixes[0] ?? null);
    if (r.first === null) r.first = firstItem;
    r.position = maxKey(r.position, maxKey(lastKey, lastPrefix));
    if (lastKey !== null) {
      r.lastKey = lastKey;
      r.lastKeyPage = p.index;
    }
    if (lastPrefix !== null) {
      r.lastPrefix = lastPrefix;
      r.lastPrefixPage = p.index;
    }
    r.token = p.last ? null : p.token;
    if (p.last) r.state = "done";
    if (items > 0) {
      for (let i = 0; i < p.keys.length; i += SHAPE_SAMPLE_EVERY) this.shape.observe(p.keys[i] as string);
      for (let i = 0; i < p.prefixes.length; i += SHAPE_SAMPLE_EVERY) this.shape.observe(p.prefixes[i] as string);
      if (lastKey !== null) this.shape.observe(lastKey);
      if (lastPrefix !== null) this.shape.observe(lastPrefix);
    }
  }

  /** Where the range's cursor stands: its last item, else its start, else the pass's prefix. */
  private positionOf(r: RangeRecord): string {
    return r.position ?? r.after ?? this.opts.prefix;
  }

  /** log of the keys per unit of width the range's own pages showed, else its parent's, else the pass's. */
  private logDensity(r: RangeRecord, depth = 0): number {
    const own = this.ownLogDensity(r);
    if (own !== null) return own;
    const parent = r.parent !== null && depth < 64 ? this.get(r.parent) : undefined;
    if (parent !== undefined) return this.logDensity(parent, depth + 1);
    return this.passLogDensity();
  }

  private ownLogDensity(r: RangeRecord): number | null {
    const items = r.keys + r.prefixes;
    if (items < 2 || r.first === null || r.position === null) return null;
    const width = KeyShape.logWidth(this.shape.span(codePoints(r.first), codePoints(r.position)));
    return Number.isFinite(width) ? Math.log(items - 1) - width : null;
  }

  private passLogDensity(): number {
    let best = Number.NEGATIVE_INFINITY;
    for (const r of this.ranges) {
      const d = this.ownLogDensity(r);
      if (d !== null) best = Math.max(best, d);
    }
    // Nothing measured yet: one page per unit of width is as good a guess as any.
    return Number.isFinite(best) ? best : Math.log(this.opts.pageSize);
  }

  /** log of the keys estimated between the cursor and the range's end (its page in flight included). */
  logRemaining(r: RangeRecord): number {
    const width = KeyShape.logWidth(this.shape.span(codePoints(this.positionOf(r)), r.through === null ? null : codePoints(r.through)));
    return width + this.logDensity(r);
  }

  /**
   * MaxKeys for the range's next request, after `item`: the page size, or little more than the keys
   * expected before the range's end (twice, and some), so its last page parses few keys it must drop.
   */
  nextPageSize(r: RangeRecord, item: string | null): number {
    const { pageSize } = this.opts;
    if (r.through === null) return pageSize;
    const width = KeyShape.logWidth(this.shape.span(codePoints(item ?? this.positionOf(r)), codePoints(r.through)));
    const expected = Math.exp(width + this.logDensity(r));
    if (!Number.isFinite(expected)) return pageSize;
    return Math.min(pageSize, Math.ceil(expected * TAIL_MARGIN) + TAIL_EXTRA);
  }

  /**
   * The range to split next and its points, or null when no range is worth it: the range with the
   * most keys estimated ahead of its cursor, beyond the page it has in flight. Only ranges whose
   * first page has arrived qualify (before it, a range is a guess in a region nobody has seen), so a
   * big range is cut into as many pieces at once as the free cursors need to share the work evenly.
   */
  chooseSplit(free: number, running: number): { range: RangeRecord; points: string[] } | null {
    if (free <= 0 || this.ranges.length >= MAX_RANGES) return null;
    const floor = Math.log((MIN_SPLIT_PAGES + 1) * this.opts.pageSize);
    let total = 0;
    const candidates: { r: RangeRecord; remaining: number }[] = [];
    for (const r of this.ranges) {
      if (r.state !== "listing") continue;
      const remaining = this.logRemaining(r);
      if (Number.isFinite(remaining)) total += Math.exp(Math.min(remaining, 700));
      if (r.pages === 0 || r.position === null || this.unsplittable.get(r.id) === r.position) continue;
      // The open-ended range goes on for as long as S3 says it is truncated, however little the key
      // shape expects beyond it (a first page is a small sample): it is always worth a gallop.
      if (r.through !== null && !(remaining > floor)) continue;
      candidates.push({ r, remaining });
    }
    candidates.sort((a, b) => (a.r.through === null ? -1 : b.r.through === null ? 1 : b.remaining - a.remaining));
    const share = total / Math.max(1, running + free);
    for (const { r, remaining } of candidates) {
      const room = Math.min(free, MAX_POINTS_AT_ONCE, MAX_RANGES - this.ranges.length);
      const count = r.through === null ? room : Math.max(1, Math.min(room, Math.floor(Math.exp(Math.min(remaining, 700)) / share) - 1));
      const points = splitPoints(this.shape, {
        position: this.positionOf(r),
        through: r.through,
        logPageWidth: Math.log(this.opts.pageSize) - this.logDensity(r),
        count,
        delimiter: this.opts.delimiter,
      });
      if (points.length > 0) return { range: r, points };
      this.unsplittable.set(r.id, r.position);
    }
    return null;
  }

  /**
   * Cuts `r` at the points (ascending, strictly between its cursor and its end): `r` keeps the
   * lowest part, each point opens a new pending range. Returns the new ranges.
   */
  split(r: RangeRecord, points: readonly string[]): RangeRecord[] {
    let nextId = this.ranges.reduce((m, x) => Math.max(m, x.id), -1) + 1;
    const made: RangeRecord[] = [];
    const end = r.through;
    points.forEach((point, i) => made.push(newRange(nextId++, point, points[i + 1] ?? end, r.id)));
    r.through = points[0] ?? end;
    this.ranges.push(...made);
    this.ranges.sort((a, b) => compareKeys(a.after ?? "", b.after ?? ""));
    return made;
  }
}
