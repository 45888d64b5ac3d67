import { describe, expect, it } from "vitest";
import { breadcrumbs, browseApiUrl, browseHref, nameInFolder, objectApiUrl, parseBrowseView, splitPrefix } from "./search-params";

const hostile = ["a #b?c%d+e f", "x\ny\tz", "π/ü/😀", "100%/%2B/", "&key=evil", "/lead//double/"];

function viewOf(href: string) {
  return parseBrowseView(new URL(href, "http://localhost").searchParams);
}

describe("browse URLs", () => {
  it.each(hostile)("round-trips a hostile prefix and key through the query string: %j", (value) => {
    const href = browseHref("sandbox", "unicode", { prefix: value, key: `${value}tail` });
    expect(href.startsWith("/b/sandbox/unicode?")).toBe(true);
    expect(href).not.toMatch(/[#\s]/);
    expect(viewOf(href)).toEqual({ view: { prefix: value, key: `${value}tail`, pageSize: 1000, flat: false }, problems: [] });
  });

  it("keeps '+' and space apart, which form encoding would merge", () => {
    const href = browseHref("sandbox", "unicode", { prefix: "a+b c" });
    expect(href).toBe("/b/sandbox/unicode?prefix=a%2Bb%20c");
    expect(viewOf(href).view.prefix).toBe("a+b c");
  });

  it("reads Next's searchParams record the same way as URLSearchParams", () => {
    expect(parseBrowseView({ prefix: ["photos/", "ignored"], pageSize: "10", flat: "1" }).view).toEqual({ prefix: "photos/", key: null, pageSize: 10, flat: true });
  });

  it("leaves defaults out of links", () => {
    expect(browseHref("sandbox", "demo")).toBe("/b/sandbox/demo");
    expect(browseHref("sandbox", "demo", { pageSize: 1000, flat: false, prefix: "", key: null })).toBe("/b/sandbox/demo");
  });

  it("names unusable parameters instead of silently dropping them", () => {
    const parsed = parseBrowseView({ pageSize: "5000", prefix: "é".repeat(600) });
    expect(parsed.view.pageSize).toBe(1000);
    expect(parsed.view.prefix).toBe("");
    expect(parsed.problems).toEqual(["the prefix must be at most 1024 bytes of UTF-8", "the page size must be between 1 and 1000"]);
  });

  it("builds API URLs with every value encoded", () => {
    expect(browseApiUrl({ connection: "sandbox", bucket: "b-1", prefix: "a&b=c", delimiter: "/", pageSize: 10 })).toBe(
      "/api/browse?connection=sandbox&bucket=b-1&prefix=a%26b%3Dc&pageSize=10&delimiter=%2F",
    );
    expect(browseApiUrl({ connection: "sandbox", bucket: "b-1", prefix: "", delimiter: null, pageSize: 10 })).not.toContain("delimiter");
    expect(objectApiUrl("sandbox", "b-1", "k #1\n")).toBe("/api/objects?connection=sandbox&bucket=b-1&key=k%20%231%0A");
  });
});

describe("folders", () => {
  it("splits a prefix into its folder and the filter typed after it", () => {
    expect(splitPrefix("photos/2023/IMG_1")).toEqual({ folder: "photos/2023/", filter: "IMG_1" });
    expect(splitPrefix("photos/")).toEqual({ folder: "photos/", filter: "" });
    expect(splitPrefix("abc")).toEqual({ folder: "", filter: "abc" });
  });

  it("makes one crumb per level, empty levels included", () => {
    expect(breadcrumbs("a//b/")).toEqual([
      { label: "a", prefix: "a/" },
      { label: "", prefix: "a//" },
      { label: "b", prefix: "a//b/" },
    ]);
    expect(breadcrumbs("")).toEqual([]);
  });

  it("names entries relative to their folder", () => {
    expect(nameInFolder("photos/2023/", "photos/")).toBe("2023/");
    expect(nameInFolder("other", "photos/")).toBe("other");
  });
});
