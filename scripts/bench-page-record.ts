import type { Entry, PageRecord } from "../lib/wire/index";

/** The record of an answered ListObjectsV2 page, for benchmarks that write passes straight into a store. */
export function syntheticPageRecord(index: number, entries: Entry[], last: boolean, pageSize: number): PageRecord {
  const now = new Date().toISOString();
  return {
    index,
    request: { prefix: "", delimiter: null, maxKeys: pageSize, continuationToken: index === 0 ? null : `token-${index}`, startAfter: null },
    resumedBy: null,
    requestedAt: now,
    receivedAt: now,
    durationMs: 80,
    attempts: 1,
    answered: true,
    httpStatus: 200,
    requestId: null,
    keyCount: entries.length,
    entryCount: entries.length,
    commonPrefixCount: 0,
    firstKey: entries[0]?.key ?? null,
    lastKey: entries.at(-1)?.key ?? null,
    isTruncated: !last,
    nextContinuationToken: last ? null : `token-${index + 1}`,
    bytes: entries.reduce((n, e) => n + e.size, 0),
    anomalies: [],
    anomalyCount: 0,
    error: null,
  };
}
