import { describe, expect, it } from "vitest";
import { formatDue, formatEvery, formatRetention, intervalProblem, toSeconds } from "./interval";

describe("watch intervals", () => {
  it("convert units to seconds and refuse what a watch cannot do", () => {
    expect(toSeconds(2, "seconds")).toBe(2);
    expect(toSeconds(15, "minutes")).toBe(900);
    expect(toSeconds(1.5, "hours")).toBe(5400);
    expect(intervalProblem(2, "seconds")).toBeNull();
    expect(intervalProblem(0, "minutes")).toMatch(/positive/);
    expect(intervalProblem(0.5, "seconds")).toMatch(/whole number/);
    expect(intervalProblem(31, "days")).toMatch(/30 days/);
  });

  it("read as people say them", () => {
    expect(formatEvery(2)).toBe("every 2 s");
    expect(formatEvery(900)).toBe("every 15 min");
    expect(formatEvery(90)).toBe("every 1 min 30 s");
    expect(formatEvery(5400)).toBe("every 1 h 30 min");
    expect(formatEvery(172_800)).toBe("every 2 days");
    expect(formatDue(null, 0)).toBe("paused");
    expect(formatDue(new Date(10_000).toISOString(), 0)).toBe("in 10 s");
    expect(formatDue(new Date(100).toISOString(), 0)).toBe("now");
    expect(formatRetention(5, null)).toBe("keeps last 5 passes");
    expect(formatRetention(null, 7)).toBe("keeps 7 days");
    expect(formatRetention(100, null, 500)).toBe("keeps last 100 passes and up to 500 MB");
  });
});
