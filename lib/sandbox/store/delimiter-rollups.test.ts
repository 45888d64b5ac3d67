import { describe, expect, it } from "vitest";
import { listAllV2, listV2, putKeys, TEXT_META, tempStore } from "./test-support";

// Listing order with delimiter "/": a, b/ (3 keys), c, d/ (2 keys, one nested), e, f/ (the key "f/").
const KEYS = ["a", "b/1", "b/2", "b/3", "c", "d/x/1", "d/y", "e", "f/"];

function seeded() {
  const { store } = tempStore();
  store.createBucket("rollups");
  putKeys(store, "rollups", KEYS);
  return store;
}

describe("ListObjectsV2 with a delimiter", () => {
  it("rolls keys up to common prefixes that count toward KeyCount", () => {
    const page = listV2(seeded(), "rollups", { delimiter: "/" });
    expect(page.contents.map((c) => c.key)).toEqual(["a", "c", "e"]);
    expect(page.commonPrefixes).toEqual(["b/", "d/", "f/"]);
    expect(page.keyCount).toBe(6);
    expect(page.isTruncated).toBe(false);
  });

  it.each([1, 2, 3, 4, 5, 6, 7])("pages with max-keys %i: prefixes share the budget, each appears once", (maxKeys) => {
    const pass = listAllV2(seeded(), "rollups", { delimiter: "/", maxKeys });
    expect(pass.keys).toEqual(["a", "c", "e"]);
    expect(pass.prefixes).toEqual(["b/", "d/", "f/"]);
    expect(pass.pages).toHaveLength(Math.ceil(6 / maxKeys));
  });

  it("resumes after a page that ended on a common prefix without repeating it", () => {
    const store = seeded();
    const first = listV2(store, "rollups", { delimiter: "/", maxKeys: 2 });
    expect(first.contents.map((c) => c.key)).toEqual(["a"]);
    expect(first.commonPrefixes).toEqual(["b/"]);
    expect(first.isTruncated).toBe(true);
    // A key added inside the prefix that ended the page stays rolled up behind the cursor.
    putKeys(store, "rollups", ["b/4"]);
    const second = listV2(store, "rollups", { delimiter: "/", maxKeys: 2, continuationToken: first.nextContinuationToken });
    expect(second.contents.map((c) => c.key)).toEqual(["c"]);
    expect(second.commonPrefixes).toEqual(["d/"]);
  });

  it("is truncated when a common prefix is all that follows a full page", () => {
    const page = listV2(seeded(), "rollups", { delimiter: "/", maxKeys: 5 });
    expect(page.keyCount).toBe(5);
    expect(page.isTruncated).toBe(true);
  });

  it("rolls up relative to the prefix", () => {
    const page = listV2(seeded(), "rollups", { prefix: "d/", delimiter: "/" });
    expect(page.contents.map((c) => c.key)).toEqual(["d/y"]);
    expect(page.commonPrefixes).toEqual(["d/x/"]);
  });

  it("supports multi-character and non-slash delimiters", () => {
    const { store } = tempStore();
    store.createBucket("rollups");
    putKeys(store, "rollups", ["2024--01--a", "2024--01--b", "2024--02", "2024-x", "plain"]);
    expect(listV2(store, "rollups", { delimiter: "--" }).commonPrefixes).toEqual(["2024--"]);
    const nested = listV2(store, "rollups", { prefix: "2024--", delimiter: "--" });
    expect(nested.commonPrefixes).toEqual(["2024--01--"]);
    expect(nested.contents.map((c) => c.key)).toEqual(["2024--02"]);
  });

  it("skips a large rolled-up prefix and still finds what follows it", () => {
    const { store } = tempStore();
    store.createBucket("rollups");
    const inside = Array.from({ length: 3000 }, (_, i) => `big/${String(i).padStart(5, "0")}`);
    store.seedObjects({ bucket: "rollups", keys: ["a", ...inside, "big0", "c/1", "d"], body: Buffer.from("x"), meta: TEXT_META });
    const pass = listAllV2(store, "rollups", { delimiter: "/", maxKeys: 2 });
    expect(pass.keys).toEqual(["a", "big0", "d"]);
    expect(pass.prefixes).toEqual(["big/", "c/"]);
  });

  it("rolls up keys with astral characters in byte order", () => {
    const { store } = tempStore();
    store.createBucket("rollups");
    putKeys(store, "rollups", ["\u{1F600}/1", "\uFF21/1", "\uFF21/2", "x"]);
    const pass = listAllV2(store, "rollups", { delimiter: "/", maxKeys: 1 });
    expect(pass.prefixes).toEqual(["\uFF21/", "\u{1F600}/"]);
    expect(pass.keys).toEqual(["x"]);
  });
});
