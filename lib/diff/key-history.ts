import "server-only";
import { AppError } from "@/lib/http";
import { compareKeys } from "@/lib/lister";
import type { KeyLookup, PassStore } from "@/lib/passes";
import type {
  KeyFieldChange,
  KeyHistoryPoint,
  KeyHistoryQuery,
  KeyHistoryResponse,
  KeyPrefixHistoryPoint,
  KeyPrefixHistoryQuery,
  KeyPrefixHistoryResponse,
  PagedEntry,
} from "@/lib/wire";
import { planDiff, prefixUpperBound, type KeyRange, type PassRow } from "./plan";
import { strategyFor } from "./merge";
import { emptyCounts } from "./rows";
import { diffRows } from "./stream";

// One key through the passes of a bucket/prefix, oldest first: in each pass whether it was listed
// (and how), absent, outside what the pass covered, or folded into a common prefix; and versus the
// pass before it of the same series (kind, delimiter, start-after, as the history timeline pairs
// them) that covered the key, whether it appeared, changed (which fields, from and to) or
// disappeared. One key lookup per pass: a clustered read of the key's versions for passes that share
// storage, an index seek for passes kept in full.

const FIELDS = ["size", "etag", "lastModified", "storageClass", "versionId"] as const;

function fieldChanges(a: PagedEntry, b: PagedEntry): KeyFieldChange[] {
  const out: KeyFieldChange[] = [];
  for (const field of FIELDS) {
    const from = a[field] ?? null;
    const to = b[field] ?? null;
    if (from !== to) out.push({ field, from, to });
  }
  return out;
}

export function keyHistory(store: PassStore, q: KeyHistoryQuery): KeyHistoryResponse {
  const newestFirst = store.list({ connection: q.connection, bucket: q.bucket, prefix: q.prefix, limit: q.limit + 1 });
  const truncated = newestFirst.length > q.limit;
  const passes = newestFirst.slice(0, q.limit).reverse();
  /** Per series: the last pass that covered the key and what it said. */
  const last = new Map<string, { id: string; found: KeyLookup }>();
  const points: KeyHistoryPoint[] = [];
  for (const pass of passes) {
    const row = store.row(pass.id);
    if (row === undefined) continue;
    const found = store.lookup(row, q.key);
    const entry = found.state === "listed" ? found.entry : null;
    if (found.state === "not_covered" || found.state === "rolled_up") {
      points.push({ pass, state: found.state, entry, previousId: null, change: null, fields: [] });
      continue;
    }
    const series = JSON.stringify([pass.kind, pass.delimiter, pass.startAfter]);
    const before = last.get(series);
    last.set(series, { id: pass.id, found });
    let change: KeyHistoryPoint["change"];
    let fields: KeyFieldChange[] = [];
    if (before === undefined) change = "first";
    else if (before.found.state === "listed" && found.state === "listed") {
      fields = fieldChanges(before.found.entry, found.entry);
      change = fields.length > 0 ? "changed" : "unchanged";
    } else if (before.found.state === "listed") change = "disappeared";
    else change = found.state === "listed" ? "appeared" : "still_absent";
    points.push({ pass, state: found.state, entry, previousId: before?.id ?? null, change, fields });
  }
  return { connection: q.connection, bucket: q.bucket, prefix: q.prefix, key: q.key, points, truncated };
}

// The keys under a prefix through the passes of a bucket/prefix, oldest first: per pass, the keys
// that appeared, disappeared or changed versus the latest complete pass before it of its series.
// Each pair is the diff's own comparison narrowed to the keys under keyPrefix, so passes that share
// storage read only the rows that begin or end between them.

/** Whether a pass lists any key under keyPrefix. */
function coversPrefix(store: PassStore, row: PassRow, keyPrefix: string): boolean {
  if (row.start_after !== null && compareKeys(row.start_after, keyPrefix) >= 0 && !row.start_after.startsWith(keyPrefix)) return false;
  // Every key under keyPrefix has the delimiter after the pass's prefix: all folded into common prefixes.
  if (row.delimiter !== null && row.delimiter !== "" && keyPrefix.slice(row.prefix.length).includes(row.delimiter)) return false;
  if (row.status !== "complete") {
    const reach = store.reach(row);
    if (reach === "" || (compareKeys(reach, keyPrefix) < 0 && !reach.startsWith(keyPrefix))) return false;
  }
  return true;
}

function narrow(range: KeyRange, keyPrefix: string): KeyRange {
  if (keyPrefix === "") return range;
  const from = Buffer.from(keyPrefix, "utf8");
  const below = prefixUpperBound(keyPrefix);
  return {
    ...range,
    from: range.from === null || Buffer.compare(from, range.from) > 0 ? from : range.from,
    below: range.below === null || (below !== null && Buffer.compare(below, range.below) < 0) ? below : range.below,
  };
}

export async function keyPrefixHistory(store: PassStore, q: KeyPrefixHistoryQuery, signal?: AbortSignal): Promise<KeyPrefixHistoryResponse> {
  // A key prefix the passes' prefix begins with ("" included) asks for every key they list.
  const keyPrefix = q.prefix.startsWith(q.keyPrefix) ? q.prefix : q.keyPrefix;
  if (!keyPrefix.startsWith(q.prefix)) {
    throw new AppError("bad_request", `keyPrefix ${JSON.stringify(q.keyPrefix)} must begin with the prefix ${JSON.stringify(q.prefix)}: the passes of that prefix list no other key.`);
  }
  const newestFirst = store.list({ connection: q.connection, bucket: q.bucket, prefix: q.prefix, limit: q.limit + 1 });
  const truncated = newestFirst.length > q.limit;
  const passes = newestFirst.slice(0, q.limit).reverse();
  /** Per series: the latest complete pass. */
  const last = new Map<string, string>();
  const points: KeyPrefixHistoryPoint[] = [];
  for (const pass of passes) {
    if (signal?.aborted === true) break;
    const row = store.row(pass.id);
    if (row === undefined) continue;
    const series = JSON.stringify([pass.kind, pass.delimiter, pass.startAfter]);
    const previousId = last.get(series) ?? null;
    if (pass.status === "complete") last.set(series, pass.id);
    const point: KeyPrefixHistoryPoint = { pass, previousId, state: "first", counts: { appeared: 0, disappeared: 0, changed: 0 }, keys: [], keysTruncated: false };
    points.push(point);
    if (!coversPrefix(store, row, keyPrefix)) {
      point.state = "not_covered";
      continue;
    }
    if (previousId === null) continue;
    point.state = "compared";
    const resolved = planDiff(store, previousId, pass.id, { allowIncomplete: true });
    // The "changes" strategy walks its target from the first key (its ranks count from there), so it
    // gets the whole range; its cost is the changes between the two passes either way.
    const range = strategyFor(resolved) === "changes" ? resolved.range : narrow(resolved.range, keyPrefix);
    const rows = diffRows(store.file, { ...resolved, range }, "changes", signal);
    const counts = point.counts;
    try {
      for (let next = await rows.next(); next.done !== true; next = await rows.next()) {
        const row = next.value;
        if (!row.key.startsWith(keyPrefix)) {
          if (compareKeys(row.key, keyPrefix) > 0) break;
          continue;
        }
        if (row.kind === "added") counts.appeared++;
        else if (row.kind === "removed") counts.disappeared++;
        else if (row.kind === "changed") counts.changed++;
        if (point.keys.length < q.keyLimit) point.keys.push(row);
      }
    } finally {
      await rows.return(emptyCounts());
    }
    point.keysTruncated = counts.appeared + counts.disappeared + counts.changed > point.keys.length;
  }
  return { connection: q.connection, bucket: q.bucket, prefix: q.prefix, keyPrefix: q.keyPrefix, points, truncated };
}
