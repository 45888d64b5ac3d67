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

/** "page 5", and in a parallel pass "page 5 (range 2)": which cursor asked for it matters there. */
export const pageName = (p: ExperimentPage) => (p.cursor !== undefined ? `page ${p.index + 1} (range ${p.cursor.range})` : `page ${p.index + 1}`);

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
      if (page.cursor !== undefined) {
        return `${v.key} was written at ${at(put.ackedAt)}, ${gap(page.receivedAt, put.sentAt)} after ${pageName(page)} had been answered (${at(page.receivedAt)}): range ${page.cursor.range}'s cursor had already passed it, and only that cursor lists its keys, so the pass never lists it although the bucket holds it at the end.`;
      }
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

/** The explanation under the picture: how to read it, and for a parallel pass why its shape differs. */
export function pictureCaption(parallel: boolean): string[] {
  if (!parallel) {
    return [
      "Each black segment is a page: the keys it returned, drawn at the moment it was answered (the shading above it is the time its request was in flight). The dashed staircase is the cursor. A mutation above its page's segment happened before the page was read and is reflected; one below happened after and is not.",
    ];
  }
  return [
    "Each coloured segment is a page: the keys it returned, drawn at the moment it was answered, in the colour of the key range whose cursor asked for it. The dashed staircase of that colour is the range's cursor, the bar above the picture the keys the range holds, and a dotted line a split point, from the moment the new range's cursor began. A mutation above its page's segment happened before the page was read and is reflected; one below happened after and is not.",
    "A sequential listing has one frontier: at any moment every key before the cursor has been read and every key after it has not, so its misses all lie behind one line that sweeps from the first key to the last. A parallel listing has one frontier per range, all moving at once, and a change is decided only by the cursor of the range that holds its key. So, at the same moment, a write can be missed in one range because its cursor has already passed the key, while a write to an earlier key is listed because its range's cursor has not reached it yet. What the pass missed is scattered across the key space in several bands, not gathered behind one line.",
  ];
}

/**
 * For a parallel pass, the pair of keys that shows its shape when there is one: a key missed (its
 * range's cursor had passed it) and an earlier key, written later, listed as new. One cursor can
 * never do this: once it has passed a key it has passed every key before it.
 */
export function parallelShape(verdicts: readonly KeyVerdict[], ctx: NarrationContext): string | null {
  if (!ctx.pages.some((p) => p.cursor !== undefined)) return null;
  const at = (iso: string) => clockTime(iso, ctx.timeZone);
  const rangeOf = (v: KeyVerdict) => ctx.pages.find((p) => p.index === v.page)?.cursor?.range;
  const written = (v: KeyVerdict) => ctx.mutations.filter((m) => m.key === v.key && m.ok && m.op !== "delete");
  for (const missed of verdicts) {
    if (missed.verdict !== "missed") continue;
    const lost = written(missed).at(-1);
    if (lost === undefined) continue;
    for (const seen of verdicts) {
      if (seen.position >= missed.position) break;
      if (seen.verdict !== "seen-new" || rangeOf(seen) === rangeOf(missed)) continue;
      const kept = written(seen).find((m) => Date.parse(m.ackedAt) > Date.parse(lost.ackedAt));
      if (kept === undefined) continue;
      return `${missed.key} was written at ${at(lost.ackedAt)} and missed: range ${rangeOf(missed)}'s cursor had already passed it. ${seen.key}, earlier in key order, was written later, at ${at(kept.ackedAt)}, and listed: range ${rangeOf(seen)}'s cursor had not reached it yet. With one cursor that cannot happen: once it has passed a key, it has passed every key before it.`;
    }
  }
  return null;
}
