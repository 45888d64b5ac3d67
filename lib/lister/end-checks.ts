import "server-only";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { PageFlag, PassError, VersionRow } from "@/lib/wire";
import { compareKeys, formDecode } from "./list-pages";
import { sendWithRetry, type RetryPolicy } from "./send";

// Checks that keep a listing from ending early without saying so. Some S3-compatible servers lose
// their place: OpenStack Swift's s3api was seen answering a truncated ListObjectVersions page without
// NextVersionIdMarker (the versions had real ids), then the next request with an empty, untruncated
// page, so a walk that trusted it ended "complete" with 4 of 29 keys.

export interface ListTarget {
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  /** The inclusive end of the key range walked (a parallel pass's range): keys past it are not the walk's. */
  through?: string | null;
}

/** The later of the last key and the last common prefix listed: where a walk stands. */
export function lastListed(cursor: { key: string | null; prefix: string | null }): string | null {
  if (cursor.key === null) return cursor.prefix;
  if (cursor.prefix === null) return cursor.key;
  return compareKeys(cursor.key, cursor.prefix) >= 0 ? cursor.key : cursor.prefix;
}

function quoted(key: string | null): string {
  return key === null ? "the start of the listing" : JSON.stringify(key);
}

export type EndCheck = { error: PassError } | { flag: PageFlag };

/**
 * An empty last page right after a truncated one is how a server that lost its place ends a listing;
 * a server that looks ahead (S3) says IsTruncated false on the page before instead, and one that
 * does not may legitimately send it. One ListObjectsV2 of a single key strictly after the last key
 * listed tells the two apart: anything there means the listing ended early. Null when aborted.
 */
export async function checkEmptyEnd(
  client: S3Client,
  target: ListTarget,
  after: string | null,
  api: "ListObjectsV2" | "ListObjectVersions",
  answered: { httpStatus: number | null; requestId: string | null },
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<EndCheck | null> {
  const probe = await sendWithRetry(
    (abortSignal) =>
      client.send(
        new ListObjectsV2Command({
          Bucket: target.bucket,
          Prefix: target.prefix === "" ? undefined : target.prefix,
          Delimiter: target.delimiter ?? undefined,
          MaxKeys: 1,
          StartAfter: after ?? undefined,
          EncodingType: "url",
        }),
        { abortSignal },
      ),
    { connection: target.connection, bucket: target.bucket },
    retry,
    signal,
  );
  if (!probe.ok) {
    if (probe.aborted) return null;
    return { error: { ...probe.error, message: `${api} answered an empty last page right after a truncated one, and checking whether anything follows ${quoted(after)} failed: ${probe.error.message}` } };
  }
  const decode = probe.res.EncodingType === "url" ? formDecode : (s: string) => s;
  let found: string | null;
  try {
    const candidates = [...(probe.res.Contents ?? []).map((o) => o.Key ?? ""), ...(probe.res.CommonPrefixes ?? []).map((p) => p.Prefix ?? "")].map(decode);
    found = candidates.sort(compareKeys)[0] ?? null;
  } catch {
    found = null;
  }
  // A key past the range's end belongs to the next range's cursor: this range did reach its end.
  const through = target.through ?? null;
  if (found !== null && through !== null && compareKeys(found, through) > 0) found = null;
  const facts = { httpStatus: answered.httpStatus, s3Code: null, requestId: answered.requestId };
  if (found !== null && after !== null && compareKeys(found, after) <= 0) {
    return {
      error: {
        code: "upstream_error",
        message: `${api} answered an empty last page right after a truncated one, and whether anything follows ${quoted(after)} could not be checked: asked for keys after it, the server answered ${JSON.stringify(found)}.`,
        ...facts,
        retryable: false,
      },
    };
  }
  if (found !== null) {
    const what = api === "ListObjectVersions" ? "the versions listing" : "the listing";
    return {
      error: {
        code: "short_listing",
        message: `${api} answered an empty last page right after a truncated one, yet ListObjectsV2 still lists ${JSON.stringify(found)} after the last key listed (${quoted(after)}): the server ended ${what} early. It stops here as failed rather than end complete and short.`,
        ...facts,
        retryable: false,
      },
    };
  }
  return {
    flag: {
      kind: "end_verified",
      message: `${api} answered an empty last page right after a truncated one; ListObjectsV2 found nothing after the last key listed (${quoted(after)}), so the listing did reach its end.`,
    },
  };
}

function entryText(key: string, versionId: string | null): string {
  return versionId === null ? JSON.stringify(key) : `${JSON.stringify(key)} version ${versionId}`;
}

/**
 * The markers to continue a truncated ListObjectVersions page with. S3's NextKeyMarker and
 * NextVersionIdMarker name the page's last entry (its last common prefix, when that sorts later),
 * and the next page starts strictly after it. Markers that name anything else would skip entries
 * (a key marker alone skips the rest of that key's versions) or repeat them: the walk continues after
 * the page's own last entry instead, and says so. Null for a page with no entries to continue after.
 */
export function versionMarkersAfter(
  rows: readonly VersionRow[],
  commonPrefixes: readonly string[],
  nextKeyMarker: string | null,
  nextVersionIdMarker: string | null,
): { keyMarker: string; versionIdMarker: string | null; flag: PageFlag | null } | null {
  const row = rows[rows.length - 1];
  const prefix = commonPrefixes[commonPrefixes.length - 1];
  let key: string;
  let versionId: string | null;
  if (prefix !== undefined && (row === undefined || compareKeys(prefix, row.key) > 0)) {
    key = prefix;
    versionId = null;
  } else if (row !== undefined) {
    key = row.key;
    versionId = row.versionId;
  } else return null;
  const keyMatches = nextKeyMarker === key;
  if (keyMatches && (versionId === null || nextVersionIdMarker === versionId)) return { keyMarker: key, versionIdMarker: nextVersionIdMarker, flag: null };
  const last = entryText(key, versionId);
  const message = !keyMatches
    ? `NextKeyMarker ${nextKeyMarker === null ? "was missing" : `${JSON.stringify(nextKeyMarker)} does not name the page's last entry`} (${last}): the walk continued after that entry instead, so no key is skipped or repeated.`
    : nextVersionIdMarker === null
      ? `NextVersionIdMarker was missing although the last version listed (${last}) has an id: the walk continued after that version instead of after the whole key, which would skip the key's remaining versions.`
      : `NextVersionIdMarker ${JSON.stringify(nextVersionIdMarker)} does not name the last version listed (${last}): the walk continued after that version instead.`;
  return { keyMarker: key, versionIdMarker: versionId, flag: { kind: "marker_repaired", message } };
}
