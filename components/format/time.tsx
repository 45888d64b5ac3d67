"use client";

import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from "react";
import { formatTime, TIME_MODE_COOKIE, TIME_ZONE_COOKIE, timeTitle, zoneLabel, type TimeFormatOptions, type TimeZoneChoice } from "./index";

// The one time-zone setting of the app: UTC or the browser's own zone, switched in the top bar and
// remembered in a cookie, so the server renders times in the same zone the browser will (the
// browser's zone name rides along in a second cookie). Before the browser has said its zone, a
// server render shows UTC, labelled as such, and the browser re-renders in its own zone.

const YEAR_S = 365 * 24 * 3600;

const encode = (c: TimeZoneChoice) => `${c.mode}|${c.local}`;
function decode(key: string): TimeZoneChoice {
  const cut = key.indexOf("|");
  return { mode: key.slice(0, cut) === "utc" ? "utc" : "local", local: key.slice(cut + 1) };
}

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function writeCookie(name: string, value: string): void {
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${YEAR_S}; SameSite=Lax`;
}

const listeners = new Set<() => void>();
let current: string | null = null;

function browserChoice(): string {
  if (current === null) {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    current = encode({ mode: readCookie(TIME_MODE_COOKIE) === "utc" ? "utc" : "local", local });
  }
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Switches every time in the app to UTC or to the browser's zone, and remembers it. */
export function setTimeMode(mode: TimeZoneChoice["mode"]): void {
  writeCookie(TIME_MODE_COOKIE, mode);
  current = null;
  for (const l of listeners) l();
}

const TimeZoneContext = createContext<TimeZoneChoice>({ mode: "utc", local: "UTC" });

export function TimeZoneProvider({ initial, children }: { initial: TimeZoneChoice; children: ReactNode }) {
  const key = useSyncExternalStore(subscribe, browserChoice, () => encode(initial));
  const choice = decode(key);
  useEffect(() => {
    // Tells the server the browser's zone, so its next render of a local time matches.
    if (readCookie(TIME_ZONE_COOKIE) !== choice.local) writeCookie(TIME_ZONE_COOKIE, choice.local);
  }, [choice.local]);
  return <TimeZoneContext.Provider value={choice}>{children}</TimeZoneContext.Provider>;
}

export function useTimeZone(): TimeZoneChoice {
  return useContext(TimeZoneContext);
}

/** A time in the app's zone, named after it unless `zone={false}` (a column header names it). */
export function Time({ iso, zone, ms, className, testId }: { iso: string | null; className?: string; testId?: string } & TimeFormatOptions) {
  const choice = useTimeZone();
  const opts: TimeFormatOptions = {};
  if (zone !== undefined) opts.zone = zone;
  if (ms !== undefined) opts.ms = ms;
  return (
    <time dateTime={iso ?? undefined} title={timeTitle(iso, choice)} className={className} data-testid={testId}>
      {formatTime(iso, choice, opts)}
    </time>
  );
}

/** The zone a column of times is in, for its header: "(UTC)", "(Berlin)". */
export function ZoneLabel() {
  const choice = useTimeZone();
  return (
    <span className="zone-label" title={choice.mode === "utc" ? "Times in UTC" : `Times in your browser's zone, ${choice.local}`}>
      ({zoneLabel(choice)})
    </span>
  );
}

/** The app-wide switch, in the top bar. */
export function TimeZoneSwitch() {
  const choice = useTimeZone();
  return (
    <label className="time-zone-switch" title="Every time in the app is shown in this zone, and says which one it is">
      Times
      <select aria-label="Time zone" data-testid="time-zone-switch" value={choice.mode} onChange={(e) => setTimeMode(e.target.value === "utc" ? "utc" : "local")}>
        <option value="local">local ({zoneLabel({ mode: "local", local: choice.local })})</option>
        <option value="utc">UTC</option>
      </select>
    </label>
  );
}
