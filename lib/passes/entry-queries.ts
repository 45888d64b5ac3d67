import "server-only";
import type Database from "better-sqlite3";
import { AppError } from "@/lib/http";
import type { EntriesQuery, EntriesResponse, EntriesWindow, EntriesWindowQuery, EntrySort, PagedEntry, PassStatus } from "@/lib/wire";
import { coveredIntervals, PassRows, type PageSpan, type PassLocation, type RowTuple } from "./pass-rows";
import { SearchIndex } from "./search-index";
import { END_OF_KEYS } from "./spans";
import { prefixRange, type PassStore } from "./store";

// Random access by row index into a whole pass, in any of its orderings, without OFFSET scans:
// - key order of a pass without anomalies is listing order (the pages by range, then index, each
//   page's keys as delivered), so a row index maps to (page, position) through the pages' row counts
//   and then to a row id (a rowid of `entries`, or a position in a spans pass, read from its page's
//   key interval: see pass-rows.ts);
// - key order with anomalies walks the key index (pass, key, rowid); "anchors" remember where every
//   ANCHOR_EVERY-th row is, so a window costs one seek and at most ANCHOR_EVERY index steps;
// - size and LastModified order, searches and prefix filters are ordered by SQLite, when first asked,
//   into an in-memory list of row ids, kept for the few passes last viewed (MAX_CACHED_ORDERED_ROWS).
//   Rankings used to be stored per pass (entry_order): about 17 bytes per key and sort for every pass
//   ever sorted, never dropped, and writing them was 40% of a first sort (measured at 200k keys).
//   Global indexes on those columns would do too, but every later pass would pay for them on every
//   insert (values arrive in random order: about 4x the recording time, measured).
// Everything cached is dropped when the pass records another page.

const ANCHOR_EVERY = 1000;
const MAX_CACHED_PASSES = 8;
/** Rowids kept across all cached in-memory orderings (8 bytes each). */
const MAX_CACHED_ORDERED_ROWS = 4_000_000;
/** A running pass's sorted view is ordered again at most this often. */
const RUNNING_REORDER_MS = 2000;

const SCHEMA = `
DROP TABLE IF EXISTS entry_order;
DROP TABLE IF EXISTS entry_order_built;
DROP INDEX IF EXISTS entries_by_size;
DROP INDEX IF EXISTS entries_by_last_modified;
`;

/** A position in key order: the key and its rowid (the tie-breaker). */
type Cursor = [key: string, rowid: number];

export type { PageSpan } from "./pass-rows";

type EntryTuple = RowTuple;

export interface PassRef extends PassLocation {
  seq: number;
  status: PassStatus;
  /** Page records written so far: the pass's data changes exactly when this does. */
  pageRecords: number;
  keys: number;
  anomalies: number;
  prefix: string;
}

interface OrderedRows {
  ids: Float64Array;
  /** Made while the pass ran: it may serve RUNNING_REORDER_MS after newer pages arrive. */
  whileRunning: boolean;
  madeAt: number;
}

class PassViewCache {
  spans: PageSpan[] | null = null;
  readonly anchors = new Map<string, Cursor[]>();
  readonly ordered = new Map<string, OrderedRows>();

  constructor(readonly pageRecords: number) {}
}

const ENTRY_COLUMNS = `rowid, CAST(key AS TEXT), size, etag, last_modified, storage_class, page, version_id`;

function statementsFor(db: Database.Database) {
  const keyOrder = (desc: boolean) => {
    const dir = desc ? "DESC" : "ASC";
    return {
      head: db.prepare<[number, number, number]>(`SELECT CAST(key AS TEXT), rowid FROM entries WHERE pass = ? ORDER BY key ${dir}, rowid ${dir} LIMIT ? OFFSET ?`).raw(),
      // Two index ranges instead of a row-value comparison: SQLite seeks (key, rowid) only on
      // equality of the key, and a row value would scan every duplicate of the anchor's key.
      same: db
        .prepare<[number, string, number, number]>(
          `SELECT CAST(key AS TEXT), rowid FROM entries WHERE pass = ? AND key = CAST(? AS BLOB) AND rowid ${desc ? "<=" : ">="} ? ORDER BY rowid ${dir} LIMIT ?`,
        )
        .raw(),
      after: db
        .prepare<[number, string, number, number]>(
          `SELECT CAST(key AS TEXT), rowid FROM entries WHERE pass = ? AND key ${desc ? "<" : ">"} CAST(? AS BLOB) ORDER BY key ${dir}, rowid ${dir} LIMIT ? OFFSET ?`,
        )
        .raw(),
    };
  };
  const byColumn = (column: string) => ({
    // The rows of one pass lie in its rowid span; "+pass" keeps SQLite on that range scan.
    inOrder: db.prepare<[number, number, number]>(`SELECT rowid FROM entries WHERE rowid BETWEEN ? AND ? AND +pass = ? ORDER BY ${column}, rowid`).pluck(),
    // The search runs over the key index alone; only the matches are looked up and sorted.
    matchingInOrder: db
      .prepare<[number, string]>(
        `SELECT rowid FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE pass = ? AND instr(key, CAST(? AS BLOB)) > 0) ORDER BY ${column}, rowid`,
      )
      .pluck(),
    // A prefix is one range of the key index; a search inside it reads that range only.
    inRangeInOrder: db
      .prepare<[number, Buffer, Buffer]>(
        `SELECT rowid FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE pass = ? AND key >= ? AND key < ?) ORDER BY ${column}, rowid`,
      )
      .pluck(),
    matchingInRangeInOrder: db
      .prepare<[number, Buffer, Buffer, string]>(
        `SELECT rowid FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE pass = ? AND key >= ? AND key < ? AND instr(key, CAST(? AS BLOB)) > 0) ORDER BY ${column}, rowid`,
      )
      .pluck(),
  });
  return {
    db,
    keyAsc: keyOrder(false),
    keyDesc: keyOrder(true),
    byColumn: { key: byColumn("key"), size: byColumn("size"), lastModified: byColumn("last_modified") } satisfies Record<EntrySort, unknown>,
    rowsById: db.prepare<[string]>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE rowid IN (SELECT value FROM json_each(?))`).raw(),
  };
}

type Statements = ReturnType<typeof statementsFor>;
type KeyOrder = Statements["keyAsc"];

const SPAN_COLUMNS: Record<EntrySort, string> = { key: "pos", size: "size, pos", lastModified: "last_modified, pos" };

/**
 * A spans pass's row ids (positions in listing order) in `sort` order, ties in listing order; with
 * `q`, only the rows whose key contains it; with `range`, only the keys in [low, high) (a prefix
 * filter). One statement over the key intervals the pass covered: positions count every row.
 */
function spanOrder(
  stmt: Statements,
  cache: Map<string, Database.Statement<unknown[], number>>,
  pass: PassRef,
  spans: readonly PageSpan[],
  sort: EntrySort,
  q: string | null,
  range: [Buffer, Buffer] | null = null,
): number[] {
  if (pass.target === null) return [];
  const intervals = coveredIntervals(spans);
  if (intervals.length === 0) return [];
  const name = `${intervals.length}:${sort}:${q !== null}:${range !== null}`;
  let s = cache.get(name);
  if (s === undefined) {
    const part = `SELECT row_number() OVER (ORDER BY key) - 1 + ? AS pos, key, size, last_modified FROM spans
      WHERE target = ? AND key > CAST(? AS BLOB) AND key <= ? AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)`;
    const parts = intervals.map(() => part).join(" UNION ALL ");
    const filters = [...(q !== null ? ["instr(key, CAST(? AS BLOB)) > 0"] : []), ...(range !== null ? ["key >= ? AND key < ?"] : [])];
    s = stmt.db.prepare<unknown[], number>(`SELECT pos FROM (${parts}) ${filters.length > 0 ? `WHERE ${filters.join(" AND ")}` : ""} ORDER BY ${SPAN_COLUMNS[sort]}`).pluck();
    cache.set(name, s);
  }
  const args: unknown[] = [];
  for (const iv of intervals) args.push(iv.before, pass.target, iv.lo ?? "", iv.hi === null ? END_OF_KEYS : Buffer.from(iv.hi, "utf8"), pass.seq, pass.seq);
  if (q !== null) args.push(q);
  if (range !== null) args.push(range[0], range[1]);
  return s.all(...args);
}

function toPagedEntry(r: EntryTuple): PagedEntry {
  const e: PagedEntry = { key: r[1], size: r[2], etag: r[3], lastModified: r[4], storageClass: r[5], page: r[6] };
  if (r[7] !== null) e.versionId = r[7];
  return e;
}


/** The span whose rows include listing position `row`, or -1 past the last row. */
export function spanIndexAt(spans: readonly PageSpan[], row: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid] as PageSpan;
    if (s.before <= row) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Past the last row only empty pages are left: there is no span to read from.
  while (found >= 0 && found < spans.length && row >= (spans[found] as PageSpan).before + (spans[found] as PageSpan).rowCount) found++;
  return found < spans.length ? found : -1;
}

export class EntryQueries {
  private readonly stmt: Statements;
  private readonly rows: PassRows;
  private readonly spanOrders = new Map<string, Database.Statement<unknown[], number>>();
  private readonly caches = new Map<number, PassViewCache>();
  private cachedOrderedRows = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.stmt = statementsFor(db);
    this.rows = new PassRows(db);
  }

  static for(store: PassStore): EntryQueries {
    let q = instances.get(store.db);
    if (q === undefined) {
      q = new EntryQueries(store.db);
      instances.set(store.db, q);
    }
    return q;
  }

  /** Cached state for the pass as it is now; a newly recorded page starts afresh. */
  private cacheFor(pass: PassRef): PassViewCache {
    let c = this.caches.get(pass.seq);
    if (c !== undefined && c.pageRecords !== pass.pageRecords) {
      // Orderings of a running pass may serve a little longer; everything else is recomputed.
      const keep = c.ordered;
      this.forget(pass.seq);
      c = new PassViewCache(pass.pageRecords);
      for (const [name, o] of keep) if (o.whileRunning) this.keepOrdered(c, name, o);
      this.caches.set(pass.seq, c);
    } else if (c === undefined) {
      c = new PassViewCache(pass.pageRecords);
      this.caches.set(pass.seq, c);
    } else {
      // Most recently used last.
      this.caches.delete(pass.seq);
      this.caches.set(pass.seq, c);
    }
    while (this.caches.size > MAX_CACHED_PASSES) this.forget(this.caches.keys().next().value as number);
    return c;
  }

  private forget(seq: number): void {
    const c = this.caches.get(seq);
    if (c === undefined) return;
    for (const o of c.ordered.values()) this.cachedOrderedRows -= o.ids.length;
    this.caches.delete(seq);
  }

  private keepOrdered(cache: PassViewCache, name: string, o: OrderedRows): void {
    cache.ordered.set(name, o);
    this.cachedOrderedRows += o.ids.length;
    // Drop the orderings of the least recently used passes until the budget holds.
    for (const c of this.caches.values()) {
      if (this.cachedOrderedRows <= MAX_CACHED_ORDERED_ROWS) return;
      if (c === cache) continue;
      for (const other of c.ordered.values()) this.cachedOrderedRows -= other.ids.length;
      c.ordered.clear();
    }
  }

  spans(pass: PassRef): PageSpan[] {
    const cache = this.cacheFor(pass);
    cache.spans ??= this.rows.pages(pass);
    return cache.spans;
  }

  /** The pass's rowid span: every row of the pass lies in it (rows of other passes may too). */
  private rowidSpan(pass: PassRef): [number, number] {
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    for (const s of this.spans(pass)) {
      if (s.rowCount === 0) continue;
      lo = Math.min(lo, s.firstRow);
      hi = Math.max(hi, s.firstRow + s.rowCount - 1);
    }
    return lo <= hi ? [lo, hi] : [1, 0];
  }

  window(pass: PassRef, query: EntriesWindowQuery): EntriesWindow {
    const q = query.q !== undefined && query.q !== "" ? query.q : null;
    const prefix = query.prefix ?? "";
    const filtered = q !== null || prefix !== "";
    const desc = query.order === "desc";
    const { offset, limit } = query;
    const listingOrder = query.sort === "key" && !filtered && pass.anomalies === 0;
    const window = (total: number, entries: PagedEntry[]): EntriesWindow => ({ offset, total, listingOrder, entries });
    if (listingOrder) return window(pass.keys, this.listingRows(pass, offset, limit, desc));
    if (!filtered && query.sort === "key") {
      const ids = this.anchoredIds(pass, desc, offset, Math.min(limit, pass.keys - offset));
      return window(pass.keys, this.rowsByIds(pass, ids));
    }
    const indexed = q !== null ? SearchIndex.for(this.db).ordered(pass, this.spans(pass), query.sort, q, prefix, (sort) => this.ordered(pass, sort, null)) : null;
    const ids = indexed ?? this.ordered(pass, query.sort, q, prefix);
    const count = Math.max(0, Math.min(limit, ids.length - offset));
    const slice: number[] = [];
    for (let i = 0; i < count; i++) slice.push(ids[desc ? ids.length - 1 - offset - i : offset + i] as number);
    return window(ids.length, this.rowsByIds(pass, slice));
  }

  /** Rows `offset..offset+limit` in listing order (or from its end, for descending key order). */
  private listingRows(pass: PassRef, offset: number, limit: number, desc: boolean): PagedEntry[] {
    const total = pass.keys;
    if (offset >= total) return [];
    const count = Math.min(limit, total - offset);
    const first = desc ? total - offset - count : offset;
    const spans = this.spans(pass);
    const out: PagedEntry[] = [];
    let i = spanIndexAt(spans, first);
    let row = first;
    while (i >= 0 && i < spans.length && out.length < count) {
      const s = spans[i] as PageSpan;
      for (const r of this.rows.read(pass, s, row - s.before, count - out.length)) out.push(toPagedEntry(r));
      row = s.before + s.rowCount;
      i++;
    }
    return desc ? out.reverse() : out;
  }

  /** Rows at and after `from` (inclusive) in key order, skipping `skip` and taking `take`. */
  private scan(seq: number, o: KeyOrder, from: Cursor | null, skip: number, take: number): Cursor[] {
    if (take <= 0) return [];
    if (from === null) return o.head.all(seq, take, skip) as Cursor[];
    const same = o.same.all(seq, from[0], from[1], skip + take) as Cursor[];
    if (same.length === skip + take) return same.slice(skip);
    const out = same.slice(skip);
    return out.concat(o.after.all(seq, from[0], take - out.length, Math.max(0, skip - same.length)) as Cursor[]);
  }

  private anchoredIds(pass: PassRef, desc: boolean, offset: number, limit: number): number[] {
    if (limit <= 0) return [];
    const o = desc ? this.stmt.keyDesc : this.stmt.keyAsc;
    if (offset < ANCHOR_EVERY) return this.scan(pass.seq, o, null, offset, limit).map((c) => c[1]);
    const cache = this.cacheFor(pass);
    const name = desc ? "desc" : "asc";
    let anchors = cache.anchors.get(name);
    if (anchors === undefined) {
      anchors = [];
      cache.anchors.set(name, anchors);
    }
    const want = Math.floor(offset / ANCHOR_EVERY);
    if (anchors.length === 0) {
      const first = this.scan(pass.seq, o, null, 0, 1)[0];
      if (first === undefined) return [];
      anchors.push(first);
    }
    while (anchors.length <= want) {
      const next = this.scan(pass.seq, o, anchors[anchors.length - 1] as Cursor, ANCHOR_EVERY, 1)[0];
      if (next === undefined) return [];
      anchors.push(next);
    }
    return this.scan(pass.seq, o, anchors[want] as Cursor, offset - want * ANCHOR_EVERY, limit).map((c) => c[1]);
  }

  /** Sorts, searches and prefix filters: the row ids in order, ordered by SQLite and kept here. */
  private ordered(pass: PassRef, sort: EntrySort, q: string | null, prefix = ""): Float64Array {
    const cache = this.cacheFor(pass);
    const name = `${sort}\u0000${q ?? ""}\u0000${prefix}`;
    const hit = cache.ordered.get(name);
    // An ordering made while the pass ran may lag behind its pages only while it still runs.
    if (hit !== undefined && (!hit.whileRunning || (pass.status === "running" && Date.now() - hit.madeAt < RUNNING_REORDER_MS))) return hit.ids;
    if (hit !== undefined) {
      cache.ordered.delete(name);
      this.cachedOrderedRows -= hit.ids.length;
    }
    const statements = this.stmt.byColumn[sort];
    const range = prefixRange(prefix);
    let rowids: number[];
    if (pass.layout === "spans") rowids = q === null && range === null ? this.inOrder(pass, sort) : spanOrder(this.stmt, this.spanOrders, pass, this.spans(pass), sort, q, range);
    else if (range !== null) {
      rowids = (q === null ? statements.inRangeInOrder.all(pass.seq, range[0], range[1]) : statements.matchingInRangeInOrder.all(pass.seq, range[0], range[1], q)) as number[];
    } else if (q === null) rowids = this.inOrder(pass, sort);
    else rowids = statements.matchingInOrder.all(pass.seq, q) as number[];
    const ordered = { ids: Float64Array.from(rowids), whileRunning: pass.status === "running", madeAt: Date.now() };
    this.keepOrdered(cache, name, ordered);
    return ordered.ids;
  }

  /** Every row id of the pass in `sort` order (ties in listing order). */
  private inOrder(pass: PassRef, sort: EntrySort): number[] {
    if (pass.layout === "spans") return spanOrder(this.stmt, this.spanOrders, pass, this.spans(pass), sort, null);
    const [lo, hi] = this.rowidSpan(pass);
    return this.stmt.byColumn[sort].inOrder.all(lo, hi, pass.seq) as number[];
  }

  private rowsByIds(pass: PassRef, ids: readonly number[]): PagedEntry[] {
    if (ids.length === 0) return [];
    if (pass.layout === "spans") return this.rows.byIds(pass, this.spans(pass), ids).map(toPagedEntry);
    const byId = new Map<number, EntryTuple>();
    for (const r of this.stmt.rowsById.all(JSON.stringify(ids)) as EntryTuple[]) byId.set(r[0], r);
    const out: PagedEntry[] = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (r !== undefined) out.push(toPagedEntry(r));
    }
    return out;
  }
}

const instances = new WeakMap<Database.Database, EntryQueries>();

export function passRef(store: PassStore, id: string): PassRef {
  const row = store.row(id);
  if (row === undefined) throw new AppError("unknown_pass", `There is no pass with id "${id}".`);
  return {
    seq: row.seq,
    layout: row.layout,
    target: row.target,
    status: row.status,
    pageRecords: row.page_records,
    keys: row.keys,
    anomalies: row.anomalies,
    prefix: row.prefix,
  };
}

/** `GET /api/passes/{id}/entries?offset=…`: one window of rows of one ordering of the pass. */
export function entriesWindow(store: PassStore, id: string, query: EntriesWindowQuery): Promise<EntriesWindow> {
  // A promise either way: an unknown pass is a rejection, as callers expect of a query.
  return new Promise((resolve) => resolve(EntryQueries.for(store).window(passRef(store, id), query)));
}

/** `GET /api/passes/{id}/entries?q=…` answered by the search index; null when the scan answers. */
export function searchEntries(store: PassStore, id: string, query: EntriesQuery): EntriesResponse | null {
  if (query.q === undefined || query.q === "") return null;
  const pass = passRef(store, id);
  return SearchIndex.for(store.db).entries(pass, EntryQueries.for(store).spans(pass), query);
}
