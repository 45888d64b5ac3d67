import { describe, expect, it } from "vitest";
import { byteSorted, listAllV2, listV2, putKeys, TEXT_META, tempStore } from "./test-support";

const KEYS = ["a", "a/1", "a/2", "b", "b/x/y", "c d", "c+d", "c%20d", "é", "\u{1F600}", "\uFF21", "z/"];

describe("ListObjectsV2 paging", () => {
  it.each([1, 2, 3, 4, 5, 6, 7])("reassembles the exact key set with max-keys %i, no duplicate, no gap", (maxKeys) => {
    const { store } = tempStore();
    store.createBucket("paging");
    putKeys(store, "paging", KEYS);
    const pass = listAllV2(store, "paging", { maxKeys });
    expect(pass.keys).toEqual(byteSorted(KEYS));
    expect(pass.pages).toHaveLength(Math.ceil(KEYS.length / maxKeys));
  });

  it("is not truncated when the last page is exactly full: IsTruncated looks ahead", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    putKeys(store, "paging", ["k1", "k2", "k3", "k4"]);
    const first = listV2(store, "paging", { maxKeys: 2 });
    expect(first.isTruncated).toBe(true);
    const last = listV2(store, "paging", { maxKeys: 2, continuationToken: first.nextContinuationToken });
    expect(last.contents.map((c) => c.key)).toEqual(["k3", "k4"]);
    expect(last.isTruncated).toBe(false);
    expect(last.nextContinuationToken).toBeUndefined();
  });

  it("max-keys 0 gives an empty, non-truncated page without a token", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    putKeys(store, "paging", ["k1", "k2"]);
    expect(listV2(store, "paging", { maxKeys: 0 })).toEqual({
      contents: [],
      commonPrefixes: [],
      isTruncated: false,
      nextContinuationToken: undefined,
      keyCount: 0,
    });
  });

  it("caps max-keys at 1000", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    const keys = Array.from({ length: 1003 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    store.seedObjects({ bucket: "paging", keys, body: Buffer.from("x"), meta: TEXT_META });
    const first = listV2(store, "paging", { maxKeys: 5000 });
    expect(first.keyCount).toBe(1000);
    expect(first.isTruncated).toBe(true);
    const rest = listV2(store, "paging", { maxKeys: 5000, continuationToken: first.nextContinuationToken });
    expect(rest.contents.map((c) => c.key)).toEqual(["k1000", "k1001", "k1002"]);
  });

  it("lists only keys under the prefix, the prefix itself included", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    putKeys(store, "paging", ["a", "a/", "a/1", "a/2", "a0", "b/1"]);
    expect(listAllV2(store, "paging", { prefix: "a/", maxKeys: 1 }).keys).toEqual(["a/", "a/1", "a/2"]);
    expect(listAllV2(store, "paging", { prefix: "nope" }).keys).toEqual([]);
  });

  it("reports size, quoted MD5 ETag, LastModified and storage class of each entry", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    const at = new Date("2021-03-04T05:06:07.089Z");
    store.writeAt(at, () =>
      store.putObject({
        bucket: "paging",
        key: "hello.txt",
        body: Buffer.from("hello"),
        meta: { ...TEXT_META, storageClass: "GLACIER", checksum: { algorithm: "CRC32", value: "NhCmhg==" } },
      }),
    );
    const [entry] = listV2(store, "paging").contents;
    expect(entry).toMatchObject({
      key: "hello.txt",
      size: 5,
      etag: '"5d41402abc4b2a76b9719d911017c592"',
      lastModified: at,
      storageClass: "GLACIER",
      checksumAlgorithm: "CRC32",
      checksumType: "FULL_OBJECT",
      isLatest: true,
      isDeleteMarker: false,
      versionId: "null",
    });
    expect(entry?.meta).toEqual({
      ...TEXT_META,
      storageClass: "GLACIER",
      checksum: { algorithm: "CRC32", value: "NhCmhg==" },
    });
  });

  it("never lists delete markers or noncurrent versions", () => {
    const { store } = tempStore();
    store.createBucket("paging");
    store.setVersioning("paging", "Enabled");
    putKeys(store, "paging", ["gone", "kept", "kept"]);
    store.deleteObject("paging", "gone");
    expect(listAllV2(store, "paging", { maxKeys: 1 }).keys).toEqual(["kept"]);
  });
});
