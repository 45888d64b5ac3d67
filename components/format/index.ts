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
const timeFormats = new Map<string, Intl.DateTimeFormat>();

export function formatCount(n: number): string {
  countFormat ??= new Intl.NumberFormat("en-US");
  return countFormat.format(n);
}

function timeFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const cacheKey = timeZone ?? "";
  let f = timeFormats.get(cacheKey);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone,
    });
    timeFormats.set(cacheKey, f);
  }
  return f;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

/** Local time in the viewer's own time zone; pair with `utcTitle` for the hover text. */
export function formatLocalTime(iso: string | null, timeZone?: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return timeFormat(timeZone).format(d).replace(",", "");
}

export function utcTitle(iso: string | null): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : `${d.toISOString().replace("T", " ").replace(".000Z", "Z")} (UTC)`;
}

/** A continuation token shortened for display: its start and end, which is enough to tell two apart. */
export function shortToken(token: string | null): string {
  if (!token) return "—";
  return token.length <= 14 ? token : `${token.slice(0, 6)}…${token.slice(-6)}`;
}
