import { describe, expect, it } from "vitest";
import type { ListVersionsParams, ListVersionsResult, SandboxStore } from "../store-types";
import { putKeys, s3ErrorOf, tempStore } from "./test-support";

interface Entry {
  key: string;
  versionId: string;
  isLatest: boolean;
  isDeleteMarker: boolean;
}

/**
 * History (oldest first): a and c written before versioning ("null"), then a twice, a delete marker
 * on b before b exists, b, c, a delete marker on c, d/1 and d/2.
 */
function seeded(): { store: SandboxStore; ids: Record<string, string> } {
  const { store } = tempStore();
  store.createBucket("history");
  putKeys(store, "history", ["a", "c"]);
  store.setVersioning("history", "Enabled");
  const put = (key: string) => store.putObject({ bucket: "history", key, body: Buffer.from(key), meta: { contentType: "", userMetadata: {}, storageClass: "STANDARD" } }).versionId;
  const ids: Record<string, string> = {};
  ids.a1 = put("a");
  ids.a2 = put("a");
  ids.bMarker = store.deleteObject("history", "b").versionId ?? "";
  ids.b1 = put("b");
  ids.c1 = put("c");
  ids.cMarker = store.deleteObject("history", "c").versionId ?? "";
  ids.d1 = put("d/1");
  ids.d2 = put("d/2");
  return { store, ids };
}

function list(store: SandboxStore, params: Partial<ListVersionsParams> = {}): ListVersionsResult {
  return store.listObjectVersions("history", {
    prefix: "",
    delimiter: "",
    maxKeys: 1000,
    keyMarker: "",
    versionIdMarker: "",
    ...params,
  });
}

const entriesOf = (result: ListVersionsResult): Entry[] =>
  result.entries.map(({ key, versionId, isLatest, isDeleteMarker }) => ({ key, versionId, isLatest, isDeleteMarker }));

function listAll(store: SandboxStore, params: Partial<ListVersionsParams>) {
  const entries: Entry[] = [];
  const prefixes: string[] = [];
  let keyMarker = "";
  let versionIdMarker = "";
  let pages = 0;
  for (;;) {
    const page = list(store, { ...params, keyMarker, versionIdMarker });
    pages++;
    expect(page.entries.length + page.commonPrefixes.length).toBeLessThanOrEqual(params.maxKeys ?? 1000);
    entries.push(...entriesOf(page));
    prefixes.push(...page.commonPrefixes);
    if (!page.isTruncated) {
      expect(page.nextKeyMarker).toBeUndefined();
      break;
    }
    expect(page.entries.length + page.commonPrefixes.length).toBe(params.maxKeys);
    keyMarker = page.nextKeyMarker ?? "";
    versionIdMarker = page.nextVersionIdMarker ?? "";
    if (pages > 100) throw new Error("does not terminate");
  }
  return { entries, prefixes, pages };
}

describe("ListObjectVersions", () => {
  it("interleaves versions and delete markers by key in byte order, newest first", () => {
    const { store, ids } = seeded();
    expect(entriesOf(list(store))).toEqual([
      { key: "a", versionId: ids.a2, isLatest: true, isDeleteMarker: false },
      { key: "a", versionId: ids.a1, isLatest: false, isDeleteMarker: false },
      { key: "a", versionId: "null", isLatest: false, isDeleteMarker: false },
      { key: "b", versionId: ids.b1, isLatest: true, isDeleteMarker: false },
      { key: "b", versionId: ids.bMarker, isLatest: false, isDeleteMarker: true },
      { key: "c", versionId: ids.cMarker, isLatest: true, isDeleteMarker: true },
      { key: "c", versionId: ids.c1, isLatest: false, isDeleteMarker: false },
      { key: "c", versionId: "null", isLatest: false, isDeleteMarker: false },
      { key: "d/1", versionId: ids.d1, isLatest: true, isDeleteMarker: false },
      { key: "d/2", versionId: ids.d2, isLatest: true, isDeleteMarker: false },
    ]);
  });

  it.each([1, 2, 3, 4, 5])("reassembles the full history with key-marker/version-id-marker at max-keys %i", (maxKeys) => {
    const { store } = seeded();
    const all = entriesOf(list(store));
    const pass = listAll(store, { maxKeys });
    expect(pass.entries).toEqual(all);
    expect(pass.pages).toBe(Math.ceil(all.length / maxKeys));
  });

  it.each([1, 2, 3, 4, 5])("with a delimiter, common prefixes share the budget at max-keys %i", (maxKeys) => {
    const { store } = seeded();
    const all = entriesOf(list(store)).filter((e) => !e.key.startsWith("d/"));
    const pass = listAll(store, { maxKeys, delimiter: "/" });
    expect(pass.entries).toEqual(all);
    expect(pass.prefixes).toEqual(["d/"]);
  });

  it("reports the last entry as the next markers, or the last common prefix", () => {
    const { store, ids } = seeded();
    const page = list(store, { maxKeys: 4 });
    expect(page).toMatchObject({ isTruncated: true, nextKeyMarker: "b", nextVersionIdMarker: ids.b1 });
    const withPrefix = list(store, { maxKeys: 2, delimiter: "/", keyMarker: "c" });
    expect(withPrefix).toMatchObject({ commonPrefixes: ["d/"], isTruncated: false });
    const endsOnPrefix = list(store, { maxKeys: 1, delimiter: "/", keyMarker: "c" });
    expect(endsOnPrefix).toMatchObject({ commonPrefixes: ["d/"], isTruncated: false, nextKeyMarker: undefined });
  });

  it("treats key-marker alone as exclusive of every version of that key", () => {
    const { store } = seeded();
    expect(entriesOf(list(store, { keyMarker: "b" })).map((e) => e.key)).toEqual(["c", "c", "c", "d/1", "d/2"]);
    expect(entriesOf(list(store, { keyMarker: "a0" })).map((e) => e.key)[0]).toBe("b");
  });

  it("resumes after the null version named by version-id-marker \"null\"", () => {
    const { store, ids } = seeded();
    const rest = entriesOf(list(store, { keyMarker: "c", versionIdMarker: ids.c1 }));
    expect(rest.map((e) => e.versionId)).toEqual(["null", ids.d1, ids.d2]);
    expect(entriesOf(list(store, { keyMarker: "c", versionIdMarker: "null" })).map((e) => e.key)).toEqual(["d/1", "d/2"]);
  });

  it("still resumes in place when the version named by the marker was deleted meanwhile", () => {
    const { store, ids } = seeded();
    const first = list(store, { maxKeys: 2 });
    expect(first.nextVersionIdMarker).toBe(ids.a1);
    store.deleteObject("history", "a", ids.a1);
    const second = list(store, { maxKeys: 2, keyMarker: first.nextKeyMarker, versionIdMarker: first.nextVersionIdMarker });
    expect(entriesOf(second).map((e) => e.versionId)).toEqual(["null", ids.b1]);
  });

  it("rejects a version-id-marker without key-marker, and a malformed one", () => {
    const { store } = seeded();
    expect(s3ErrorOf(() => list(store, { versionIdMarker: "null" }))).toMatchObject({
      code: "InvalidArgument",
      details: { ArgumentName: "version-id-marker" },
    });
    expect(s3ErrorOf(() => list(store, { keyMarker: "a", versionIdMarker: "bogus" }))).toMatchObject({
      code: "InvalidArgument",
      message: "Invalid version id specified",
    });
  });

  it("max-keys 0 gives an empty, non-truncated result", () => {
    const { store } = seeded();
    expect(list(store, { maxKeys: 0 })).toEqual({
      entries: [],
      commonPrefixes: [],
      isTruncated: false,
      nextKeyMarker: undefined,
      nextVersionIdMarker: undefined,
    });
  });

  it("restricts to the prefix", () => {
    const { store, ids } = seeded();
    expect(entriesOf(list(store, { prefix: "d/" })).map((e) => e.versionId)).toEqual([ids.d1, ids.d2]);
  });
});
