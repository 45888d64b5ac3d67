import "server-only";
import type Database from "better-sqlite3";
import type { PrefixGroup, PrefixSummary, PrefixSummaryQuery } from "@/lib/wire";
import { EntryQueries, passRef, type PassRef } from "./entry-queries";
import { coveredIntervals, type PageSpan } from "./pass-rows";
import { END_OF_KEYS } from "./spans";
import type { PassStore } from "./store";

// Count and bytes per prefix at any depth come from one pass over the entries: SQLite groups the keys
// by their folder (everything up to the last delimiter), and folders roll up to any depth in memory.
// `rtrim(k, replace(k, d, ''))` strips every trailing character that is not the delimiter: the
// folder. The scan goes a few thousand rows at a time so the event loop keeps serving other requests.

const ROWS_PER_CHUNK = 25_000;

export interface FolderTotals {
  folder: string;
  keys: number;
  bytes: number;
}

interface FolderCacheEntry {
  pageRecords: number;
  folders: Promise<FolderTotals[]>;
}

const folderCaches = new WeakMap<Database.Database, Map<string, FolderCacheEntry>>();
const MAX_CACHED_FOLDER_LISTS = 8;

type FolderRow = { folder: string; keys: number; bytes: number };

function foldersStatements(db: Database.Database) {
  return {
    entries: db.prepare<[string, number, number, number], FolderRow>(
      `SELECT rtrim(k, replace(k, ?, '')) AS folder, count(*) AS keys, total(size) AS bytes
       FROM (SELECT CAST(key AS TEXT) AS k, size FROM entries WHERE rowid BETWEEN ? AND ? AND pass = ?)
       GROUP BY folder`,
    ),
    spans: db.prepare<{ delimiter: string; target: number; seq: number; lo: string; hi: Buffer }, FolderRow>(
      `SELECT rtrim(k, replace(k, @delimiter, '')) AS folder, count(*) AS keys, total(size) AS bytes
       FROM (SELECT CAST(key AS TEXT) AS k, size FROM spans
             WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq))
       GROUP BY folder`,
    ),
  };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function scanFolders(store: PassStore, pass: PassRef, delimiter: string): Promise<FolderTotals[]> {
  const spans = EntryQueries.for(store).spans(pass);
  const stmt = foldersStatements(store.db);
  const merged = new Map<string, FolderTotals>();
  let i = 0;
  while (i < spans.length) {
    let rows = 0;
    let firstRow = Number.POSITIVE_INFINITY;
    let lastRow = Number.NEGATIVE_INFINITY;
    const chunk: PageSpan[] = [];
    while (i < spans.length && rows < ROWS_PER_CHUNK) {
      const s = spans[i++];
      if (s === undefined || s.rowCount === 0) continue;
      chunk.push(s);
      rows += s.rowCount;
      firstRow = Math.min(firstRow, s.firstRow);
      lastRow = Math.max(lastRow, s.firstRow + s.rowCount - 1);
    }
    if (rows === 0) continue;
    const found: FolderRow[] = [];
    if (pass.layout === "spans" && pass.target !== null) {
      for (const iv of coveredIntervals(chunk)) {
        found.push(...stmt.spans.all({ delimiter, target: pass.target, seq: pass.seq, lo: iv.lo ?? "", hi: iv.hi === null ? END_OF_KEYS : Buffer.from(iv.hi, "utf8") }));
      }
    } else found.push(...stmt.entries.all(delimiter, firstRow, lastRow, pass.seq));
    for (const f of found) {
      const m = merged.get(f.folder);
      if (m === undefined) merged.set(f.folder, { ...f });
      else {
        m.keys += f.keys;
        m.bytes += f.bytes;
      }
    }
    await yieldToEventLoop();
  }
  return [...merged.values()];
}

function folders(store: PassStore, pass: PassRef, delimiter: string): Promise<FolderTotals[]> {
  let cache = folderCaches.get(store.db);
  if (cache === undefined) {
    cache = new Map();
    folderCaches.set(store.db, cache);
  }
  const name = `${pass.seq}\u0000${delimiter}`;
  const hit = cache.get(name);
  if (hit !== undefined && hit.pageRecords === pass.pageRecords) return hit.folders;
  const entry: FolderCacheEntry = { pageRecords: pass.pageRecords, folders: scanFolders(store, pass, delimiter) };
  entry.folders.catch(() => cache.delete(name));
  cache.delete(name);
  cache.set(name, entry);
  while (cache.size > MAX_CACHED_FOLDER_LISTS) cache.delete(cache.keys().next().value as string);
  return entry.folders;
}

/** Rolls folder totals up to `depth` delimited segments after the pass's prefix. Pure; unit-tested. */
export function rollUp(
  folderTotals: readonly FolderTotals[],
  passPrefix: string,
  query: PrefixSummaryQuery,
): PrefixSummary {
  const { delimiter, depth } = query;
  const groups = new Map<string, PrefixGroup>();
  let maxDepth = 1;
  let totalKeys = 0;
  let totalBytes = 0;
  for (const f of folderTotals) {
    totalKeys += f.keys;
    totalBytes += f.bytes;
    const inside = f.folder.length >= passPrefix.length && f.folder.startsWith(passPrefix);
    const rest = inside ? f.folder.slice(passPrefix.length) : "";
    let end = -1;
    let level = 0;
    for (let at = rest.indexOf(delimiter); at !== -1; at = rest.indexOf(delimiter, at + delimiter.length)) {
      level++;
      if (level === depth) end = at + delimiter.length;
    }
    maxDepth = Math.max(maxDepth, level);
    const direct = end === -1;
    const prefix = direct ? f.folder : passPrefix + rest.slice(0, end);
    const name = `${direct ? "d" : "p"}${prefix}`;
    const g = groups.get(name);
    if (g === undefined) groups.set(name, { prefix, direct, keys: f.keys, bytes: f.bytes });
    else {
      g.keys += f.keys;
      g.bytes += f.bytes;
    }
  }
  const sorted = [...groups.values()].sort(
    (a, b) => b.bytes - a.bytes || b.keys - a.keys || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : Number(a.direct) - Number(b.direct)),
  );
  const shown = sorted.slice(0, query.limit);
  const others = { groups: 0, keys: 0, bytes: 0 };
  for (const g of sorted.slice(query.limit)) {
    others.groups++;
    others.keys += g.keys;
    others.bytes += g.bytes;
  }
  return { passPrefix, delimiter, depth, maxDepth, totalKeys, totalBytes, groupCount: sorted.length, groups: shown, others };
}

/** `GET /api/passes/{id}/prefixes`: count and bytes per prefix at the chosen depth, over the whole pass. */
export async function prefixSummary(store: PassStore, id: string, query: PrefixSummaryQuery): Promise<PrefixSummary> {
  const pass = passRef(store, id);
  return rollUp(await folders(store, pass, query.delimiter), pass.prefix, query);
}
