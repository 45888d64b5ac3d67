import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatLocalTime, shortToken, utcTitle, visibleKey } from "./index";

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

  it("formats durations for people", () => {
    expect(formatDuration(82)).toBe("82 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });

  it("renders times in the given zone with the UTC instant on hover", () => {
    expect(formatLocalTime("2026-11-26T05:00:17.000Z", "America/New_York")).toBe("2026-11-26 00:00:17");
    expect(utcTitle("2026-11-26T05:00:17.000Z")).toBe("2026-11-26 05:00:17Z (UTC)");
    expect(formatLocalTime(null)).toBe("—");
  });

  it("shortens tokens to their ends", () => {
    expect(shortToken("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")).toBe("1ueGcx…vbOwM=");
    expect(shortToken(null)).toBe("—");
  });
});
