import { describe, expect, it } from "vitest";
import type { SandboxStore } from "../store-types";
import { byteSorted, listAllV2, TEXT_META, tempStore } from "./test-support";

// Random buckets checked against a direct model of S3's listing rules: sort by bytes, restrict to
// the prefix and past StartAfter, roll up at the first delimiter after the prefix, drop common
// prefixes not greater than StartAfter, then cut pages.

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const SEGMENTS = ["a", "b", "ab", "a b", "é", "\uFF21", "\u{1F600}", "z"];

function randomKeys(next: () => number, count: number): string[] {
  const keys = new Set<string>();
  while (keys.size < count) {
    const depth = 1 + Math.floor(next() * 3);
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) parts.push(SEGMENTS[Math.floor(next() * SEGMENTS.length)] ?? "a");
    keys.add(parts.join("/") + (next() < 0.1 ? "/" : ""));
  }
  return [...keys];
}

function modelItems<T extends { key: string }>(
  entries: readonly T[],
  prefix: string,
  delimiter: string,
  after: string | undefined,
): (T | string)[] {
  const greater = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0;
  const out: (T | string)[] = [];
  for (const entry of entries) {
    if (!entry.key.startsWith(prefix)) continue;
    if (after !== undefined && !greater(entry.key, after)) continue;
    const at = delimiter === "" ? -1 : entry.key.indexOf(delimiter, prefix.length);
    if (at < 0) {
      out.push(entry);
      continue;
    }
    const commonPrefix = entry.key.slice(0, at + delimiter.length);
    if (out.at(-1) === commonPrefix) continue;
    if (after !== undefined && !greater(commonPrefix, after)) continue;
    out.push(commonPrefix);
  }
  return out;
}

function build(seed: number, versioned: boolean): { store: SandboxStore; keys: string[] } {
  const next = random(seed);
  const { store } = tempStore();
  store.createBucket("model");
  if (versioned) store.setVersioning("model", "Enabled");
  const keys = randomKeys(next, 40);
  for (const key of keys) {
    const writes = versioned ? 1 + Math.floor(next() * 3) : 1;
    for (let i = 0; i < writes; i++) {
      if (versioned && next() < 0.2) store.deleteObject("model", key);
      else store.putObject({ bucket: "model", key, body: Buffer.from(String(i)), meta: TEXT_META });
    }
  }
  return { store, keys };
}

const CASES = [
  { prefix: "", delimiter: "/", after: undefined },
  { prefix: "", delimiter: "", after: undefined },
  { prefix: "a", delimiter: "/", after: undefined },
  { prefix: "a/", delimiter: "/", after: "a/b" },
  { prefix: "", delimiter: "/", after: "a/ab" },
  { prefix: "", delimiter: "b", after: "a" },
  { prefix: "\uFF21/", delimiter: "/", after: undefined },
];

describe("listings match a model of S3's rules on random buckets", () => {
  it.each([1, 2, 3])("ListObjectsV2, seed %i, every max-keys 1..7", (seed) => {
    const { store, keys } = build(seed, false);
    const sorted = byteSorted(keys).map((key) => ({ key }));
    for (const { prefix, delimiter, after } of CASES) {
      const expected = modelItems(sorted, prefix, delimiter, after);
      for (let maxKeys = 1; maxKeys <= 7; maxKeys++) {
        const pass = listAllV2(store, "model", { prefix, delimiter, startAfter: after ?? "", maxKeys });
        const label = JSON.stringify({ prefix, delimiter, after, maxKeys });
        expect(pass.keys, label).toEqual(expected.filter((e) => typeof e !== "string").map((e) => e.key));
        expect(pass.prefixes, label).toEqual(expected.filter((e) => typeof e === "string"));
        expect(pass.pages.length, label).toBe(Math.max(1, Math.ceil(expected.length / maxKeys)));
      }
    }
  });

  it.each([1, 2, 3])("ListObjectVersions, seed %i, every max-keys 1..7", (seed) => {
    const { store } = build(seed, true);
    const all = store.listObjectVersions("model", { prefix: "", delimiter: "", maxKeys: 1000, keyMarker: "", versionIdMarker: "" });
    expect(all.isTruncated).toBe(false);
    const entries = all.entries.map((e) => ({ key: e.key, versionId: e.versionId }));
    for (const { prefix, delimiter, after } of CASES) {
      const expected = modelItems(entries, prefix, delimiter, after);
      for (let maxKeys = 1; maxKeys <= 7; maxKeys++) {
        const seen: (string | { key: string; versionId: string })[] = [];
        let keyMarker = after ?? "";
        let versionIdMarker = "";
        for (let pages = 0; ; pages++) {
          if (pages > 500) throw new Error("does not terminate");
          const page = store.listObjectVersions("model", { prefix, delimiter, maxKeys, keyMarker, versionIdMarker });
          // Prefixes and entries of one page interleave in key order.
          const items = [...page.entries.map((e) => ({ key: e.key, versionId: e.versionId })), ...page.commonPrefixes];
          items.sort((a, b) => {
            const ka = typeof a === "string" ? a : a.key;
            const kb = typeof b === "string" ? b : b.key;
            return Buffer.compare(Buffer.from(ka), Buffer.from(kb));
          });
          seen.push(...items);
          if (!page.isTruncated) break;
          keyMarker = page.nextKeyMarker ?? "";
          versionIdMarker = page.nextVersionIdMarker ?? "";
        }
        const label = JSON.stringify({ prefix, delimiter, after, maxKeys });
        expect(seen.filter((e) => typeof e !== "string"), label).toEqual(expected.filter((e) => typeof e !== "string"));
        expect(seen.filter((e) => typeof e === "string"), label).toEqual(expected.filter((e) => typeof e === "string"));
      }
    }
  });
});
