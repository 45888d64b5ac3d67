import { describe, expect, it } from "vitest";
import { formatCount, formatLocalTime } from "@/components/format";
import { fastCount, fastLocalTime } from "./formatting";

describe("cached formatters", () => {
  it("write exactly what components/format writes", () => {
    for (const iso of ["2024-06-01T02:00:00.000Z", "2026-11-26T05:00:17.000Z", "1999-12-31T23:59:59.000Z", null, "not a date"]) {
      expect(fastLocalTime(iso)).toBe(formatLocalTime(iso));
    }
    for (const n of [0, 1, 999, 1000, 1234567, 3000]) expect(fastCount(n)).toBe(formatCount(n));
  });
});
