import { describe, expect, it } from "vitest";
import { listV2, putKeys, TEXT_META, tempStore } from "./test-support";

// Tokens carry a position, not a snapshot: every page reads the bucket as it is when requested.

function seeded() {
  const { store } = tempStore();
  store.createBucket("live");
  putKeys(store, "live", ["k1", "k2", "k3", "k4", "k5", "k6"]);
  return store;
}

const keysOf = (page: { contents: { key: string }[] }) => page.contents.map((c) => c.key);

describe("a listing pass over a changing bucket", () => {
  it("does not return a key deleted ahead of the cursor", () => {
    const store = seeded();
    const first = listV2(store, "live", { maxKeys: 2 });
    store.deleteObject("live", "k3");
    store.deleteObject("live", "k5");
    const second = listV2(store, "live", { maxKeys: 2, continuationToken: first.nextContinuationToken });
    expect(keysOf(second)).toEqual(["k4", "k6"]);
    expect(second.isTruncated).toBe(false);
  });

  it("misses a key inserted behind the cursor and sees one inserted ahead", () => {
    const store = seeded();
    const first = listV2(store, "live", { maxKeys: 2 });
    putKeys(store, "live", ["k0", "k1a", "k2a", "k7"]);
    const rest = listV2(store, "live", { maxKeys: 1000, continuationToken: first.nextContinuationToken });
    expect(keysOf(rest)).toEqual(["k2a", "k3", "k4", "k5", "k6", "k7"]);
  });

  it("still resumes when the key the token points at was deleted", () => {
    const store = seeded();
    const first = listV2(store, "live", { maxKeys: 2 });
    store.deleteObject("live", "k2");
    const second = listV2(store, "live", { maxKeys: 2, continuationToken: first.nextContinuationToken });
    expect(keysOf(second)).toEqual(["k3", "k4"]);
  });

  it("shows an object overwritten ahead of the cursor with its new metadata", () => {
    const store = seeded();
    const first = listV2(store, "live", { maxKeys: 2 });
    store.putObject({ bucket: "live", key: "k3", body: Buffer.from("a much longer body"), meta: TEXT_META });
    const second = listV2(store, "live", { maxKeys: 1, continuationToken: first.nextContinuationToken });
    expect(second.contents[0]).toMatchObject({ key: "k3", size: 18 });
  });

  it("truncation reflects the bucket at the time of the page: deleting the look-ahead key ends the pass early", () => {
    const store = seeded();
    const first = listV2(store, "live", { maxKeys: 5 });
    expect(first.isTruncated).toBe(true);
    store.deleteObject("live", "k6");
    const second = listV2(store, "live", { maxKeys: 5, continuationToken: first.nextContinuationToken });
    expect(second).toMatchObject({ keyCount: 0, isTruncated: false, nextContinuationToken: undefined });
  });
});
