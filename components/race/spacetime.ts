import type { ExperimentPage, KeyVerdict, Mutation, Verdict } from "@/lib/wire";
import { PENDING_COLOR, VERDICT_STYLE } from "./verdicts";

// The spacetime picture as plain data: x = position in key order (of the bucket at the start),
// y = seconds since the first page was requested (drawn downwards). Each page is a segment over the
// keys it returned at the time it was answered; the cursor's staircase joins them; each mutation is a
// point at (its key, its acknowledgement). A point above its page's segment was seen, below it missed.
// A parallel pass has one staircase per key range, each with its own cursor: several frontiers at once.

/** One colour per key range of a parallel pass (range id modulo the list), range 0 in the sequential cursor's blue. */
export const CURSOR_COLORS = ["#2f5bd3", "#d6336c", "#b7791f", "#2b8a3e", "#7048e8", "#0c8599", "#e8590c", "#5c6770"] as const;
export const cursorColor = (range: number): string => CURSOR_COLORS[range % CURSOR_COLORS.length] as string;

/** One key range of a parallel pass on the picture: its part of the axis and its cursor's staircase. */
export interface CursorLane {
  range: number;
  color: string;
  /** The range holds the keys after `after` through `through` (null: the beginning / the end of the prefix). */
  after: string | null;
  through: string | null;
  /** Where the range begins and ends on the axis. */
  x1: number;
  x2: number;
  stairs: { x: number; y: number }[];
  pages: number;
  keys: number;
  /** Its cursor listed to its end. */
  done: boolean;
}

/** Where a range was cut off from the one before it: a split point, from the moment its cursor first asked. */
export interface SplitMark {
  x: number;
  key: string;
  y: number;
  range: number;
}

export interface PageSegment {
  index: number;
  x1: number;
  x2: number;
  /** When the page was answered. */
  y: number;
  /** When it was requested: the listing happened somewhere in [requested, y]. */
  yRequested: number;
  keyCount: number;
  firstKey: string | null;
  lastKey: string | null;
  /** Parallel passes: the key range whose cursor asked for the page, and its colour. */
  range: number | null;
  color: string | null;
}

export interface MutationPoint {
  x: number;
  y: number;
  seq: number;
  key: string;
  op: Mutation["op"];
  /** Null while the page that decides the key has not been revealed. */
  verdict: Verdict | null;
  color: string;
}

export interface Spacetime {
  segments: PageSegment[];
  /** The one cursor's staircase; empty for a parallel pass, whose staircases are its lanes. */
  stairs: { x: number; y: number }[];
  /** Parallel passes: one per key range, in key order. */
  lanes: CursorLane[];
  splits: SplitMark[];
  points: MutationPoint[];
  xDomain: [number, number];
  yDomain: [number, number];
  yTicks: number[];
  /** Decimals of the time labels, from the tick step. */
  yDecimals: number;
  ticks: { x: number; key: string }[];
  /** Epoch ms of y = 0. */
  origin: number;
  /** The page requested and not answered yet: over the keys still ahead of the cursor, from its request until now. */
  inFlight: { index: number; x1: number; x2: number; yRequested: number; yNow: number } | null;
}

export interface SpacetimeInput {
  pages: readonly ExperimentPage[];
  mutations: readonly Mutation[];
  verdicts: readonly KeyVerdict[];
  /** Keys in the bucket at the start (the x axis's length). */
  startCount: number;
  /** Live: the page requested and not answered yet, and the viewer's clock (epoch ms). */
  inFlight?: { index: number; requestedAt: string } | null;
  now?: number;
}

/**
 * One step of presenter mode. Step 0 is the bucket before the pass; then, page by page, each
 * mutation sent before the page was requested is its own step (a crowd of them, as churn makes, is
 * one step), followed by the page that reveals what they did; mutations sent after the last request
 * come last.
 */
export interface PresenterStep {
  kind: "before" | "mutations" | "page";
  /** Pages revealed at this step. */
  pages: number;
  /** The page this step reveals (kind page) or the mutations come before; null before the pass and after its last request. */
  page: number | null;
  /** Mutations (seq) this step adds to the picture. */
  fresh: number[];
  /** Every mutation (seq) on the picture at this step. */
  visible: ReadonlySet<number>;
}

/** More mutations than this between two requests are one step, not one each. */
const SINGLE_STEPS = 8;

export function presenterSteps(pages: readonly ExperimentPage[], mutations: readonly Pick<Mutation, "seq" | "sentAt">[]): PresenterStep[] {
  const requested = pages.map((p) => Date.parse(p.requestedAt));
  const gaps: number[][] = Array.from({ length: pages.length + 1 }, () => []);
  for (const m of [...mutations].sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt) || a.seq - b.seq)) {
    const sent = Date.parse(m.sentAt);
    const before = requested.findIndex((t) => t > sent);
    gaps[before === -1 ? pages.length : before]?.push(m.seq);
  }
  const steps: PresenterStep[] = [{ kind: "before", pages: 0, page: null, fresh: [], visible: new Set() }];
  let visible: number[] = [];
  const addMutations = (seqs: number[], page: number | null, pagesShown: number) => {
    const groups = seqs.length > SINGLE_STEPS ? [seqs] : seqs.map((q) => [q]);
    for (const g of groups) {
      visible = [...visible, ...g];
      steps.push({ kind: "mutations", pages: pagesShown, page, fresh: g, visible: new Set(visible) });
    }
  };
  pages.forEach((p, i) => {
    addMutations(gaps[i] ?? [], p.index, i);
    steps.push({ kind: "page", pages: i + 1, page: p.index, fresh: [], visible: new Set(visible) });
  });
  addMutations(gaps[pages.length] ?? [], null, pages.length);
  return steps;
}

/** The whole picture (step null), or what presenter mode shows at one step. */
export function buildSpacetime(input: SpacetimeInput, step: PresenterStep | null = null): Spacetime {
  const shownPages = step === null ? input.pages : input.pages.slice(0, step.pages);
  const complete = step === null || step.pages >= input.pages.length;
  const inFlight = step === null ? (input.inFlight ?? null) : null;
  const origin =
    input.pages[0] !== undefined
      ? Date.parse(input.pages[0].requestedAt)
      : inFlight !== null
        ? Date.parse(inFlight.requestedAt)
        : Date.parse(input.mutations[0]?.sentAt ?? "") || 0;
  const t = (iso: string) => (Date.parse(iso) - origin) / 1000;
  const verdictOf = new Map(input.verdicts.map((v) => [v.key, v] as const));

  const maxPosition = Math.max(input.startCount - 0.5, ...input.mutations.map((m) => m.position), ...input.pages.map((p) => p.lastPosition ?? 0));
  const xDomain: [number, number] = [-1, Math.ceil(maxPosition) + 1];

  // A parallel range's last page may hold none of its keys (what S3 answered lay past the range's
  // end): it is drawn over the stretch it covered, from its cursor to the range's end.
  const rangeAt = new Map<number, number>();
  const emptyPage = (p: ExperimentPage): { x1: number; x2: number } | null => {
    const c = p.cursor;
    if (c === undefined) return null;
    const from = rangeAt.get(c.range) ?? (c.afterPosition !== null ? boundary(c.afterPosition) : xDomain[0]);
    const to = p.lastPosition ?? (c.throughPosition !== null ? boundary(c.throughPosition) : xDomain[1]);
    rangeAt.set(c.range, to);
    return p.firstPosition === null ? { x1: from, x2: to } : null;
  };
  const segments: PageSegment[] = shownPages.map((p) => ({
    range: p.cursor?.range ?? null,
    color: p.cursor !== undefined ? cursorColor(p.cursor.range) : null,
    index: p.index,
    ...(emptyPage(p) ?? { x1: p.firstPosition ?? p.lastPosition ?? 0, x2: p.lastPosition ?? p.firstPosition ?? 0 }),
    y: t(p.receivedAt),
    yRequested: t(p.requestedAt),
    keyCount: p.keyCount,
    firstKey: p.firstKey,
    lastKey: p.lastKey,
  }));

  const parallel = input.pages.some((p) => p.cursor !== undefined);
  const stairs: { x: number; y: number }[] = parallel ? [] : [{ x: xDomain[0], y: 0 }];
  let cursor = xDomain[0];
  if (!parallel) {
    for (const s of segments) {
      stairs.push({ x: cursor, y: s.y });
      const page = input.pages[s.index];
      cursor = page !== undefined && !page.isTruncated ? xDomain[1] : s.x2;
      stairs.push({ x: cursor, y: s.y });
    }
  }
  const { lanes, splits } = parallel ? cursorLanes(shownPages, xDomain, t) : { lanes: [], splits: [] };

  const shownMutations = step === null ? input.mutations : input.mutations.filter((m) => step.visible.has(m.seq));
  const points: MutationPoint[] = shownMutations.map((m) => {
    const v = verdictOf.get(m.key);
    const decided = v !== undefined && (complete || (v.page !== null && v.page < shownPages.length));
    const verdict = decided ? v.verdict : null;
    return { x: m.position, y: t(m.ackedAt), seq: m.seq, key: m.key, op: m.op, verdict, color: verdict !== null ? VERDICT_STYLE[verdict].color : PENDING_COLOR };
  });

  const flight =
    inFlight !== null
      ? {
          index: inFlight.index,
          x1: cursor,
          x2: xDomain[1],
          yRequested: t(inFlight.requestedAt),
          yNow: Math.max(t(inFlight.requestedAt), ((input.now ?? Date.now()) - origin) / 1000),
        }
      : null;
  const allTimes = [...input.pages.map((p) => t(p.receivedAt)), ...input.mutations.map((m) => t(m.ackedAt)), 0, ...(flight !== null ? [flight.yNow] : [])];
  const yStep = niceStep(Math.max(...allTimes) / 6);
  const yTicks: number[] = [0];
  while ((yTicks[yTicks.length - 1] ?? 0) < Math.max(...allTimes)) yTicks.push(round(yTicks.length * yStep));
  const yDomain: [number, number] = [0, yTicks[yTicks.length - 1] ?? yStep];

  // Boundaries of the pages shown so far, and the ends of the axis: presenter mode does not give
  // away where later pages will end.
  const ticks: { x: number; key: string }[] = [];
  const first = input.pages[0];
  const final = input.pages[input.pages.length - 1];
  if (first?.firstKey != null && first.firstPosition !== null) ticks.push({ x: first.firstPosition, key: first.firstKey });
  for (const p of [...shownPages, ...(final !== undefined ? [final] : [])]) {
    if (p.lastKey !== null && p.lastPosition !== null && !ticks.some((t) => t.x === p.lastPosition)) ticks.push({ x: p.lastPosition, key: p.lastKey });
  }

  for (const m of splits) if (!ticks.some((t) => t.x === m.x)) ticks.push({ x: m.x, key: m.key });

  return { segments, stairs, lanes, splits, points, xDomain, yDomain, yTicks, yDecimals: yStep >= 1 ? 0 : yStep >= 0.1 ? 1 : 2, ticks, origin, inFlight: flight };
}

/**
 * Where a key range's end lies on the axis: just after its key when the bucket held it at the start
 * (a whole position), else where the key already sits, between its neighbours.
 */
const boundary = (position: number) => (Number.isInteger(position) ? position + 0.5 : position);

/**
 * Each range's staircase: from where its cursor starts (range 0: the beginning, at time 0; a range
 * split off later: its split point, when its first page was requested) down and along each of its
 * pages, to the range's end once its last page is in. A range's end is the one its latest page was
 * recorded with: splitting only moves it closer.
 */
function cursorLanes(pages: readonly ExperimentPage[], xDomain: [number, number], t: (iso: string) => number): { lanes: CursorLane[]; splits: SplitMark[] } {
  const byRange = new Map<number, ExperimentPage[]>();
  for (const p of pages) {
    if (p.cursor === undefined || p.cursor.withdrawn !== undefined) continue;
    const list = byRange.get(p.cursor.range) ?? [];
    list.push(p);
    byRange.set(p.cursor.range, list);
  }
  const lanes: CursorLane[] = [];
  const splits: SplitMark[] = [];
  for (const [range, list] of byRange) {
    list.sort((a, b) => (a.cursor?.page ?? 0) - (b.cursor?.page ?? 0));
    const first = list[0]?.cursor;
    const latest = list[list.length - 1]?.cursor;
    if (first === undefined || latest === undefined) continue;
    const x1 = first.afterPosition !== null ? boundary(first.afterPosition) : xDomain[0];
    const x2 = latest.throughPosition !== null ? boundary(latest.throughPosition) : xDomain[1];
    const startY = range === 0 ? 0 : t(list[0]?.requestedAt ?? "");
    if (first.after !== null) splits.push({ x: x1, key: first.after, y: startY, range });
    const stairs = [{ x: x1, y: startY }];
    let at = x1;
    let done = false;
    let keys = 0;
    for (const p of list) {
      const y = t(p.receivedAt);
      keys += p.keyCount;
      stairs.push({ x: at, y });
      done = p.error === null && (!p.isTruncated || (p.cursor?.beyond ?? 0) > 0);
      at = done ? x2 : (p.lastPosition ?? at);
      stairs.push({ x: at, y });
    }
    lanes.push({ range, color: cursorColor(range), after: first.after, through: latest.through, x1, x2, stairs, pages: list.length, keys, done });
  }
  lanes.sort((a, b) => a.x1 - b.x1);
  splits.sort((a, b) => a.x - b.x);
  return { lanes, splits };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** 1, 2 or 5 times a power of ten: time ticks a room reads at a glance. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 0.1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return round((m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power);
}
