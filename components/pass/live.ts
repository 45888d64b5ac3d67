import type { z } from "zod";
import { passEventWithoutEntriesSchema, type PageRecord, type PassStatus, type PassSummary, type PassTotals } from "@/lib/wire";

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

export function foldPassEvent(state: LivePass, event: LiveEvent, now: number = Date.now()): LivePass {
  switch (event.type) {
    case "pass":
      return { ...emptyLivePass(), pass: event.pass, status: event.pass.status, attachedAt: now };
    case "page": {
      // A page seen twice (never expected: the server sends each index once) must not count twice.
      if (state.pages.length > event.page.index) return state;
      return { ...state, pages: [...state.pages, event.page], totals: addPage(state.totals, event.page) };
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

export function keysPerSecond(keys: number, elapsed: number): number | null {
  return elapsed >= 250 ? keys / (elapsed / 1000) : null;
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
