import { compareKeys } from "@/lib/wire";

// Where to split a key range without hints. Keys are read as numbers in [0, 1): each character after
// the pass's prefix is a digit in the base of the characters seen in the pass's keys so far, so
// "k/0199999" and "2f9c…" both spread over the digits they really use. (Sets per position would fit
// some keys better but lie when a page covered only part of a position's range: after "00000000" ..
// "028ea991" the second character seems to be 0-2.) A range's size is its width in that measure times the key density its own
// pages showed (or its parent's), which is how the largest remaining range is found. An open-ended
// range (the last one) is first cut at the ends of the blocks its position sits in ("obj_0009" +
// U+10FFFF, "obj_000" + U+10FFFF, …, "o" + U+10FFFF): a gallop that finds how far the keys reach in
// one round of requests, whatever the shape of the keys. Split points need not be keys: a range is
// (after, through], so any string divides the keys exactly once. Correctness never rests on this
// file, only the balance does.

const MAX_CODE_POINT = 0x10ffff;
/** Used until the keys have shown two characters: printable ASCII. */
const DEFAULT_ALPHABET: readonly number[] = Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i);
const MAX_GALLOP_POINTS = 12;
/** The page in flight is taken to reach this many estimated pages ahead (a split point short of its
 * real end cuts the page, and the keys past the point are listed again by the new range). */
const IN_FLIGHT_MARGIN = 2;
/** Characters of context that predict the next one. */
const CONTEXT = 3;
/** Shares of a position's width given to what followed the last 1, 2 and 3 characters… */
const CONTEXT_SHARES = [0.2, 0.25, 0.35];
/** …and spread evenly over every character seen (a context not seen yet adds its share here). */
const EVEN_SHARE = 0.2;
/** Widths below this are noise for a double. */
const MIN_SCALE = 1e-13;
/** A split point is precise enough once its block is this small. */
const POINT_SCALE = 1e-9;
/** Contexts remembered per pass (bounded memory whatever the keys). */
const MAX_CONTEXTS = 50_000;
/** Characters a split point adds to its shared part at most (deterministic runs included). */
const MAX_POINT_CHARACTERS = 64;
const MAX_KEY_BYTES = 1024;

export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

function text(cps: readonly number[]): string {
  let s = "";
  for (const c of cps) s += String.fromCodePoint(c);
  return s;
}

function insertSorted(list: number[], value: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === value) return false;
  list.splice(lo, 0, value);
  return true;
}

/** How many entries of the sorted list are below `value`, and whether it is one of them. */
function rank(list: readonly number[], value: number): [below: number, member: boolean] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return [lo, list[lo] === value];
}

/** A remaining stretch of keys between two bounds, measured from their longest common prefix. */
export interface Span {
  /** Code points the bounds share. */
  base: number[];
  /** The bounds as fractions of the block that `base` opens. */
  x: number;
  y: number;
  /** log of the width of that block in the whole key space. */
  logScale: number;
}

/** The characters seen after one context. */
interface Followers {
  digits: number[];
}

/** The digits at one position and the share of the block each one opens (cumulative, n + 1 entries). */
interface Weights {
  cum: Float64Array;
}

/**
 * What the splitter has learnt about the keys of one pass: which characters follow which. Every
 * position's digits are all the characters seen; their widths mix what followed the last three, two
 * and one characters with an even share for all: "logs/2024-…/host-3/part-000123.json.gz" then
 * takes little width for the "art-" after "/p" (a split lands among the part numbers, not between
 * "part-" and "q"), while "obj_000" after a first page of obj_000000..obj_000999 still leaves room
 * for obj_1…: a position that has not varied yet may still vary.
 */
export class KeyShape {
  readonly prefix: number[];
  private readonly followers = new Map<string, Followers>();
  private readonly all: number[] = [];
  private readonly cache = new Map<string, Weights>();

  constructor(prefix: string) {
    this.prefix = codePoints(prefix);
  }

  private static contextOf(cps: readonly number[], at: number, length: number): string {
    let s = `${length}:`;
    for (let i = Math.max(0, at - length); i < at; i++) s += String.fromCodePoint(cps[i] as number);
    return s;
  }

  /** Learns the characters of a key (or common prefix) of the pass. */
  observe(key: string): void {
    const cps = codePoints(key);
    let changed = false;
    for (let i = this.prefix.length; i < cps.length; i++) {
      const c = cps[i] as number;
      if (insertSorted(this.all, c)) changed = true;
      for (let length = 1; length <= CONTEXT && length <= i; length++) {
        const ctx = KeyShape.contextOf(cps, i, length);
        let f = this.followers.get(ctx);
        if (f === undefined) {
          if (this.followers.size >= MAX_CONTEXTS) continue;
          f = { digits: [] };
          this.followers.set(ctx, f);
        }
        if (insertSorted(f.digits, c)) changed = true;
      }
    }
    if (changed) this.cache.clear();
  }

  /** The digits, sorted: every character seen (printable ASCII until two were). */
  get digits(): readonly number[] {
    return this.all.length >= 2 ? this.all : DEFAULT_ALPHABET;
  }

  private weightsAt(cps: readonly number[], at: number): Weights {
    const key = KeyShape.contextOf(cps, at, Math.min(CONTEXT, at));
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const digits = this.digits;
    const n = digits.length;
    const w = new Float64Array(n);
    let even = EVEN_SHARE;
    for (let length = Math.min(CONTEXT, at); length >= 1; length--) {
      const share = CONTEXT_SHARES[length - 1] as number;
      const f = this.followers.get(KeyShape.contextOf(cps, at, length));
      if (f === undefined || f.digits.length === 0) {
        even += share;
        continue;
      }
      for (const d of f.digits) {
        const [i, member] = rank(digits, d);
        if (member) w[i] = (w[i] as number) + share / f.digits.length;
      }
    }
    const cum = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) cum[i + 1] = (cum[i] as number) + (w[i] as number) + even / n;
    const weights = { cum };
    if (this.cache.size < MAX_CONTEXTS) this.cache.set(key, weights);
    return weights;
  }

  /** The value in [0, 1] of `cps` read from index `from` on (index counts the prefix too). */
  private fraction(cps: readonly number[], from: number): number {
    const digits = this.digits;
    let value = 0;
    let scale = 1;
    for (let i = from; i < cps.length && scale > MIN_SCALE; i++) {
      const { cum } = this.weightsAt(cps, i);
      const [below, member] = rank(digits, cps[i] as number);
      value += scale * (cum[below] as number);
      if (!member) break;
      scale *= (cum[below + 1] as number) - (cum[below] as number);
    }
    return value;
  }

  /** log of the share of the key space the block of keys starting with cps[0, q) takes. */
  private logBlock(cps: readonly number[], q: number): number {
    const digits = this.digits;
    let log = 0;
    for (let i = this.prefix.length; i < q; i++) {
      const { cum } = this.weightsAt(cps, i);
      const [below, member] = rank(digits, cps[i] as number);
      log += Math.log(member ? (cum[below + 1] as number) - (cum[below] as number) : MIN_SCALE);
    }
    return log;
  }

  /** The key space end: past every key with the pass's prefix. */
  end(): number[] {
    return [...this.prefix, MAX_CODE_POINT];
  }

  /**
   * The stretch (lo, hi] in this measure; hi null is the end of the key space. Null when it is
   * empty or outside the prefix (nothing of the pass lies there).
   */
  span(lo: readonly number[], hi: readonly number[] | null): Span | null {
    const P = this.prefix.length;
    const top = hi ?? this.end();
    let low: readonly number[] = lo;
    if (compareCps(low, this.prefix) < 0) low = this.prefix;
    if (!startsWith(low, this.prefix) || !startsWith(top, this.prefix) || compareCps(low, top) >= 0) return null;
    let q = P;
    while (q < low.length && q < top.length && low[q] === top[q]) q++;
    const logScale = this.logBlock(top, q);
    const x = this.fraction(low, q);
    const y = q < top.length ? this.fraction(top, q) : 0;
    // Below this the two bounds are one point as far as a double can tell.
    if (!(y - x > 1e-12)) return null;
    return { base: top.slice(0, q), x, y, logScale };
  }

  /** log of the span's width in the whole key space. */
  static logWidth(span: Span | null): number {
    return span === null ? Number.NEGATIVE_INFINITY : span.logScale + Math.log(span.y - span.x);
  }

  /** The string at fraction `t` of the block `span.base` opens. */
  pointAt(span: Span, t: number): number[] {
    const digits = this.digits;
    const out = [...span.base];
    let rest = t;
    let scale = 1;
    for (let added = 0; added < MAX_POINT_CHARACTERS && scale > POINT_SCALE; added++) {
      const { cum } = this.weightsAt(out, out.length);
      let lo = 0;
      let hi = digits.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((cum[mid] as number) <= rest) lo = mid;
        else hi = mid - 1;
      }
      out.push(digits[lo] as number);
      const width = (cum[lo + 1] as number) - (cum[lo] as number);
      rest = (rest - (cum[lo] as number)) / width;
      scale *= width;
      if (rest < 1e-6) break;
    }
    return out;
  }
}

export function compareCps(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function startsWith(s: readonly number[], prefix: readonly number[]): boolean {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (s[i] !== prefix[i]) return false;
  return true;
}

/**
 * With a delimiter a point inside a common prefix ("2021/wed") moves to the prefix itself ("2021/"):
 * the lower range lists the common prefix once and the upper one starts past all of it, since S3
 * leaves out common prefixes not greater than StartAfter. So the fan-out runs over common prefixes.
 */
export function snapToCommonPrefix(point: string, prefix: string, delimiter: string | null): string {
  if (delimiter === null || delimiter === "") return point;
  const at = point.indexOf(delimiter, prefix.length);
  return at < 0 ? point : point.slice(0, at + delimiter.length);
}

export interface SplitRequest {
  /** Where the range's cursor is: its last item, or the range's start before its first page. */
  position: string;
  /** The range's inclusive end; null: the end of the key space. */
  through: string | null;
  /** log of the width one page of this range covers (keys per width, from its density). */
  logPageWidth: number;
  /** Points wanted (each makes one more range). */
  count: number;
  delimiter: string | null;
}

/**
 * Split points for the rest of a range, in key order, each strictly between the cursor's reach
 * (its position plus the page in flight) and the range's end: evenly spaced in the measure for a
 * bounded range; block ends (the gallop) and then even points past them for the open-ended one.
 */
export function splitPoints(shape: KeyShape, req: SplitRequest): string[] {
  if (req.count <= 0) return [];
  const pos = codePoints(req.position);
  const through = req.through === null ? null : codePoints(req.through);
  const candidates: number[][] = [];
  const reach = (point: readonly number[]) => KeyShape.logWidth(shape.span(pos, point)) > req.logPageWidth;

  if (through === null) {
    // Block ends of the position, deepest first, beyond the page in flight.
    const P = shape.prefix.length;
    const ends: number[][] = [];
    for (let i = pos.length - 1; i >= P; i--) {
      const end = [...pos.slice(0, i + 1), MAX_CODE_POINT];
      if (reach(end)) ends.push(end);
    }
    // Spread over the levels, the nearest and the outermost always among them: each block a few
    // times the one inside it, so the cursors reach from where the keys are known to be to where
    // they end; the open-ended rest is galloped again once it has been listed.
    const wanted = Math.min(req.count, MAX_GALLOP_POINTS, ends.length);
    const take: number[][] = [];
    for (let j = 0; j < wanted; j++) {
      const end = ends[wanted === 1 ? 0 : Math.round((j * (ends.length - 1)) / (wanted - 1))];
      if (end !== undefined && take[take.length - 1] !== end) take.push(end);
    }
    candidates.push(...take);
    const outermost = take[take.length - 1] ?? pos;
    const rest = shape.span(outermost, null);
    const more = req.count - take.length;
    if (rest !== null && more > 0) {
      for (let k = 1; k <= more; k++) candidates.push(shape.pointAt(rest, rest.x + ((rest.y - rest.x) * k) / (more + 1)));
    }
  } else {
    const span = shape.span(pos, through);
    if (span === null) return [];
    // The part the cursor's request in flight will cover belongs to it already.
    const page = IN_FLIGHT_MARGIN * Math.exp(req.logPageWidth - span.logScale);
    const from = span.x + page;
    if (from >= span.y) return [];
    for (let k = 1; k <= req.count; k++) candidates.push(shape.pointAt(span, from + ((span.y - from) * k) / (req.count + 1)));
  }

  const prefix = text(shape.prefix);
  const out: string[] = [];
  for (const c of candidates) {
    const point = snapToCommonPrefix(text(c), prefix, req.delimiter);
    if (Buffer.byteLength(point, "utf8") > MAX_KEY_BYTES) continue;
    if (compareKeys(point, req.position) <= 0) continue;
    if (req.through !== null && compareKeys(point, req.through) >= 0) continue;
    out.push(point);
  }
  out.sort(compareKeys);
  return out.filter((p, i) => i === 0 || p !== out[i - 1]);
}
