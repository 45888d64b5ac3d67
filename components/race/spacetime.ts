import type { ExperimentPage, KeyVerdict, Mutation, Verdict } from "@/lib/wire";
import { PENDING_COLOR, VERDICT_STYLE } from "./verdicts";

// The spacetime picture as plain data: x = position in key order (of the bucket at the start),
// y = seconds since the first page was requested (drawn downwards). Each page is a segment over the
// keys it returned at the time it was answered; the cursor's staircase joins them; each mutation is a
// point at (its key, its acknowledgement). A point above its page's segment was seen, below it missed.

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
  stairs: { x: number; y: number }[];
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

  const segments: PageSegment[] = shownPages.map((p) => ({
    index: p.index,
    x1: p.firstPosition ?? p.lastPosition ?? 0,
    x2: p.lastPosition ?? p.firstPosition ?? 0,
    y: t(p.receivedAt),
    yRequested: t(p.requestedAt),
    keyCount: p.keyCount,
    firstKey: p.firstKey,
    lastKey: p.lastKey,
  }));

  const maxPosition = Math.max(input.startCount - 0.5, ...input.mutations.map((m) => m.position), ...input.pages.map((p) => p.lastPosition ?? 0));
  const xDomain: [number, number] = [-1, Math.ceil(maxPosition) + 1];

  const stairs: { x: number; y: number }[] = [{ x: xDomain[0], y: 0 }];
  let cursor = xDomain[0];
  for (const s of segments) {
    stairs.push({ x: cursor, y: s.y });
    const page = input.pages[s.index];
    cursor = page !== undefined && !page.isTruncated ? xDomain[1] : s.x2;
    stairs.push({ x: cursor, y: s.y });
  }

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

  return { segments, stairs, points, xDomain, yDomain, yTicks, yDecimals: yStep >= 1 ? 0 : yStep >= 0.1 ? 1 : 2, ticks, origin, inFlight: flight };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** 1, 2 or 5 times a power of ten: time ticks a room reads at a glance. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 0.1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return round((m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power);
}
