import "server-only";
import { DeleteObjectCommand, DeleteObjectsCommand, HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { Connection } from "@/lib/connections";
import { toAppError } from "@/lib/connections";
import { AppError, type ErrorCode } from "@/lib/http";
import { listPages } from "@/lib/lister";
import type { TruthMethod } from "@/lib/wire";
import { normalizeEtag } from "./classify";

// Everything the race lab does to a bucket. Every write and delete goes through `Scope`, which
// refuses any key outside the experiment's own prefix.

export interface SandboxAdmin {
  endpoint: string;
  secretAccessKey: string;
}

export class Scope {
  constructor(
    readonly conn: Connection,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    if (!conn.writable) {
      throw new AppError("read_only_connection", `Connection "${conn.name}" is read-only; experiments write and delete objects, so they run only on connections configured writable.`);
    }
    if (!/^bucketscope-race\/[a-z0-9]+\/$/.test(prefix)) throw new AppError("internal", `Refusing to work outside an experiment prefix: "${prefix}".`);
  }

  private fullKey(key: string): string {
    const full = this.prefix + key;
    if (!full.startsWith(this.prefix) || key === "") throw new AppError("internal", `Refusing to touch "${full}" outside "${this.prefix}".`);
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
  async seed(keys: readonly string[], body: (key: string) => string, signal: AbortSignal, concurrency = 16): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < keys.length && !signal.aborted) {
        const key = keys[next++] as string;
        await this.put(key, body(key));
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

  /** Deletes everything under the prefix; true when a listing afterwards finds nothing. */
  async empty(signal: AbortSignal): Promise<boolean> {
    const keys = [...(await this.list(signal)).keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((k) => ({ Key: this.fullKey(k) }));
      try {
        await this.conn.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
      } catch (err) {
        throw toAppError(err, { connection: this.conn.name, bucket: this.bucket });
      }
    }
    return (await this.list(signal)).size === 0;
  }
}

const snapshotSchema = z.object({
  takenAt: z.string(),
  objects: z.array(z.object({ key: z.string(), etag: z.string().nullable() })),
});

export interface Truth {
  takenAt: number;
  method: TruthMethod;
  contents: Map<string, string | null>;
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
