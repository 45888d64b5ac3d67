import { compareKeys, type PageRecord } from "@/lib/wire";

// The cursors of a parallel pass, rebuilt from its page records: each page says its key range, and a
// range is listed by one cursor from its first request to its last answer. Ranges whose times do not
// overlap are laid one after another in a lane, the earliest free lane first, so the lanes are the
// cursors as they were busy (never more than the pass ran at once).

export type RangeState = "listing" | "done" | "failed" | "withdrawn";

export interface RangeSpan {
  range: number;
  after: string | null;
  /** The range's end as its latest page saw it (a split moves it closer); null: the end of the listing. */
  through: string | null;
  state: RangeState;
  pages: number;
  keys: number;
  /** Page indexes (0-based), in the order this range's pages arrived. */
  pageIndexes: number[];
  firstKey: string | null;
  lastKey: string | null;
  startMs: number;
  endMs: number;
  /** When each of its pages arrived, in ms. */
  pageEnds: number[];
}

export interface Lane {
  /** Numbered from 1 for people. */
  number: number;
  spans: RangeSpan[];
  pages: number;
  keys: number;
}

export interface CursorLanes {
  lanes: Lane[];
  ranges: number;
  /** Where ranges meet, in key order: a range holds the keys k with after < k <= through. */
  splitPoints: string[];
  startMs: number;
  endMs: number;
}

function stateOf(last: PageRecord): RangeState {
  if (last.cursor?.withdrawn !== undefined) return "withdrawn";
  if (last.error !== null) return "failed";
  if (!last.isTruncated || (last.cursor?.beyond ?? 0) > 0) return "done";
  return "listing";
}

export function cursorLanes(pages: readonly PageRecord[]): CursorLanes {
  const byRange = new Map<number, PageRecord[]>();
  for (const p of pages) {
    if (p.cursor === undefined) continue;
    const list = byRange.get(p.cursor.range);
    if (list === undefined) byRange.set(p.cursor.range, [p]);
    else list.push(p);
  }
  const spans: RangeSpan[] = [];
  for (const [range, list] of byRange) {
    const first = list[0];
    const last = list[list.length - 1];
    if (first === undefined || last === undefined || last.cursor === undefined) continue;
    let keys = 0;
    let firstKey: string | null = null;
    let lastKey: string | null = null;
    for (const p of list) {
      keys += p.entryCount;
      firstKey ??= p.firstKey;
      lastKey = p.lastKey ?? lastKey;
    }
    spans.push({
      range,
      after: first.cursor?.after ?? null,
      through: last.cursor.through,
      state: stateOf(last),
      pages: list.length,
      keys: last.cursor.withdrawn !== undefined ? 0 : keys,
      pageIndexes: list.map((p) => p.index),
      firstKey,
      lastKey,
      startMs: Date.parse(first.requestedAt),
      endMs: Date.parse(last.receivedAt),
      pageEnds: list.map((p) => Date.parse(p.receivedAt)),
    });
  }
  spans.sort((a, b) => a.startMs - b.startMs || a.range - b.range);
  const lanes: Lane[] = [];
  const freeAt: number[] = [];
  for (const span of spans) {
    let i = freeAt.findIndex((t) => t <= span.startMs);
    if (i < 0) {
      i = lanes.length;
      lanes.push({ number: i + 1, spans: [], pages: 0, keys: 0 });
      freeAt.push(0);
    }
    const lane = lanes[i] as Lane;
    lane.spans.push(span);
    lane.pages += span.pages;
    lane.keys += span.keys;
    freeAt[i] = span.endMs;
  }
  const points = new Set<string>();
  for (const s of spans) {
    if (s.after !== null && s.range !== 0) points.add(s.after);
  }
  return {
    lanes,
    ranges: spans.length,
    splitPoints: [...points].sort(compareKeys),
    startMs: spans.reduce((m, s) => Math.min(m, s.startMs), Infinity),
    endMs: spans.reduce((m, s) => Math.max(m, s.endMs), -Infinity),
  };
}
