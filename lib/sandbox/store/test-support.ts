import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect } from "vitest";
import { S3Error } from "../errors";
import type { ListObjectsV2Params, ListObjectsV2Result, ObjectMeta, SandboxStore } from "../store-types";
import { createStore } from "./index";

// Real SQLite files in a fresh temp dir per test, removed afterwards.

const openDirs: { dir: string; stores: SandboxStore[] }[] = [];

afterEach(() => {
  for (const { dir, stores } of openDirs.splice(0)) {
    for (const store of stores) store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

export interface TempStore {
  store: SandboxStore;
  dataDir: string;
  /** Closes the store and opens the same data dir again. */
  reopen(): SandboxStore;
}

export function tempStore(): TempStore {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bucketscope-store-"));
  const entry = { dir: dataDir, stores: [createStore(dataDir)] };
  openDirs.push(entry);
  const handle: TempStore = {
    store: entry.stores[0] as SandboxStore,
    dataDir,
    reopen() {
      handle.store.close();
      handle.store = createStore(dataDir);
      entry.stores.push(handle.store);
      return handle.store;
    },
  };
  return handle;
}

export const TEXT_META: ObjectMeta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };

export function putKeys(store: SandboxStore, bucket: string, keys: readonly string[]): void {
  for (const key of keys) store.putObject({ bucket, key, body: Buffer.from(`body of ${key}`), meta: TEXT_META });
}

export function listV2(
  store: SandboxStore,
  bucket: string,
  params: Partial<ListObjectsV2Params> = {},
): ListObjectsV2Result {
  return store.listObjectsV2(bucket, {
    prefix: "",
    delimiter: "",
    maxKeys: 1000,
    startAfter: "",
    continuationToken: undefined,
    ...params,
  });
}

export interface ListingPass {
  keys: string[];
  prefixes: string[];
  pages: ListObjectsV2Result[];
}

/** Follows continuation tokens to the end, checking each page's own invariants on the way. */
export function listAllV2(
  store: SandboxStore,
  bucket: string,
  params: Partial<Omit<ListObjectsV2Params, "continuationToken">> = {},
): ListingPass {
  const pass: ListingPass = { keys: [], prefixes: [], pages: [] };
  let token: string | undefined;
  do {
    const page = listV2(store, bucket, { ...params, continuationToken: token });
    const maxKeys = Math.min(params.maxKeys ?? 1000, 1000);
    expect(page.keyCount).toBe(page.contents.length + page.commonPrefixes.length);
    expect(page.keyCount).toBeLessThanOrEqual(maxKeys);
    if (page.isTruncated) expect(page.keyCount).toBe(maxKeys);
    expect(page.nextContinuationToken !== undefined).toBe(page.isTruncated);
    pass.pages.push(page);
    pass.keys.push(...page.contents.map((c) => c.key));
    pass.prefixes.push(...page.commonPrefixes);
    token = page.nextContinuationToken;
    if (pass.pages.length > 10_000) throw new Error("listing does not terminate");
  } while (token !== undefined);
  return pass;
}

/** Byte-wise sort of the UTF-8 encodings, the order S3 lists in. */
export function byteSorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

export function s3ErrorOf(action: () => unknown): S3Error {
  try {
    action();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error, nothing was thrown");
}
