import { describe, expect, it } from "vitest";
import { describeSeries } from "./series";
import { historyApiUrl, historyHref, parseHistoryView } from "./search-params";

describe("a history series in the address and in words", () => {
  it("round-trips every setting through the link, an absent delimiter or start-after meaning none", () => {
    const series = { kind: "list", pageSize: 5, delimiter: "/", startAfter: "a&b" } as const;
    const href = historyHref("sandbox", "demo", "logs/", series);
    expect(href).toBe("/b/sandbox/demo/history?prefix=logs%2F&kind=list&pageSize=5&delimiter=%2F&startAfter=a%26b");
    expect(parseHistoryView(new URL(href, "http://x").searchParams)).toEqual({ prefix: "logs/", series, problems: [] });
    const flat = parseHistoryView({ pageSize: "1000" });
    expect(flat.series).toEqual({ kind: "list", pageSize: 1000, delimiter: null, startAfter: null });
    expect(parseHistoryView({}).series).toBeNull();
    expect(historyApiUrl("sandbox", "demo", "", flat.series)).toBe("/api/history?connection=sandbox&bucket=demo&prefix=&kind=list&pageSize=1000&delimiter=&startAfter=");
  });

  it("names a bad page size or kind instead of guessing a series", () => {
    expect(parseHistoryView({ pageSize: "0" }).problems.join(" ")).toMatch(/page size must be between 1 and 1000/);
    expect(parseHistoryView({ pageSize: "10", kind: "weird" }).problems).toEqual(["kind must be one of list, snapshot, inventory"]);
  });

  it("says how the passes of a series listed", () => {
    expect(describeSeries({ kind: "list", pageSize: 1000, delimiter: null, startAfter: null })).toBe("flat (every key) · pages of 1,000");
    expect(describeSeries({ kind: "list", pageSize: 5, delimiter: "/", startAfter: "obj_1" })).toBe("folders by “/” · pages of 5 · after “obj_1”");
    expect(describeSeries({ kind: "snapshot", pageSize: 100, delimiter: null, startAfter: null })).toBe("snapshots (every key as of T) · pages of 100");
    expect(describeSeries({ kind: "inventory", pageSize: 1000, delimiter: null, startAfter: null })).toBe("S3 Inventory reports · pages of 1,000");
  });
});
