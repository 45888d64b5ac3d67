import "server-only";
import { connections as defaultConnections, type ConnectionRegistry } from "@/lib/connections";
import { AppError } from "@/lib/http";
import { readVersioning } from "@/lib/lister";
import type { BucketHistory } from "@/lib/wire";

/** How long a page waits for GetBucketVersioning before it is shown without the answer. */
const WAIT_MS = 1500;

/**
 * The bucket's versioning status, read when a page opens so the controls that need history ("As
 * of", "Snapshot at this pass's start") are offered only when they can work. Throws for an unknown
 * connection and a missing bucket (the page answers 404); a slow or failing endpoint gives
 * "unchecked" and the controls stay, failing with their own explanation if they must.
 */
export async function bucketHistory(connection: string, bucket: string, opts: { connections?: ConnectionRegistry; waitMs?: number } = {}): Promise<BucketHistory> {
  const conn = await (opts.connections ?? defaultConnections()).get(connection);
  try {
    return await readVersioning(conn.client, { connection, bucket }, AbortSignal.timeout(opts.waitMs ?? WAIT_MS));
  } catch (err) {
    if (!(err instanceof AppError)) return "unchecked";
    if (err.code === "not_versioned") return "never";
    if (err.code === "no_such_bucket") throw err;
    return "unchecked";
  }
}
