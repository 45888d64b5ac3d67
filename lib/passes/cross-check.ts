import "server-only";
import type { S3Client } from "@aws-sdk/client-s3";
import { compareKeys, listPages, type RetryPolicy } from "@/lib/lister";
import type { PassError, SnapshotInfo } from "@/lib/wire";
import { LAST_MODIFIED_RESOLUTION_MS } from "./snapshot";
import type { PassStore } from "./store";

// A snapshot pass's last word: ListObjectsV2 of the same prefix, read once the versions walk has
// ended, must not list a key the versions listing left out. Every current key has a current version,
// so a key that existed before the walk could reach it and is missing means the server's
// ListObjectVersions ended early (or skipped). Both listings are read in key order, one page at a
// time: the ListObjectsV2 pages as they arrive, the pass's own entries from SQLite in batches.

const PAGE_SIZE = 1000;
const EXAMPLES = 5;
/** Without a measured clock offset (no Date header), LastModified is trusted to this much. */
const UNKNOWN_CLOCK_UNCERTAINTY_MS = 1000;

export type CrossCheck = NonNullable<SnapshotInfo["crossCheck"]>;

export interface CrossCheckInput {
  client: S3Client;
  connection: string;
  bucket: string;
  prefix: string;
  startAfter: string | null;
  store: PassStore;
  seq: number;
  info: SnapshotInfo;
  /** When the pass was created and when its walk's last page was requested (our clock, ms). */
  walkStartedAt: number;
  lastPageRequestedAt: number;
  /** The greatest key the versions listing returned, absent keys included; null when it returned none. */
  listedThrough: string | null;
  retry?: Partial<RetryPolicy>;
  signal: AbortSignal;
}

export type CrossCheckOutcome = { crossCheck: CrossCheck; error: PassError | null } | { warning: string } | { error: PassError };

/** The pass's recorded keys in key order, read in batches; asked in increasing key order. */
class RecordedKeys {
  private batch: string[] = [];
  private i = 0;
  private after = "";
  private done = false;

  constructor(
    private readonly store: PassStore,
    private readonly seq: number,
  ) {}

  has(key: string): boolean {
    for (;;) {
      while (this.i < this.batch.length && compareKeys(this.batch[this.i] as string, key) < 0) this.i++;
      const at = this.batch[this.i];
      if (at !== undefined) return at === key;
      if (this.done) return false;
      const res = this.store.entries(this.seq, { after: this.after, limit: PAGE_SIZE });
      this.batch = res.entries.map((e) => e.key);
      this.i = 0;
      this.after = this.batch[this.batch.length - 1] ?? this.after;
      this.done = res.nextAfter === null;
    }
  }
}

/**
 * Null when aborted. A key counts as missing only when it certainly existed while the walk could
 * see it: its current version's LastModified second ended before T and before the walk began (so it
 * is present at T), or it sorts after everything the walk returned and its second ended before the
 * walk's last request (clock offset and its uncertainty allowed for). Keys written during the walk
 * may rightly be absent and are not counted.
 */
export async function crossCheckSnapshot(input: CrossCheckInput): Promise<CrossCheckOutcome | null> {
  const { info } = input;
  const offset = info.clock?.offsetMs ?? 0;
  const uncertainty = info.clock?.uncertaintyMs ?? UNKNOWN_CLOCK_UNCERTAINTY_MS;
  const presentBy = Math.min(Date.parse(info.asOf), input.walkStartedAt + offset - uncertainty);
  const existedBy = input.lastPageRequestedAt + offset - uncertainty;
  const recorded = new RecordedKeys(input.store, input.seq);
  let listed = 0;
  let missing = 0;
  const examples: string[] = [];
  const pages = listPages(
    input.client,
    { connection: input.connection, bucket: input.bucket, prefix: input.prefix, delimiter: null, pageSize: PAGE_SIZE, startAfter: input.startAfter },
    { signal: input.signal, retry: input.retry },
  );
  for await (const page of pages) {
    const error = page.record.error;
    if (error !== null) {
      if (error.code === "access_denied") {
        return { warning: `The versions listing could not be cross-checked against ListObjectsV2 (${error.message}): a server that ended it early would go unnoticed.` };
      }
      return { error: { ...error, message: `The versions listing reached its end, but cross-checking it against ListObjectsV2 failed: ${error.message}` } };
    }
    for (const e of page.entries) {
      listed++;
      // A multipart upload's LastModified is when it started (its ETag ends "-<parts>"): it may
      // have completed after the walk passed its key.
      if (e.lastModified === null || e.etag?.includes("-") === true || recorded.has(e.key)) continue;
      const settledBy = Date.parse(e.lastModified) + LAST_MODIFIED_RESOLUTION_MS;
      const beyond = input.listedThrough === null || compareKeys(e.key, input.listedThrough) > 0;
      if (settledBy <= presentBy || (beyond && settledBy <= existedBy)) {
        missing++;
        if (examples.length < EXAMPLES) examples.push(e.key);
      }
    }
  }
  if (input.signal.aborted) return null;
  const crossCheck: CrossCheck = { checkedAt: new Date().toISOString(), listed, missing, examples };
  if (missing === 0) return { crossCheck, error: null };
  const some = examples.map((k) => JSON.stringify(k)).join(", ") + (missing > examples.length ? ", …" : "");
  const through = input.listedThrough !== null ? ` (its last key was ${JSON.stringify(input.listedThrough)})` : "";
  return {
    crossCheck,
    error: {
      code: "short_listing",
      message: `ListObjectsV2 of the same prefix, read after the versions walk, lists ${missing} ${missing === 1 ? "key" : "keys"} that existed before the walk ended yet ${missing === 1 ? "is" : "are"} not in the versions listing (${some}): the server ended ListObjectVersions early${through}. The snapshot is short, so the pass is failed, not complete.`,
      httpStatus: null,
      s3Code: null,
      requestId: null,
      retryable: false,
    },
  };
}
