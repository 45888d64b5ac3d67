import { describe, expect, it } from "vitest";
import { listAllV2, listV2, putKeys, tempStore } from "./test-support";

const KEYS = ["a", "b/1", "b/2", "b/3", "c", "d/x/1", "d/y", "e"];

function seeded() {
  const { store } = tempStore();
  store.createBucket("start");
  putKeys(store, "start", KEYS);
  return store;
}

const keysOf = (page: { contents: { key: string }[] }) => page.contents.map((c) => c.key);

describe("StartAfter", () => {
  it("is exclusive", () => {
    expect(keysOf(listV2(seeded(), "start", { startAfter: "b/2" }))).toEqual(["b/3", "c", "d/x/1", "d/y", "e"]);
  });

  it("can be any string, present in the bucket or not", () => {
    const store = seeded();
    expect(keysOf(listV2(store, "start", { startAfter: "b/10" }))).toEqual(["b/2", "b/3", "c", "d/x/1", "d/y", "e"]);
    expect(keysOf(listV2(store, "start", { startAfter: "\u{1F600}" }))).toEqual([]);
    expect(listV2(store, "start", { startAfter: "\u{1F600}" }).isTruncated).toBe(false);
    expect(keysOf(listV2(store, "start", { startAfter: "\u0000" }))).toEqual(KEYS);
  });

  it("before the prefix lists the whole prefix; after it lists nothing", () => {
    const store = seeded();
    expect(keysOf(listV2(store, "start", { prefix: "d/", startAfter: "a" }))).toEqual(["d/x/1", "d/y"]);
    expect(keysOf(listV2(store, "start", { prefix: "d/", startAfter: "d/x/1" }))).toEqual(["d/y"]);
    expect(keysOf(listV2(store, "start", { prefix: "b/", startAfter: "c" }))).toEqual([]);
  });

  it("filters out common prefixes not greater than StartAfter", () => {
    const store = seeded();
    const insidePrefix = listV2(store, "start", { delimiter: "/", startAfter: "b/1" });
    expect(insidePrefix.commonPrefixes).toEqual(["d/"]);
    expect(keysOf(insidePrefix)).toEqual(["c", "e"]);

    const equalToPrefix = listV2(store, "start", { delimiter: "/", startAfter: "b/" });
    expect(equalToPrefix.commonPrefixes).toEqual(["d/"]);

    const beforePrefix = listV2(store, "start", { delimiter: "/", startAfter: "b" });
    expect(beforePrefix.commonPrefixes).toEqual(["b/", "d/"]);
  });

  it("is combined with paging: every page continues after the last item", () => {
    const pass = listAllV2(seeded(), "start", { delimiter: "/", startAfter: "b/1", maxKeys: 1 });
    expect(pass.keys).toEqual(["c", "e"]);
    expect(pass.prefixes).toEqual(["d/"]);
  });

  it("loses to a continuation token", () => {
    const store = seeded();
    const first = listV2(store, "start", { maxKeys: 2 });
    expect(keysOf(first)).toEqual(["a", "b/1"]);
    const second = listV2(store, "start", {
      maxKeys: 2,
      startAfter: "d/y",
      continuationToken: first.nextContinuationToken,
    });
    expect(keysOf(second)).toEqual(["b/2", "b/3"]);
  });
});
