import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { startSandbox, type Sandbox } from "@/lib/sandbox";
import { ConnectionRegistry } from "@/lib/connections";
import type { RetryPolicy } from "@/lib/lister";
import type { PassEvent } from "@/lib/wire";
import { PassService } from "../service";

export const FAST_RETRY: Partial<RetryPolicy> = { passRetries: 2, baseDelayMs: 10, maxDelayMs: 50 };

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bucketscope-${label}-`));
}

export async function startTestSandbox(): Promise<Sandbox> {
  return startSandbox({ dataDir: tempDir("sandbox"), port: 0, seed: true });
}

export function registryFor(sandbox: Sandbox): ConnectionRegistry {
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  return new ConnectionRegistry({ sandbox: { endpoint, accessKeyId, secretAccessKey, region }, extra: [], probeAws: false, env: {} });
}

export function serviceFor(sandbox: Sandbox, dataDir = tempDir("passes"), retry: Partial<RetryPolicy> = FAST_RETRY): PassService {
  return new PassService({ dataDir, connections: registryFor(sandbox), retry });
}

/** Every key of a bucket under a prefix, as the sandbox holds it (byte order). */
export function bucketKeys(sandbox: Sandbox, bucket: string, prefix = ""): string[] {
  return sandbox.store.snapshotPrefix(bucket, prefix).map((v) => v.key);
}

/** Every key a pass recorded, in key order, read through the whole-pass entries query. */
export function passKeys(service: PassService, id: string): string[] {
  const out: string[] = [];
  let after: string | undefined;
  for (;;) {
    const res = service.entries(id, { after, limit: 1000 });
    out.push(...res.entries.map((e) => e.key));
    if (res.nextAfter === null) return out;
    after = res.nextAfter;
  }
}

export async function collect(events: AsyncIterable<PassEvent>, onEvent?: (e: PassEvent, n: number) => void | Promise<void>): Promise<PassEvent[]> {
  const out: PassEvent[] = [];
  for await (const e of events) {
    out.push(e);
    await onEvent?.(e, out.length);
  }
  return out;
}

/** The page and end lines of a stream: what every viewer must see identically. */
export function pagesAndEnd(events: PassEvent[]): PassEvent[] {
  return events.filter((e) => e.type !== "pass");
}

export function putKeys(sandbox: Sandbox, bucket: string, keys: string[]): void {
  for (const key of keys) {
    sandbox.store.putObject({
      bucket,
      key,
      body: Buffer.from(key),
      meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" },
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Holds a write lock on a data dir's database from a second SQLite connection, as another process
 * would (`BEGIN EXCLUSIVE`): until `release`, every write of the app's connection waits out its busy
 * timeout and fails with SQLITE_BUSY "database is locked"; reads go on (WAL).
 */
export function lockDatabase(dataDir: string): { release(): void } {
  const db = new Database(path.join(dataDir, "bucketscope.db"));
  db.pragma("busy_timeout = 5000");
  db.exec("BEGIN EXCLUSIVE");
  return {
    release() {
      if (!db.open) return;
      db.exec("COMMIT");
      db.close();
    },
  };
}

/** Polls `get` until `ok` holds (never a fixed sleep: a loaded machine only makes it take longer). */
export async function until<T>(what: string, get: () => T, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(25);
  }
}

let bucketCounter = 0;

/** A new bucket on the sandbox holding `n` one-byte keys k000, k001, …, named after `label`. */
export function bucketWith(sandbox: Sandbox, label: string, n: number): string {
  const bucket = `${label}-${++bucketCounter}-${Date.now().toString(36)}`;
  sandbox.store.createBucket(bucket);
  for (let i = 0; i < n; i++) {
    sandbox.store.putObject({ bucket, key: `k${String(i).padStart(3, "0")}`, body: Buffer.from("x"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } });
  }
  return bucket;
}
