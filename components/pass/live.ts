import type { z } from "zod";
import { passEventWithoutEntriesSchema, withdrawnPage, type PageRecord, type PassStatus, type PassSummary, type PassTotals } from "@/lib/wire";

// What the pass view keeps of the events stream: the summary, every page record and running totals.
// It asks for page lines without entries (the whole-pass table reads keys from the server in
// windows), so a million-key pass costs a few MB of page records on the wire and in the browser.

/** The events stream as the pass view asks for it (`?entries=0`): page lines without their entries. */
export const liveEventSchema = passEventWithoutEntriesSchema;
export type LiveEvent = z.infer<typeof liveEventSchema>;

export interface LivePass {
  /** The summary at attach time, replaced by the one on the end line. */
  pass: PassSummary | null;
  /** Page records in index order (the stream replays recorded pages, then follows new ones). */
  pages: readonly PageRecord[];
  totals: PassTotals;
  status: PassStatus | null;
  /** When the summary line arrived (Date.now()), to run the elapsed clock from its activeMs. */
  attachedAt: number | null;
  ended: boolean;
  /** The stream said it broke (the pass itself may be fine). */
  streamError: { code: string; message: string } | null;
}

const ZERO_TOTALS: PassTotals = { pages: 0, failedPages: 0, keys: 0, bytes: 0, prefixes: 0, anomalies: 0, requests: 0 };

export function emptyLivePass(): LivePass {
  return { pass: null, pages: [], totals: ZERO_TOTALS, status: null, attachedAt: null, ended: false, streamError: null };
}

function addPage(t: PassTotals, p: PageRecord): PassTotals {
  return {
    pages: t.pages + (p.answered ? 1 : 0),
    failedPages: t.failedPages + (p.answered ? 0 : 1),
    keys: t.keys + p.entryCount,
    bytes: t.bytes + p.bytes,
    prefixes: t.prefixes + p.commonPrefixCount,
    anomalies: t.anomalies + p.anomalyCount,
    requests: t.requests + p.attempts,
  };
}

/** A parallel pass fell back to one cursor: the pages of these ranges no longer hold anything. */
function withdraw(state: LivePass, ranges: readonly number[] | undefined): LivePass {
  if (ranges === undefined || ranges.length === 0) return state;
  const gone = new Set(ranges);
  let totals = state.totals;
  const pages = state.pages.map((p) => {
    if (p.cursor === undefined || !gone.has(p.cursor.range) || p.cursor.withdrawn !== undefined) return p;
    totals = {
      ...totals,
      keys: totals.keys - p.entryCount,
      bytes: totals.bytes - p.bytes,
      prefixes: totals.prefixes - p.commonPrefixCount,
      anomalies: totals.anomalies - p.anomalyCount,
    };
    return withdrawnPage(p, "withdrawn: the pass fell back to one cursor");
  });
  return { ...state, pages, totals };
}

export function foldPassEvent(state: LivePass, event: LiveEvent, now: number = Date.now()): LivePass {
  switch (event.type) {
    case "pass":
      return { ...emptyLivePass(), pass: event.pass, status: event.pass.status, attachedAt: now };
    case "page": {
      // A page seen twice (never expected: the server sends each index once) must not count twice.
      if (state.pages.length > event.page.index) return state;
      const withdrawn = withdraw(state, event.page.cursor?.withdrew);
      return { ...withdrawn, pages: [...withdrawn.pages, event.page], totals: addPage(withdrawn.totals, event.page) };
    }
    case "end":
      return { ...state, pass: event.pass, status: event.status, totals: event.totals, ended: true };
    case "error":
      return { ...state, streamError: event.error };
  }
}

/** Time spent listing: the summary's activeMs, plus the time since attaching while it runs. */
export function elapsedMs(live: LivePass, now: number): number {
  if (live.pass === null) return 0;
  if (live.status !== "running" || live.attachedAt === null) return live.pass.activeMs;
  return live.pass.activeMs + Math.max(0, now - live.attachedAt);
}

/**
 * Keys per second of listing time. A running pass's rate waits for a quarter second of listing
 * (before that it is noise); a finished pass has its rate over all of its listing time.
 */
export function keysPerSecond(keys: number, elapsed: number, running = true): number | null {
  if (running) return elapsed >= 250 ? keys / (elapsed / 1000) : null;
  return elapsed > 0 ? keys / (elapsed / 1000) : null;
}

/** The summary to show: the live stream's as soon as it has one, else the one the page loaded with. */
export function currentSummary(live: LivePass, loaded: PassSummary | undefined): PassSummary | undefined {
  return live.pass ?? loaded;
}

/**
 * The totals to show. The stream replays recorded pages from the first, so its running sums start
 * at zero; until they catch up, the summary's totals (as of attaching) are the truer figures.
 */
export function displayTotals(live: LivePass, loaded: PassSummary): PassTotals {
  const attached = live.pass;
  if (attached === null) return loaded.totals;
  if (live.ended || attached.status !== "running") return attached.totals;
  const seen = live.totals.pages + live.totals.failedPages;
  return seen >= attached.totals.pages + attached.totals.failedPages ? live.totals : attached.totals;
}
