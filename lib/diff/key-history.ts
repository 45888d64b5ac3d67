import "server-only";
import type { KeyLookup, PassStore } from "@/lib/passes";
import type { KeyFieldChange, KeyHistoryPoint, KeyHistoryQuery, KeyHistoryResponse, PagedEntry } from "@/lib/wire";

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
