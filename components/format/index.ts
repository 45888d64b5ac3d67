// Display helpers shared by every view. Pure functions: unit-tested, no React.

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** A key with control characters shown as visible escapes (\n, \r, \t, \u0007). */
export function visibleKey(key: string): string {
  if (!hasControlCharacters(key)) return key;
  let out = "";
  for (const c of key) {
    const code = c.charCodeAt(0);
    out += isControl(code) ? (NAMED[c] ?? `\\u${code.toString(16).padStart(4, "0")}`) : c;
  }
  return out;
}

export function hasControlCharacters(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (isControl(key.charCodeAt(i))) return true;
  return false;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "—";
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${UNITS[u]}`;
}

// Intl formatters cost about half a millisecond to build: made once, they keep scrolling rows cheap.
let countFormat: Intl.NumberFormat | null = null;

export function formatCount(n: number): string {
  countFormat ??= new Intl.NumberFormat("en-US");
  return countFormat.format(n);
}

/** "1 page", "2 pages", "1 entry", "3 entries": the count and the noun that agrees with it. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/**
 * One rule for durations everywhere: under a second in milliseconds ("820 ms"), under a minute in
 * seconds ("1.25 s", "12.5 s"), then minutes and seconds ("2 min 5 s").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(Math.abs(ms) < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

// --- times ---------------------------------------------------------------------------------------
// One rule for every time on every screen: it is shown in the zone the viewer chose for the whole
// app (UTC, or the browser's own zone), and it says which zone that is: next to the time, or once in
// the header of a column of times. The hover text gives the same instant in the other zone.

/** The zone people read times in: UTC, or `local` (an IANA zone name, the browser's own). */
export interface TimeZoneChoice {
  mode: "utc" | "local";
  /** The viewer's own zone (IANA name), also when `mode` is utc: the hover text shows it. */
  local: string;
}

export const UTC_CHOICE: TimeZoneChoice = { mode: "utc", local: "UTC" };

export const TIME_MODE_COOKIE = "bucketscope-time";
export const TIME_ZONE_COOKIE = "bucketscope-tz";

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The choice a request's cookies stand for (on the server, which cannot ask the browser). */
export function timeZoneFromCookies(mode: string | undefined, zone: string | undefined): TimeZoneChoice {
  return { mode: mode === "utc" ? "utc" : "local", local: zone !== undefined && isZone(zone) ? zone : "UTC" };
}

export function zoneOf(choice: TimeZoneChoice): string {
  return choice.mode === "utc" ? "UTC" : choice.local;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();
const nameFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone: zone,
    });
    partsFormats.set(zone, f);
  }
  return f;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(ms: number, zone: string): WallTime {
  const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partsFormat(zone).formatToParts(new Date(ms))) {
    if (p.type in out) out[p.type as keyof WallTime] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The zone's short name at that instant: "UTC", "PST", "GMT+1" (summer time has its own). */
export function zoneAbbreviation(ms: number, zone: string): string {
  if (zone === "UTC") return "UTC";
  let f = nameFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" });
    nameFormats.set(zone, f);
  }
  return f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? zone;
}

/** How a column of times names its zone: "UTC", or the local zone's place ("Berlin", "Los Angeles"). */
export function zoneLabel(choice: TimeZoneChoice): string {
  const zone = zoneOf(choice);
  if (zone === "UTC") return "UTC";
  return (zone.split("/").pop() ?? zone).replaceAll("_", " ");
}

export interface TimeFormatOptions {
  /** Name the zone after the time (default); false inside a column whose header names it. */
  zone?: boolean;
  /** Milliseconds: "auto" shows them when the instant has any (a T must be read exactly). */
  ms?: "auto" | "always" | "never";
}

/** "2024-02-29 15:59:00 PST": the instant in the chosen zone, with the zone's name. */
export function formatTime(iso: string | null, choice: TimeZoneChoice, opts: TimeFormatOptions = {}): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const zone = zoneOf(choice);
  const w = wallTime(ms, zone);
  const frac = ((ms % 1000) + 1000) % 1000;
  const showMs = opts.ms === "always" || (opts.ms === "auto" && frac !== 0);
  const text = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${showMs ? `.${pad(frac, 3)}` : ""}`;
  return opts.zone === false ? text : `${text} ${zoneAbbreviation(ms, zone)}`;
}

/** A time of day to the millisecond with its zone ("14:03:07.120 UTC"), for events seconds apart. */
export function formatClockTime(iso: string, choice: TimeZoneChoice): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const zone = zoneOf(choice);
  const w = wallTime(ms, zone);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(((ms % 1000) + 1000) % 1000, 3)} ${zoneAbbreviation(ms, zone)}`;
}

/** The hover text of a time: the same instant in the other zone, so both are one glance away. */
export function timeTitle(iso: string | null, choice: TimeZoneChoice): string | undefined {
  if (iso === null || !Number.isFinite(Date.parse(iso))) return undefined;
  const other: TimeZoneChoice = choice.mode === "utc" ? { mode: "local", local: choice.local } : UTC_CHOICE;
  if (zoneOf(other) === zoneOf(choice)) return formatTime(iso, choice, { ms: "auto" });
  return `${formatTime(iso, choice, { ms: "auto" })} · ${formatTime(iso, other, { ms: "auto" })}`;
}

/** Milliseconds to add to a zone's wall clock to get UTC at about that instant. */
function zoneOffsetMs(zone: string, ms: number): number {
  const w = wallTime(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` stands for (the later reading when clocks go back). */
function fromWallTime(w: WallTime, millis: number, zone: string): number {
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, millis);
  if (zone === "UTC") return wall;
  const guess = wall - zoneOffsetMs(zone, wall);
  return wall - zoneOffsetMs(zone, guess);
}

export type ParsedTime = { ok: true; iso: string; zoneGiven: boolean } | { ok: false; message: string };

const TIME_INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

/**
 * What people type for a moment: a date ("2024-03-01", its midnight), a date and time with or
 * without seconds ("2024-03-01 12:30", "2024-03-01T12:30:15"), in the chosen zone unless the text
 * names one ("Z", "UTC", "+01:00").
 */
export function parseTimeInput(text: string, choice: TimeZoneChoice): ParsedTime {
  const m = TIME_INPUT.exec(text.trim());
  const zoneName = zoneLabel(choice);
  if (m === null) {
    return { ok: false, message: `type a date (2024-03-01) or a date and time (2024-03-01 12:30 or 2024-03-01T12:30:00), read as ${zoneName} time unless it names a zone (Z, +01:00)` };
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const w: WallTime = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  const check = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
  if (
    check.getUTCFullYear() !== w.year ||
    check.getUTCMonth() !== w.month - 1 ||
    check.getUTCDate() !== w.day ||
    check.getUTCHours() !== w.hour ||
    check.getUTCMinutes() !== w.minute ||
    check.getUTCSeconds() !== w.second
  ) {
    return { ok: false, message: `${text.trim()} is not a real date and time` };
  }
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  let ms: number;
  if (zone === undefined) ms = fromWallTime(w, millis, zoneOf(choice));
  else if (/^(Z|UTC)$/i.test(zone)) ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, millis);
  else {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, millis) - offset;
  }
  return { ok: true, iso: new Date(ms).toISOString(), zoneGiven: zone !== undefined };
}

/** The value a `datetime-local` picker shows for an instant, in the chosen zone. */
export function pickerValue(iso: string | null, choice: TimeZoneChoice): string {
  if (iso === null || !Number.isFinite(Date.parse(iso))) return "";
  return formatTime(iso, choice, { zone: false }).replace(" ", "T");
}

// --- the server's clock --------------------------------------------------------------------------

/**
 * The measured offset of the server's clock from ours, in words. An offset within its uncertainty
 * is not a measurement of anything: it reads "no measurable offset" instead of flipping between
 * "ahead" and "behind" from one reading to the next.
 */
export function clockOffsetWords(offsetMs: number, uncertaintyMs: number): string {
  if (Math.abs(offsetMs) <= uncertaintyMs) return `no measurable offset from ours, within ± ${formatDuration(uncertaintyMs)}`;
  return `${formatDuration(Math.abs(offsetMs))} ${offsetMs > 0 ? "ahead of" : "behind"} ours ± ${formatDuration(uncertaintyMs)}`;
}

/** A key that is not in Unicode NFC looks like its NFC twin ("café") but is another key. */
export function isNfc(key: string): boolean {
  return key.normalize("NFC") === key;
}

export const NOT_NFC_TITLE =
  "This key is not in Unicode NFC form: it looks like its composed twin (é as e + U+0301 instead of U+00E9) but its bytes differ, so it is another key.";

/** A continuation token shortened for display: its start and end, which is enough to tell two apart. */
export function shortToken(token: string | null): string {
  if (!token) return "—";
  return token.length <= 14 ? token : `${token.slice(0, 6)}…${token.slice(-6)}`;
}
