import { formatClockTime, formatDuration, type TimeZoneChoice } from "@/components/format";
import type { ExperimentPage, KeyVerdict, Mutation } from "@/lib/wire";

// Plain-language reasons for each anomaly, built from the page times and the mutation log: the
// sentences a presenter reads out. Times are times of day to the millisecond in the app's zone,
// durations follow the app's one rule (formatDuration).

export const clockTime = formatClockTime;

export function gap(fromIso: string, toIso: string): string {
  const ms = Math.abs(Date.parse(toIso) - Date.parse(fromIso));
  if (ms === 0) return "less than 1 ms";
  return formatDuration(ms);
}

export interface NarrationContext {
  pages: readonly ExperimentPage[];
  mutations: readonly Mutation[];
  /** When the pass began (its first request) and ended (its last answer). */
  startedAt: string | null;
  endedAt: string | null;
  timeZone: TimeZoneChoice;
}

const pageName = (p: ExperimentPage) => `page ${p.index + 1}`;

/** Why this key got its verdict, in one or two sentences; null for a consistent key. */
export function narrate(v: KeyVerdict, ctx: NarrationContext): string | null {
  const at = (iso: string) => clockTime(iso, ctx.timeZone);
  const page = v.page !== null ? ctx.pages.find((p) => p.index === v.page) : undefined;
  const muts = ctx.mutations.filter((m) => m.key === v.key && m.ok);
  const last = <T>(xs: readonly T[]) => xs[xs.length - 1];
  const began = ctx.startedAt !== null ? ` when the pass began at ${at(ctx.startedAt)}` : " when the pass began";
  switch (v.verdict) {
    case "consistent":
      return null;
    case "gone-early": {
      const del = last(muts.filter((m) => m.op === "delete" && page !== undefined && Date.parse(m.ackedAt) <= Date.parse(page.requestedAt)));
      if (page === undefined || del === undefined) return `${v.key} was deleted before its page was read, so no page contains it, although the bucket held it${began}.`;
      return `${pageName(page)} was requested at ${at(page.requestedAt)}, ${gap(del.ackedAt, page.requestedAt)} after ${v.key} was deleted, so no page contains it, although the bucket held it${began}.`;
    }
    case "missed": {
      const put = muts.find((m) => m.op !== "delete" && page !== undefined && Date.parse(m.sentAt) >= Date.parse(page.receivedAt)) ?? last(muts.filter((m) => m.op !== "delete"));
      if (put === undefined) return `${v.key} was in the bucket and no page listed it: S3 should never do this.`;
      if (page === undefined) return `${v.key} was written at ${at(put.ackedAt)}, but no page covered its place in key order.`;
      return `${v.key} was written at ${at(put.ackedAt)}, ${gap(page.receivedAt, put.sentAt)} after ${pageName(page)} had been answered (${at(page.receivedAt)}): the cursor had already passed it, and no later page looks back, so the pass never lists it although the bucket holds it at the end.`;
    }
    case "phantom": {
      const del = last(muts.filter((m) => m.op === "delete"));
      if (page === undefined || del === undefined) return `${v.key} was listed, but the bucket no longer holds it at the end of the pass.`;
      return `${pageName(page)} listed ${v.key} at ${at(page.receivedAt)}; it was deleted ${gap(page.receivedAt, del.sentAt)} later (${at(del.ackedAt)}), so the pass reports a key the bucket no longer holds when the pass ends.`;
    }
    case "seen-new": {
      const put = last(muts.filter((m) => m.op !== "delete" && m.etag === v.listed?.etag)) ?? last(muts.filter((m) => m.op !== "delete"));
      const what = v.start === null ? "the new object, which the bucket did not hold" : "the new version, not the one the bucket held";
      if (page === undefined || put === undefined) return `${v.key} was written during the pass before its page was read, so the pass shows ${what}${began}.`;
      return `${v.key} was ${v.start === null ? "created" : "overwritten"} at ${at(put.ackedAt)}, ${gap(put.ackedAt, page.requestedAt)} before ${pageName(page)} was requested (${at(page.requestedAt)}); a page shows the bucket as it is when requested, so the pass shows ${what}${began}.`;
    }
    case "stale-version": {
      const put = muts.find((m) => m.op !== "delete" && page !== undefined && Date.parse(m.sentAt) >= Date.parse(page.receivedAt)) ?? last(muts);
      if (page === undefined || put === undefined) return `${v.key} was listed with a version that was overwritten before the pass ended.`;
      return `${pageName(page)} listed ${v.key} at ${at(page.receivedAt)}; it was overwritten ${gap(page.receivedAt, put.sentAt)} later (${at(put.ackedAt)}), so the pass shows the old version, not the one the bucket holds when the pass ends.`;
    }
  }
}
