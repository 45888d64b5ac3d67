import "server-only";
import { DeleteObjectCommand, DeleteObjectsCommand, HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { Connection } from "@/lib/connections";
import { toAppError } from "@/lib/connections";
import { AppError, type ErrorCode } from "@/lib/http";
import { AsOfFold, asOfPage, clockOffset, listPages, listVersionPages, readVersioning, type RetryPolicy } from "@/lib/lister";
import { MAX_RECORDED_TIES, type BucketVersioning, type ClockOffset, type Tie, type TruthMethod } from "@/lib/wire";
import { normalizeEtag } from "./classify";

// Everything the race lab does to a bucket. Every write and delete goes through `Scope`, which
// refuses any key outside the experiment's own prefix.

export interface SandboxAdmin {
  endpoint: string;
  secretAccessKey: string;
}

/**
 * DeleteObjects refused as a whole: not implemented (501, 405), or 400 for a missing Content-MD5
 * (Swift, older Ceph RGW and MinIO; AWS says MissingContentMD5). Per-key DeleteObject still works there.
 */
function refusesDeleteObjects(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const name = "name" in err && typeof err.name === "string" ? err.name : "";
  const message = "message" in err && typeof err.message === "string" ? err.message : "";
  const meta = "$metadata" in err && typeof err.$metadata === "object" && err.$metadata !== null ? err.$metadata : {};
  const status = "httpStatusCode" in meta ? meta.httpStatusCode : undefined;
  if (status === 501 || status === 405) return true;
  return status === 400 && (name === "MissingContentMD5" || /content-md5/i.test(message));
}

export class Scope {
  /** Set once the server refused DeleteObjects: deletes go one key at a time from then on. */
  private deleteOneByOne = false;

  constructor(
    readonly conn: Connection,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    if (!conn.writable) {
      throw new AppError("read_only_connection", `Connection "${conn.name}" is read-only; experiments write and delete objects, so they run only on connections configured writable.`);
    }
    if (!/^bucketscope-race\/[a-z0-9]+\/$/.test(prefix)) throw new AppError("internal_error", `Refusing to work outside an experiment prefix: "${prefix}".`);
  }

  private fullKey(key: string): string {
    const full = this.prefix + key;
    if (!full.startsWith(this.prefix) || key === "") throw new AppError("internal_error", `Refusing to touch "${full}" outside "${this.prefix}".`);
    return full;
  }

  /** The bucket exists and these credentials reach it (HeadBucket), or the reason why not. */
  async check(): Promise<void> {
    try {
      await this.conn.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw toAppError(err, { connection: this.conn.name, bucket: this.bucket });
    }
  }

  async put(key: string, body: string): Promise<string | null> {
    try {
      const res = await this.conn.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: body, ContentType: "text/plain" }));
      return normalizeEtag(res.ETag);
    } catch (err) {
      throw toAppError(err, { connection: this.conn.name, bucket: this.bucket });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.conn.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (err) {
      throw toAppError(err, { connection: this.conn.name, bucket: this.bucket });
    }
  }

  /** Writes keys with a few requests in flight at a time. */
  /** Writes `keys` under the prefix; `onWritten` hears the count after each acknowledged write. */
  async seed(keys: readonly string[], body: (key: string) => string, signal: AbortSignal, onWritten: (written: number) => void = () => undefined, concurrency = 16): Promise<void> {
    let next = 0;
    let written = 0;
    const worker = async () => {
      while (next < keys.length && !signal.aborted) {
        const key = keys[next++] as string;
        await this.put(key, body(key));
        onWritten(++written);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Every key under the prefix (relative) with its ETag, read by a full listing. */
  async list(signal: AbortSignal): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const pages = listPages(
      this.conn.client,
      { connection: this.conn.name, bucket: this.bucket, prefix: this.prefix, delimiter: null, pageSize: 1000, startAfter: null },
      { signal },
    );
    for await (const page of pages) {
      if (page.record.error !== null) throw new AppError(page.record.error.code as ErrorCode, page.record.error.message);
      for (const e of page.entries) out.set(e.key.slice(this.prefix.length), normalizeEtag(e.etag));
    }
    return out;
  }

  /** Deletes the current keys under the prefix (on a versioned bucket this adds delete markers). */
  private async deleteCurrent(signal: AbortSignal): Promise<void> {
    const keys = [...(await this.list(signal)).keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      await this.deleteBatch(keys.slice(i, i + 1000).map((k) => ({ Key: this.fullKey(k) })));
    }
  }

  /**
   * DeleteObjects; per-object failures come back in the answer, not as an exception. A server that
   * refuses DeleteObjects itself (not implemented, or insisting on a checksum it does not get) gets
   * one DeleteObject per key instead, for the rest of the experiment.
   */
  private async deleteBatch(objects: { Key: string; VersionId?: string }[]): Promise<{ code: string; message: string }[]> {
    if (!this.deleteOneByOne) {
      try {
        const res = await this.conn.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }));
        return (res.Errors ?? []).map((e) => ({ code: e.Code ?? "unknown", message: e.Message ?? "" }));
      } catch (err) {
        if (!refusesDeleteObjects(err)) throw toAppError(err, { connection: this.conn.name, bucket: this.bucket });
        this.deleteOneByOne = true;
      }
    }
    return this.deleteEach(objects);
  }

  /** DeleteObject per key, a few in flight; a denied key is reported like DeleteObjects reports it. */
  private async deleteEach(objects: { Key: string; VersionId?: string }[], concurrency = 16): Promise<{ code: string; message: string }[]> {
    const failures: { code: string; message: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < objects.length) {
        const o = objects[next++] as { Key: string; VersionId?: string };
        if (!o.Key.startsWith(this.prefix)) throw new AppError("internal_error", `Refusing to touch "${o.Key}" outside "${this.prefix}".`);
        try {
          await this.conn.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key, VersionId: o.VersionId }));
        } catch (err) {
          const appErr = toAppError(err, { connection: this.conn.name, bucket: this.bucket });
          if (appErr.code !== "access_denied") throw appErr;
          failures.push({ code: "AccessDenied", message: appErr.message });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return failures;
  }

  /** The bucket's versioning; "off" for a bucket that has never had it. */
  async versioning(signal?: AbortSignal): Promise<BucketVersioning | "off"> {
    try {
      return await readVersioning(this.conn.client, { connection: this.conn.name, bucket: this.bucket }, signal);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_versioned") return "off";
      throw err;
    }
  }

  /** Every version and delete marker under the prefix, full keys. */
  async versions(signal: AbortSignal): Promise<{ Key: string; VersionId: string }[]> {
    const out: { Key: string; VersionId: string }[] = [];
    const pages = listVersionPages(this.conn.client, { connection: this.conn.name, bucket: this.bucket, prefix: this.prefix, delimiter: null, pageSize: 1000 }, { signal });
    for await (const page of pages) {
      if (page.record.error !== null) throw new AppError(page.record.error.code as ErrorCode, page.record.error.message);
      for (const r of page.rows) if (r.key.startsWith(this.prefix)) out.push({ Key: r.key, VersionId: r.versionId });
    }
    return out;
  }

  /**
   * Deletes everything under the prefix. On a bucket with versioning (ever) on, that is every version
   * and delete marker, by version id, so an experiment leaves no history behind; when permanent
   * deletion is denied the current keys are deleted instead and the note says what remains.
   */
  async empty(signal: AbortSignal, versioning: BucketVersioning | "off"): Promise<Cleanup> {
    if (versioning === "off") {
      await this.deleteCurrent(signal);
      return { cleaned: (await this.list(signal)).size === 0, note: null };
    }
    let all: { Key: string; VersionId: string }[];
    try {
      all = await this.versions(signal);
    } catch (err) {
      if (!(err instanceof AppError && err.code === "access_denied")) throw err;
      await this.deleteCurrent(signal);
      return { cleaned: false, note: `Listing the prefix's versions was denied (${err.message}), so only its current keys were deleted: the versions and delete markers the experiment created may remain in the bucket's history.` };
    }
    const denied: { code: string; message: string }[] = [];
    for (let i = 0; i < all.length; i += 1000) {
      try {
        denied.push(...(await this.deleteBatch(all.slice(i, i + 1000))));
      } catch (err) {
        if (!(err instanceof AppError && err.code === "access_denied")) throw err;
        denied.push({ code: "AccessDenied", message: err.message });
        break;
      }
    }
    const left = await this.versions(signal);
    if (left.length === 0) return { cleaned: true, note: null };
    const why = denied[0] !== undefined ? `permanent deletion was denied (${denied[0].code}${denied[0].message !== "" ? `: ${denied[0].message}` : ""})` : "they were still listed after deletion";
    await this.deleteCurrent(signal);
    const visible = (await this.list(signal)).size;
    return {
      cleaned: false,
      note: `${left.length} of the ${all.length} versions and delete markers the experiment left under ${this.prefix} could not be removed: ${why}. ${visible === 0 ? "Its current keys were deleted (delete markers), so the prefix lists empty, but that history remains." : `${visible} keys are still listed.`}`,
    };
  }

  /** The server's clock against ours, from the Date header of a one-row ListObjectVersions; null without one. */
  async clock(signal: AbortSignal, retry?: Partial<RetryPolicy>): Promise<ClockOffset | null> {
    const pages = listVersionPages(this.conn.client, { connection: this.conn.name, bucket: this.bucket, prefix: this.prefix, delimiter: null, pageSize: 1 }, { signal, retry });
    for await (const page of pages) {
      if (page.record.error !== null) throw new AppError(page.record.error.code as ErrorCode, page.record.error.message);
      return page.clock !== null ? clockOffset(page.clock) : null;
    }
    return null;
  }
}

export interface Cleanup {
  cleaned: boolean;
  note: string | null;
}

const snapshotSchema = z.object({
  takenAt: z.string(),
  objects: z.array(z.object({ key: z.string(), etag: z.string().nullable() })),
});

export interface Truth {
  takenAt: number;
  method: TruthMethod;
  contents: Map<string, string | null>;
  clock?: ClockOffset | null;
  ties?: Tie[];
  tieCount?: number;
}

async function adminFetch(admin: SandboxAdmin, path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(new URL(path, admin.endpoint), {
    ...init,
    headers: { Authorization: `Bearer ${admin.secretAccessKey}`, "Content-Type": "application/json" },
  });
  if (!res.ok) throw new AppError("upstream_error", `The sandbox's admin API answered ${res.status} to ${path.split("?")[0] ?? path}.`);
  return (await res.json()) as unknown;
}

/**
 * The prefix's true contents now. On the sandbox: its snapshot endpoint, which reads the prefix in
 * one transaction (exact). Elsewhere: a full listing while no mutation runs, which equals the bucket
 * because S3 lists with strong read-after-write consistency (s3-listing-facts.md, "Consistency").
 */
export async function readTruth(scope: Scope, admin: SandboxAdmin | null, signal: AbortSignal): Promise<Truth> {
  if (admin !== null) {
    const params = new URLSearchParams({ bucket: scope.bucket, prefix: scope.prefix });
    const snap = snapshotSchema.parse(await adminFetch(admin, `/_bucketscope/snapshot?${params.toString()}`, { signal }));
    const contents = new Map(snap.objects.map((o) => [o.key.slice(scope.prefix.length), normalizeEtag(o.etag)] as const));
    return { takenAt: Date.parse(snap.takenAt), method: "sandbox-snapshot", contents };
  }
  const takenAt = Date.now();
  return { takenAt, method: "quiescent-listing", contents: await scope.list(signal) };
}

const latencyStateSchema = z.object({ latencyMs: z.number(), latencyJitterMs: z.number(), bucket: z.string().nullable() });

type LatencyState = z.infer<typeof latencyStateSchema>;

// Experiments may overlap: the sandbox's settings from before the first one are kept until the
// last one ends, and while several run the slowest latency applies (to every bucket when their
// buckets differ, since the sandbox scopes latency to at most one bucket).
interface LatencyHold {
  before: LatencyState;
  holders: Map<number, { bucket: string; latencyMs: number }>;
}
const holds = new Map<string, LatencyHold>();
let queue: Promise<unknown> = Promise.resolve();
let nextHolder = 0;

function serially<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

async function applyHold(admin: SandboxAdmin, hold: LatencyHold): Promise<void> {
  const active = [...hold.holders.values()];
  if (active.length === 0) {
    holds.delete(admin.endpoint);
    await adminFetch(admin, "/_bucketscope/faults", { method: "PUT", body: JSON.stringify(hold.before) });
    return;
  }
  const buckets = new Set(active.map((h) => h.bucket));
  const settings = { latencyMs: Math.max(...active.map((h) => h.latencyMs)), latencyJitterMs: 0, bucket: buckets.size === 1 ? [...buckets][0] : null };
  await adminFetch(admin, "/_bucketscope/faults", { method: "PUT", body: JSON.stringify(settings) });
}

/** Adds list latency on the sandbox for one bucket; the returned function takes it away again. */
export function injectLatency(admin: SandboxAdmin, bucket: string, latencyMs: number): Promise<() => Promise<void>> {
  return serially(async () => {
    let hold = holds.get(admin.endpoint);
    if (hold === undefined) {
      hold = { before: latencyStateSchema.parse(await adminFetch(admin, "/_bucketscope/faults")), holders: new Map() };
      holds.set(admin.endpoint, hold);
    }
    const held = hold;
    const id = nextHolder++;
    held.holders.set(id, { bucket, latencyMs });
    await applyHold(admin, held);
    return () =>
      serially(async () => {
        if (held.holders.delete(id)) await applyHold(admin, held);
      });
  });
}

/**
 * The prefix as of `asOf` (server clock, ms) from ListObjectVersions: exact for every key whose
 * changes all lie in other seconds than T's; the others are reported as ties (relative keys).
 */
export async function readVersionsTruth(scope: Scope, asOf: number, clock: ClockOffset | null, signal: AbortSignal, retry?: Partial<RetryPolicy>): Promise<Truth> {
  const fold = new AsOfFold(new Date(asOf));
  const contents = new Map<string, string | null>();
  const ties: Tie[] = [];
  let tieCount = 0;
  const pages = listVersionPages(scope.conn.client, { connection: scope.conn.name, bucket: scope.bucket, prefix: scope.prefix, delimiter: null, pageSize: 1000 }, { signal, retry });
  for await (const page of pages) {
    if (page.record.error !== null) throw new AppError(page.record.error.code as ErrorCode, `Reading the prefix's versions failed: ${page.record.error.message}`);
    const at = asOfPage(fold, page, !page.record.isTruncated);
    for (const e of at.entries) contents.set(e.key.slice(scope.prefix.length), normalizeEtag(e.etag));
    const v = at.record.versions;
    tieCount += v?.tieCount ?? 0;
    for (const t of v?.ties ?? []) ties.push({ ...t, key: t.key.slice(scope.prefix.length) });
  }
  return { takenAt: asOf, method: "versions", contents, clock, ties: ties.slice(0, MAX_RECORDED_TIES), tieCount };
}
