import { MAX_WATCH_SECONDS, MIN_WATCH_SECONDS } from "@/lib/wire";

// Watch intervals as people write them: a number and a unit, stored as seconds.

export const INTERVAL_UNITS = [
  { unit: "seconds", seconds: 1 },
  { unit: "minutes", seconds: 60 },
  { unit: "hours", seconds: 3600 },
  { unit: "days", seconds: 86_400 },
] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number]["unit"];

export function toSeconds(value: number, unit: IntervalUnit): number {
  return value * (INTERVAL_UNITS.find((u) => u.unit === unit)?.seconds ?? 1);
}

/** Why an interval cannot be used, or null when it can. */
export function intervalProblem(value: number, unit: IntervalUnit): string | null {
  if (!Number.isFinite(value) || value <= 0) return "The interval must be a positive number.";
  const seconds = toSeconds(value, unit);
  if (!Number.isInteger(seconds)) return "The interval must be a whole number of seconds.";
  if (seconds < MIN_WATCH_SECONDS) return `A watch runs at most every ${MIN_WATCH_SECONDS} s.`;
  if (seconds > MAX_WATCH_SECONDS) return "A watch runs at least every 30 days.";
  return null;
}

/** "every 2 s", "every 15 min", "every 1 h 30 min", "every 2 days". */
export function formatEvery(seconds: number): string {
  if (seconds < 60) return `every ${seconds} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s === 0 ? `every ${m} min` : `every ${m} min ${s} s`;
  }
  if (seconds < 86_400 || seconds % 86_400 !== 0) {
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return m === 0 ? `every ${h} h` : `every ${h} h ${m} min`;
  }
  const d = seconds / 86_400;
  return `every ${d} ${d === 1 ? "day" : "days"}`;
}

/** "in 4 s", "in 3 min", "now" (a due watch waits for nothing but its running pass). */
export function formatDue(iso: string | null, now: number): string {
  if (iso === null) return "paused";
  const ms = Date.parse(iso) - now;
  if (ms <= 500) return "now";
  const s = Math.round(ms / 1000);
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86_400) return `in ${(s / 3600).toFixed(1)} h`;
  return `in ${(s / 86_400).toFixed(1)} days`;
}

export function formatRetention(keepPasses: number | null, keepDays: number | null, keepMegabytes: number | null = null): string {
  const parts: string[] = [];
  if (keepPasses !== null) parts.push(`last ${keepPasses} ${keepPasses === 1 ? "pass" : "passes"}`);
  if (keepDays !== null) parts.push(`${keepDays} ${keepDays === 1 ? "day" : "days"}`);
  if (keepMegabytes !== null) parts.push(`up to ${keepMegabytes} MB`);
  return parts.length > 0 ? `keeps ${parts.join(" and ")}` : "keeps everything";
}
