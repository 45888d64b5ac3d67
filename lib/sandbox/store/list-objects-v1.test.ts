import { describe, expect, it } from "vitest";
import type { ListObjectsV1Params, ListObjectsV1Result, SandboxStore } from "../store-types";
import { putKeys, tempStore } from "./test-support";

const KEYS = ["a", "b/1", "b/2", "c", "d/x/1", "d/y", "e", "\uFF21", "\u{1F600}"];

function seeded(): SandboxStore {
  const { store } = tempStore();
  store.createBucket("list-v1");
  putKeys(store, "list-v1", KEYS);
  return store;
}

function list(store: SandboxStore, params: Partial<ListObjectsV1Params>): ListObjectsV1Result {
  return store.listObjectsV1("list-v1", { prefix: "", delimiter: "", maxKeys: 1000, marker: "", ...params });
}

describe("ListObjects (v1)", () => {
  it("starts strictly after the marker, which can be any string", () => {
    const store = seeded();
    expect(list(store, { marker: "b/1" }).contents.map((c) => c.key)).toEqual(["b/2", "c", "d/x/1", "d/y", "e", "\uFF21", "\u{1F600}"]);
    expect(list(store, { marker: "d/z" }).contents.map((c) => c.key)).toEqual(["e", "\uFF21", "\u{1F600}"]);
  });

  it("sends NextMarker only with a delimiter, and only when truncated", () => {
    const store = seeded();
    expect(list(store, { maxKeys: 2 })).toMatchObject({ isTruncated: true, nextMarker: undefined });
    expect(list(store, { maxKeys: 2, delimiter: "/" })).toMatchObject({ isTruncated: true, nextMarker: "b/" });
    expect(list(store, { delimiter: "/" })).toMatchObject({ isTruncated: false, nextMarker: undefined });
  });

  it.each([1, 2, 3, 4, 5, 6, 7])("pages to the same listing at max-keys %i, from NextMarker or the last key", (maxKeys) => {
    const store = seeded();
    for (const delimiter of ["", "/"]) {
      const keys: string[] = [];
      const prefixes: string[] = [];
      let marker = "";
      for (let pages = 0; ; pages++) {
        if (pages > 50) throw new Error("does not terminate");
        const page = list(store, { maxKeys, delimiter, marker });
        expect(page.contents.length + page.commonPrefixes.length).toBeLessThanOrEqual(maxKeys);
        keys.push(...page.contents.map((c) => c.key));
        prefixes.push(...page.commonPrefixes);
        if (!page.isTruncated) break;
        marker = page.nextMarker ?? page.contents.at(-1)?.key ?? "";
      }
      const full = list(store, { delimiter });
      expect(keys).toEqual(full.contents.map((c) => c.key));
      expect(prefixes).toEqual(full.commonPrefixes);
    }
  });
});
