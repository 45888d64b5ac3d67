import { describe, expect, it } from "vitest";
import { clockOffsetWords, formatBytes, formatClockTime, formatDuration, formatTime, isNfc, parseTimeInput, pickerValue, plural, shortToken, timeTitle, UTC_CHOICE, visibleKey, zoneLabel } from "./index";

const LA = { mode: "local", local: "America/Los_Angeles" } as const;
const BERLIN = { mode: "local", local: "Europe/Berlin" } as const;

describe("display formatting", () => {
  it("shows control characters in keys as visible escapes and leaves the rest alone", () => {
    expect(visibleKey("a\nb\rc\td")).toBe("a\\nb\\rc\\td");
    expect(visibleKey("bell\u0007")).toBe("bell\\u0007");
    expect(visibleKey("<&> 😀 é #?%")).toBe("<&> 😀 é #?%");
  });

  it("formats sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.00 MiB");
  });

  it("formats durations by one rule: ms under a second, s under a minute, then min and s", () => {
    expect(formatDuration(82)).toBe("82 ms");
    expect(formatDuration(999.6)).toBe("1000 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(12_345)).toBe("12.3 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });

  it("says counts with the noun that agrees", () => {
    expect(plural(1, "entry", "entries")).toBe("1 entry");
    expect(plural(0, "folder")).toBe("0 folders");
    expect(plural(1, "page")).toBe("1 page");
    expect(plural(3000, "key")).toBe("3,000 keys");
  });

  it("renders every time in the chosen zone and names the zone, the other zone on hover", () => {
    const t = "2024-03-01T00:05:00.000Z";
    expect(formatTime(t, UTC_CHOICE)).toBe("2024-03-01 00:05:00 UTC");
    expect(formatTime(t, LA)).toBe("2024-02-29 16:05:00 PST");
    expect(formatTime("2024-07-01T00:05:00.000Z", LA)).toBe("2024-06-30 17:05:00 PDT");
    expect(formatTime(t, BERLIN, { zone: false })).toBe("2024-03-01 01:05:00");
    expect(formatTime("2024-03-01T00:05:00.250Z", UTC_CHOICE, { ms: "auto" })).toBe("2024-03-01 00:05:00.250 UTC");
    expect(formatTime(t, UTC_CHOICE, { ms: "auto" })).toBe("2024-03-01 00:05:00 UTC");
    expect(formatTime(null, UTC_CHOICE)).toBe("—");
    expect(timeTitle(t, LA)).toBe("2024-02-29 16:05:00 PST · 2024-03-01 00:05:00 UTC");
    expect(timeTitle(t, { mode: "utc", local: "America/Los_Angeles" })).toBe("2024-03-01 00:05:00 UTC · 2024-02-29 16:05:00 PST");
    expect(formatClockTime("2024-03-01T00:05:00.042Z", BERLIN)).toBe("01:05:00.042 GMT+1");
    expect(zoneLabel(LA)).toBe("Los Angeles");
    expect(zoneLabel({ mode: "utc", local: "America/Los_Angeles" })).toBe("UTC");
  });

  it("reads a typed date, or date and time without seconds, in the chosen zone unless it names one", () => {
    expect(parseTimeInput("2024-03-01", UTC_CHOICE)).toEqual({ ok: true, iso: "2024-03-01T00:00:00.000Z", zoneGiven: false });
    expect(parseTimeInput("2024-03-01", LA)).toMatchObject({ ok: true, iso: "2024-03-01T08:00:00.000Z" });
    expect(parseTimeInput("2024-03-01 12:30", BERLIN)).toMatchObject({ iso: "2024-03-01T11:30:00.000Z" });
    expect(parseTimeInput("2024-07-01T12:30", BERLIN)).toMatchObject({ iso: "2024-07-01T10:30:00.000Z" });
    expect(parseTimeInput("2024-03-01T12:30:15.5", UTC_CHOICE)).toMatchObject({ iso: "2024-03-01T12:30:15.500Z" });
    expect(parseTimeInput("2024-03-01T12:30:00Z", LA)).toMatchObject({ iso: "2024-03-01T12:30:00.000Z", zoneGiven: true });
    expect(parseTimeInput("2024-03-01 12:30 UTC", LA)).toMatchObject({ iso: "2024-03-01T12:30:00.000Z" });
    expect(parseTimeInput("2024-03-01T12:30:00+01:00", UTC_CHOICE)).toMatchObject({ iso: "2024-03-01T11:30:00.000Z" });
    // The hour clocks skip in spring and repeat in autumn still map onto an instant.
    expect(parseTimeInput("2024-03-10 02:30", LA)).toMatchObject({ ok: true });
    expect(parseTimeInput("2024-11-03 01:30", LA)).toMatchObject({ ok: true });
    expect(parseTimeInput("2024-02-30", UTC_CHOICE)).toMatchObject({ ok: false, message: "2024-02-30 is not a real date and time" });
    expect(parseTimeInput("15 Feb 2024", UTC_CHOICE)).toMatchObject({ ok: false });
    expect(pickerValue("2024-03-01T11:30:00.000Z", BERLIN)).toBe("2024-03-01T12:30:00");
  });

  it("says there is no measurable clock offset within its uncertainty, instead of a direction", () => {
    expect(clockOffsetWords(210, 500)).toBe("no measurable offset from ours, within ± 500 ms");
    expect(clockOffsetWords(-280, 500)).toBe(clockOffsetWords(210, 500));
    expect(clockOffsetWords(1200, 300)).toBe("1.20 s ahead of ours ± 300 ms");
    expect(clockOffsetWords(-42_000, 500)).toBe("42.0 s behind ours ± 500 ms");
  });

  it("tells a key that is not NFC from its composed twin", () => {
    expect(isNfc("caf\u00E9.txt")).toBe(true);
    expect(isNfc("cafe\u0301.txt")).toBe(false);
    expect(isNfc("obj_0001")).toBe(true);
  });

  it("shortens tokens to their ends", () => {
    expect(shortToken("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")).toBe("1ueGcx…vbOwM=");
    expect(shortToken(null)).toBe("—");
  });
});
