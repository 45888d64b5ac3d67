import { describe, expect, it } from "vitest";
import { breadcrumbs, browseApiUrl, browseHref, changeView, nameInFolder, objectApiUrl, parseBrowseView, splitPrefix } from "./search-params";

const hostile = ["a #b?c%d+e f", "x\ny\tz", "π/ü/😀", "100%/%2B/", "&key=evil", "/lead//double/"];

function viewOf(href: string) {
  return parseBrowseView(new URL(href, "http://localhost").searchParams);
}

describe("browse URLs", () => {
  it.each(hostile)("round-trips a hostile prefix and key through the query string: %j", (value) => {
    const href = browseHref("sandbox", "unicode", { prefix: value, key: `${value}tail` });
    expect(href.startsWith("/b/sandbox/unicode?")).toBe(true);
    expect(href).not.toMatch(/[#\s]/);
    expect(viewOf(href)).toEqual({ view: { prefix: value, key: `${value}tail`, pageSize: 1000, flat: false, asOf: null, version: null, page: null }, problems: [] });
  });

  it("keeps '+' and space apart, which form encoding would merge", () => {
    const href = browseHref("sandbox", "unicode", { prefix: "a+b c" });
    expect(href).toBe("/b/sandbox/unicode?prefix=a%2Bb%20c");
    expect(viewOf(href).view.prefix).toBe("a+b c");
  });

  it("reads Next's searchParams record the same way as URLSearchParams", () => {
    expect(parseBrowseView({ prefix: ["photos/", "ignored"], pageSize: "10", flat: "1" }).view).toEqual({ prefix: "photos/", key: null, pageSize: 10, flat: true, asOf: null, version: null, page: null });
  });

  it("keeps the page jumped to in the link, numbered from 1, and drops it when the listing changes", () => {
    const href = browseHref("sandbox", "demo", { pageSize: 100, page: 20 });
    expect(href).toBe("/b/sandbox/demo?pageSize=100&page=20");
    expect(viewOf(href).view.page).toBe(20);
    expect(viewOf("/b/sandbox/demo?page=0").problems).toEqual(["page “0”: page numbers count from 1."]);
    expect(viewOf("/b/sandbox/demo?page=x").view.page).toBeNull();
    const view = viewOf(href).view;
    expect(changeView(view, { key: "obj_1950" }).page).toBe(20);
    expect(changeView(view, { prefix: "obj_1" }).page).toBeNull();
    expect(changeView(view, { page: 3 }).page).toBe(3);
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
    expect(browseApiUrl({ connection: "sandbox", bucket: "b-1", prefix: "a&b=c", delimiter: "/", pageSize: 10, asOf: null })).toBe(
      "/api/browse?connection=sandbox&bucket=b-1&prefix=a%26b%3Dc&pageSize=10&delimiter=%2F",
    );
    expect(browseApiUrl({ connection: "sandbox", bucket: "b-1", prefix: "", delimiter: null, pageSize: 10, asOf: null })).not.toContain("delimiter");
    expect(browseApiUrl({ connection: "sandbox", bucket: "b-1", prefix: "", delimiter: null, pageSize: 10, asOf: "2024-02-15T00:00:00.000Z" })).toBe(
      "/api/browse?connection=sandbox&bucket=b-1&prefix=&pageSize=10&asOf=2024-02-15T00%3A00%3A00.000Z",
    );
    expect(objectApiUrl("sandbox", "b-1", "k #1\n")).toBe("/api/objects?connection=sandbox&bucket=b-1&key=k%20%231%0A");
    expect(objectApiUrl("sandbox", "b-1", "k", "null")).toBe("/api/objects?connection=sandbox&bucket=b-1&key=k&versionId=null");
  });
});

describe("as-of URLs", () => {
  it("normalizes asOf to a UTC instant and keeps it, with the open object's version, in every link", () => {
    const { view, problems } = viewOf("/b/sandbox/versioned?asOf=2024-02-15T01:00:00%2B01:00&key=report.csv&version=v1");
    expect(problems).toEqual([]);
    expect(view).toMatchObject({ asOf: "2024-02-15T00:00:00.000Z", key: "report.csv", version: "v1" });
    expect(browseHref("sandbox", "versioned", view)).toBe("/b/sandbox/versioned?asOf=2024-02-15T00%3A00%3A00.000Z&key=report.csv&version=v1");
    // A version belongs to an open object only.
    expect(viewOf("/b/sandbox/versioned?version=v1").view.version).toBeNull();
  });

  it("names an asOf that is not an instant with a zone", () => {
    const parsed = viewOf("/b/sandbox/versioned?asOf=2024-02-15%2010:00");
    expect(parsed.view.asOf).toBeNull();
    expect(parsed.problems).toEqual(["asOf “2024-02-15 10:00”: the time must be an ISO 8601 instant with a zone, e.g. 2024-03-01T12:00:00Z."]);
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
