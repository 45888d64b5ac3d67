import "server-only";
import type Database from "better-sqlite3";
import { AppError } from "@/lib/http";
import type { EntriesWindow, EntriesWindowQuery, EntrySort, PagedEntry } from "@/lib/wire";
import type { PassStore } from "./store";

// Random access by row index into a whole pass, in any of its orderings, without OFFSET scans:
// - key order of a pass without anomalies is the order the pages delivered their keys, so a row
//   index maps to (page, position) through the pages' row counts and then to a rowid;
// - other orderings walk an index (pass, column, rowid): "anchors" remember where every ANCHOR_EVERY-th
//   row is, so a window costs one seek and at most ANCHOR_EVERY index steps;
// - searches (and the rare NULL LastModified) are ordered by SQLite once and kept as a rowid list.
// Everything is cached per pass and dropped as soon as the pass records another page.

const ANCHOR_EVERY = 1000;
const MAX_CACHED_PASSES = 8;
/** Rowids kept across all cached search orderings (8 bytes each). */
const MAX_CACHED_MATCH_ROWS = 4_000_000;

const SORT_INDEXES = `
CREATE INDEX IF NOT EXISTS entries_by_size ON entries (pass, size);
CREATE INDEX IF NOT EXISTS entries_by_last_modified ON entries (pass, last_modified);
`;

const COLUMN: Record<EntrySort, "key" | "size" | "last_modified"> = {
  key: "key",
  size: "size",
  lastModified: "last_modified",
};

type SortValue = Buffer | number | string | null;

/** A position in one ordering: the row's sort value and its rowid (the tie-breaker). */
type Cursor = [value: SortValue, rowid: number];

interface PageSpan {
  page: number;
  firstRow: number;
  rowCount: number;
  /** Rows of the pass before this page, in listing order. */
  before: number;
}

interface EntryRow {
  id: number;
  key: Buffer;
  size: number;
  etag: string | null;
  last_modified: string | null;
  storage_class: string | null;
  page: number;
}

export interface PassRef {
  seq: number;
  /** Page records written so far: the pass's data changes exactly when this does. */
  pageRecords: number;
  keys: number;
  anomalies: number;
  prefix: string;
}

class PassViewCache {
  spans: PageSpan[] | null = null;
  readonly anchors = new Map<string, Cursor[]>();
  readonly matches = new Map<string, Float64Array>();
  hasNullLastModified: boolean | null = null;

  constructor(readonly pageRecords: number) {}
}

function statementsFor(db: Database.Database) {
  const ordered = (column: string, desc: boolean) => {
    const dir = desc ? "DESC" : "ASC";
    const beyond = desc ? "<" : ">";
    const sameBeyond = desc ? "<=" : ">=";
    return {
      head: db
        .prepare<[number, number, number]>(`SELECT ${column}, rowid FROM entries WHERE pass = ? ORDER BY ${column} ${dir}, rowid ${dir} LIMIT ? OFFSET ?`)
        .raw(),
      same: db
        .prepare<[number, SortValue, number, number]>(
          `SELECT ${column}, rowid FROM entries WHERE pass = ? AND ${column} = ? AND rowid ${sameBeyond} ? ORDER BY rowid ${dir} LIMIT ?`,
        )
        .raw(),
      after: db
        .prepare<[number, SortValue, number, number]>(
          `SELECT ${column}, rowid FROM entries WHERE pass = ? AND ${column} ${beyond} ? ORDER BY ${column} ${dir}, rowid ${dir} LIMIT ? OFFSET ?`,
        )
        .raw(),
      matching: db
        .prepare<[number, Buffer]>(
          // The search runs over the key index alone; only the matches are looked up and sorted.
          `SELECT rowid FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE pass = ? AND instr(key, ?) > 0)
           ORDER BY ${column} ${dir}, rowid ${dir}`,
        )
        .pluck(),
      all: db.prepare<[number]>(`SELECT rowid FROM entries WHERE pass = ? ORDER BY ${column} ${dir}, rowid ${dir}`).pluck(),
    };
  };
  const orderings = new Map<string, ReturnType<typeof ordered>>();
  for (const sort of Object.keys(COLUMN) as EntrySort[]) {
    for (const desc of [false, true]) orderings.set(`${sort}:${desc ? "desc" : "asc"}`, ordered(COLUMN[sort], desc));
  }
  return {
    orderings,
    spans: db.prepare<[number], { page: number; firstRow: number; rowCount: number }>(
      `SELECT idx AS page, first_row AS firstRow, row_count AS rowCount FROM pages WHERE pass = ? ORDER BY idx`,
    ),
    rowRange: db.prepare<[number, number], EntryRow>(
      `SELECT rowid AS id, key, size, etag, last_modified, storage_class, page FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
    ),
    rowsById: db.prepare<[string], EntryRow>(
      `SELECT rowid AS id, key, size, etag, last_modified, storage_class, page FROM entries WHERE rowid IN (SELECT value FROM json_each(?))`,
    ),
    nullLastModified: db.prepare<[number], number>(`SELECT 1 FROM entries WHERE pass = ? AND last_modified IS NULL LIMIT 1`).pluck(),
  };
}

type Statements = ReturnType<typeof statementsFor>;
type Ordering = Statements["orderings"] extends Map<string, infer O> ? O : never;

function toPagedEntry(r: EntryRow): PagedEntry {
  return {
    key: r.key.toString("utf8"),
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    storageClass: r.storage_class,
    page: r.page,
  };
}

/** The first span whose rows include listing position `row` (binary search over `before`). */
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
  private readonly caches = new Map<number, PassViewCache>();
  private cachedMatchRows = 0;

  constructor(private readonly db: Database.Database) {
    // The sort orders read these indexes; created on first use so a store that never shows a pass
    // view pays nothing for them on insert.
    db.exec(SORT_INDEXES);
    this.stmt = statementsFor(db);
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
  cacheFor(pass: PassRef): PassViewCache {
    let c = this.caches.get(pass.seq);
    if (c === undefined || c.pageRecords !== pass.pageRecords) {
      if (c !== undefined) this.forget(pass.seq);
      c = new PassViewCache(pass.pageRecords);
      this.caches.set(pass.seq, c);
      while (this.caches.size > MAX_CACHED_PASSES) {
        const oldest = this.caches.keys().next().value as number;
        this.forget(oldest);
      }
    } else {
      // Most recently used last.
      this.caches.delete(pass.seq);
      this.caches.set(pass.seq, c);
    }
    return c;
  }

  private forget(seq: number): void {
    const c = this.caches.get(seq);
    if (c === undefined) return;
    for (const m of c.matches.values()) this.cachedMatchRows -= m.length;
    this.caches.delete(seq);
  }

  spans(pass: PassRef): PageSpan[] {
    const cache = this.cacheFor(pass);
    if (cache.spans === null) {
      let before = 0;
      cache.spans = this.stmt.spans.all(pass.seq).map((s) => {
        const span = { ...s, before };
        before += s.rowCount;
        return span;
      });
    }
    return cache.spans;
  }

  window(pass: PassRef, query: EntriesWindowQuery): EntriesWindow {
    const q = query.q !== undefined && query.q !== "" ? query.q : null;
    const desc = query.order === "desc";
    const listingOrder = query.sort === "key" && q === null && pass.anomalies === 0;
    if (listingOrder) {
      const total = pass.keys;
      return { offset: query.offset, total, listingOrder, entries: this.listingRows(pass, query.offset, query.limit, desc) };
    }
    const cache = this.cacheFor(pass);
    const ordering = this.ordering(query.sort, desc);
    if (q === null && !(query.sort === "lastModified" && this.hasNullLastModified(pass, cache))) {
      const total = pass.keys;
      const ids = this.anchoredIds(pass, cache, ordering, `${query.sort}:${query.order}`, query.offset, Math.min(query.limit, total - query.offset));
      return { offset: query.offset, total, listingOrder, entries: this.rowsByIds(ids) };
    }
    const ids = this.matches(pass, cache, ordering, `${query.sort}:${query.order}:${q ?? ""}`, q);
    const slice = Array.from(ids.subarray(Math.min(query.offset, ids.length), Math.min(query.offset + query.limit, ids.length)));
    return { offset: query.offset, total: ids.length, listingOrder, entries: this.rowsByIds(slice) };
  }

  private ordering(sort: EntrySort, desc: boolean): Ordering {
    return this.stmt.orderings.get(`${sort}:${desc ? "desc" : "asc"}`) as Ordering;
  }

  private hasNullLastModified(pass: PassRef, cache: PassViewCache): boolean {
    cache.hasNullLastModified ??= this.stmt.nullLastModified.get(pass.seq) !== undefined;
    return cache.hasNullLastModified;
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
      const from = s.firstRow + (row - s.before);
      const to = Math.min(s.firstRow + s.rowCount - 1, from + (count - out.length) - 1);
      if (to >= from) for (const r of this.stmt.rowRange.all(from, to)) out.push(toPagedEntry(r));
      row = s.before + s.rowCount;
      i++;
    }
    return desc ? out.reverse() : out;
  }

  /** Rows at and after `from` (inclusive) in an ordering, skipping `skip` and taking `take`. */
  private scan(seq: number, o: Ordering, from: Cursor | null, skip: number, take: number): Cursor[] {
    if (take <= 0) return [];
    if (from === null) return o.head.all(seq, take, skip) as Cursor[];
    // Two index ranges instead of a row-value comparison: SQLite seeks (column, rowid) only on
    // equality of the column, and a row value would scan every duplicate of the anchor's value.
    const same = o.same.all(seq, from[0], from[1], skip + take) as Cursor[];
    if (same.length === skip + take) return same.slice(skip);
    const out = same.slice(skip);
    return out.concat(o.after.all(seq, from[0], take - out.length, Math.max(0, skip - same.length)) as Cursor[]);
  }

  private anchoredIds(pass: PassRef, cache: PassViewCache, o: Ordering, name: string, offset: number, limit: number): number[] {
    if (limit <= 0) return [];
    if (offset < ANCHOR_EVERY) return this.scan(pass.seq, o, null, offset, limit).map((c) => c[1]);
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

  private matches(pass: PassRef, cache: PassViewCache, o: Ordering, name: string, q: string | null): Float64Array {
    let ids = cache.matches.get(name);
    if (ids !== undefined) return ids;
    const rowids = (q === null ? o.all.all(pass.seq) : o.matching.all(pass.seq, Buffer.from(q, "utf8"))) as number[];
    ids = Float64Array.from(rowids);
    cache.matches.set(name, ids);
    this.cachedMatchRows += ids.length;
    this.evictMatches(cache);
    return ids;
  }

  /** Drops the search orderings of the least recently used passes until the budget holds. */
  private evictMatches(keep: PassViewCache): void {
    for (const c of this.caches.values()) {
      if (this.cachedMatchRows <= MAX_CACHED_MATCH_ROWS) return;
      if (c === keep) continue;
      for (const m of c.matches.values()) this.cachedMatchRows -= m.length;
      c.matches.clear();
    }
  }

  private rowsByIds(ids: readonly number[]): PagedEntry[] {
    if (ids.length === 0) return [];
    const byId = new Map<number, EntryRow>();
    for (const r of this.stmt.rowsById.all(JSON.stringify(ids))) byId.set(r.id, r);
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
  return { seq: row.seq, pageRecords: row.page_records, keys: row.keys, anomalies: row.anomalies, prefix: row.prefix };
}

/** `GET /api/passes/{id}/entries?offset=…`: one window of rows of one ordering of the pass. */
export function entriesWindow(store: PassStore, id: string, query: EntriesWindowQuery): EntriesWindow {
  return EntryQueries.for(store).window(passRef(store, id), query);
}
