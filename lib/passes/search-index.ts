import "server-only";
import type Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import type { EntriesQuery, EntriesResponse, Entry, EntrySort, PagedEntry } from "@/lib/wire";
import { coveredIntervals, PassRows, type PageSpan, type RowTuple } from "./pass-rows";
import { END_OF_KEYS } from "./spans";
import type { PassRef } from "./entry-queries";

// Search over a whole finished pass without asking SQLite to scan it. Today's answer is a byte
// substring test (instr on the key BLOB) over every row of the pass, which costs a second or more at
// 1M keys wherever the time goes (the rows, not the test). The index is the pass's keys held in
// memory in key order as one string with their offsets and row ids, read once (at the first search of
// the pass) and kept for the next ones; a search is then one native substring scan of that string.
//
// Why it answers exactly what the scan does:
// - keys are stored as UTF-8 and read back as text; for valid UTF-8 a byte substring is a substring
//   of the decoded text (UTF-8 is self-synchronising), and the needle is normalised the way SQLite
//   gets it bound (a lone surrogate becomes U+FFFD). A key that is not valid UTF-8 decodes with
//   U+FFFD in it, so a pass with any U+FFFD in its keys is left to the scan;
// - row ids, the key order (listing position in the spans layout, key then rowid in the entries
//   layout) and the size / LastModified rankings are the ones the scan's SQL uses; a sorted search
//   keeps the rows of the pass's ranking (the entry queries' own ordering) that match, in its order;
// - a finished pass does not change (retention deleting other passes only drops rows no surviving
//   pass lists); it changes when it is resumed, which records pages: the index is keyed by the
//   pass's page records and layout and built again when they differ. A running pass uses the scan.
// Nothing is written to disk and recording does not pay for it.

/** Memory the indexes of all passes may take together; the least recently used go first. */
const MAX_INDEX_BYTES = 384 * 1024 * 1024;
/** A larger pass is searched by the scan: its index alone would not fit the budget. */
export const MAX_INDEXED_KEYS = 4_000_000;
/** Search answers (matching row ids in order) kept per pass, so paging through one is free. */
const MAX_CACHED_ANSWERS = 4;

type RankedSort = Exclude<EntrySort, "key">;

/** How a bound string reaches SQLite: UTF-8, with lone surrogates as U+FFFD. */
const asStored = (s: string): string => (/[\ud800-\udfff]/.test(s) ? Buffer.from(s, "utf8").toString("utf8") : s);

class PassKeys {
  private readonly answers = new Map<string, Float64Array>();
  private readonly rankings = new Map<RankedSort, Float64Array>();
  private slots: Int32Array | Map<number, number> | null = null;
  private firstId = 0;

  constructor(
    readonly version: string,
    /** Every key of the pass in key order, one after the other. */
    readonly text: string,
    /** Where key i begins in `text`; starts[n] is the end. */
    readonly starts: Int32Array,
    /** Row id of key i (a rowid of `entries`, or a position in a spans pass). */
    readonly ids: Float64Array,
    /** False when some key does not decode exactly (see above): the scan answers. */
    readonly exact: boolean,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  get bytes(): number {
    let b = this.text.length * 2 + this.starts.byteLength + this.ids.byteLength;
    for (const a of this.answers.values()) b += a.byteLength;
    for (const r of this.rankings.values()) b += r.byteLength;
    if (this.slots instanceof Int32Array) b += this.slots.byteLength;
    return b;
  }

  key(i: number): string {
    return this.text.slice(this.starts[i], this.starts[i + 1]);
  }

  /** The first index whose key is after `key` (or at it, with `inclusive`), in UTF-8 byte order. */
  seek(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareKeys(this.key(mid), key);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index from `from` (at or after the first key that begins with `prefix`) whose key does not begin with it. */
  private endOfPrefix(prefix: string, from: number): number {
    let lo = from;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.text.startsWith(prefix, this.starts[mid]) && (this.starts[mid + 1] as number) - (this.starts[mid] as number) >= prefix.length) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Indexes from `from` of keys that contain `q` and begin with `prefix`, at most `limit`. */
  matching(q: string, prefix: string, from: number, limit: number): Int32Array {
    let k = from;
    let end = this.size;
    if (prefix !== "") {
      k = Math.max(k, this.seek(prefix, true));
      end = this.endOfPrefix(prefix, k);
    }
    const out = new Int32Array(Math.max(0, Math.min(limit, end - k)));
    let n = 0;
    const { text, starts } = this;
    const stop = starts[end] as number;
    let at = starts[k] as number;
    while (k < end && n < out.length) {
      at = text.indexOf(q, at);
      if (at < 0 || at >= stop) break;
      while ((starts[k + 1] as number) <= at) k++;
      // A match that runs into the next key is no match; none begins later in this key either.
      if (at + q.length <= (starts[k + 1] as number)) out[n++] = k;
      k++;
      at = starts[k] as number;
    }
    return out.subarray(0, n);
  }

  answer(name: string): Float64Array | undefined {
    const a = this.answers.get(name);
    if (a !== undefined) {
      this.answers.delete(name);
      this.answers.set(name, a);
    }
    return a;
  }

  remember(name: string, ids: Float64Array): void {
    this.answers.set(name, ids);
    while (this.answers.size > MAX_CACHED_ANSWERS) this.answers.delete(this.answers.keys().next().value as string);
  }

  ranking(sort: RankedSort): Float64Array | undefined {
    return this.rankings.get(sort);
  }

  keepRanking(sort: RankedSort, ids: Float64Array): void {
    this.rankings.set(sort, ids);
  }

  /** Index of row id `id`, or -1. */
  slotOf(id: number): number {
    if (this.slots === null) {
      this.slots = slotsFor(this.ids);
      this.firstId = this.ids.length > 0 ? minOf(this.ids) : 0;
    }
    if (this.slots instanceof Map) return this.slots.get(id) ?? -1;
    return this.slots[id - this.firstId] ?? -1;
  }
}

function minOf(ids: Float64Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (const id of ids) if (id < m) m = id;
  return m;
}

/** Row id -> index: an array over the ids' span when it is dense (as a pass's rows are), else a map. */
function slotsFor(ids: Float64Array): Int32Array | Map<number, number> {
  if (ids.length === 0) return new Int32Array(0);
  let max = Number.NEGATIVE_INFINITY;
  for (const id of ids) if (id > max) max = id;
  const min = minOf(ids);
  if (max - min + 1 > 4 * ids.length + 1024) {
    const m = new Map<number, number>();
    ids.forEach((id, i) => m.set(id, i));
    return m;
  }
  const slots = new Int32Array(max - min + 1).fill(-1);
  ids.forEach((id, i) => {
    slots[id - min] = i;
  });
  return slots;
}

function statementsFor(db: Database.Database) {
  return {
    spanKeys: db
      .prepare<{ target: number; seq: number; lo: string; hi: Buffer }, string>(
        `SELECT CAST(key AS TEXT) FROM spans
         WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)
         ORDER BY key`,
      )
      .pluck(),
    entryKeys: db.prepare<[number], [number, string]>(`SELECT rowid, CAST(key AS TEXT) FROM entries WHERE pass = ? ORDER BY key, rowid`).raw(),
    entriesById: db
      .prepare<[string], [number, string, number, string | null, string | null, string | null, string | null, number]>(
        `SELECT rowid, CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries WHERE rowid IN (SELECT value FROM json_each(?))`,
      )
      .raw(),
  };
}

type Statements = ReturnType<typeof statementsFor>;

export interface SearchStats {
  passes: number;
  bytes: number;
}

export class SearchIndex {
  private readonly stmt: Statements;
  private readonly rows: PassRows;
  private readonly passes = new Map<number, PassKeys>();

  constructor(readonly db: Database.Database) {
    this.stmt = statementsFor(db);
    this.rows = new PassRows(db);
  }

  static for(db: Database.Database): SearchIndex {
    let s = instances.get(db);
    if (s === undefined) {
      s = new SearchIndex(db);
      instances.set(db, s);
    }
    return s;
  }

  /** Indexes held now and the memory they take. */
  stats(): SearchStats {
    let bytes = 0;
    for (const p of this.passes.values()) bytes += p.bytes;
    return { passes: this.passes.size, bytes };
  }

  /** Off, every search is the scan's (the reference the tests hold the index to). */
  enabled = true;

  /** Forgets every pass's keys (a benchmark's cold start). */
  clear(): void {
    this.passes.clear();
  }

  /** Whether the index answers searches of this pass (else the scan does). */
  covers(pass: PassRef): boolean {
    return this.enabled && pass.status !== "running" && pass.keys <= MAX_INDEXED_KEYS;
  }

  /** Reads the pass's keys now (at the end of a pass, say), so its first search need not. */
  warm(pass: PassRef, spans: readonly PageSpan[]): void {
    if (this.covers(pass)) this.keysOf(pass, spans);
  }

  private keysOf(pass: PassRef, spans: readonly PageSpan[]): PassKeys {
    const version = `${pass.layout}:${pass.pageRecords}:${pass.keys}`;
    const had = this.passes.get(pass.seq);
    if (had !== undefined && had.version === version) {
      this.passes.delete(pass.seq);
      this.passes.set(pass.seq, had);
      return had;
    }
    const keys = this.load(pass, spans, version);
    this.passes.delete(pass.seq);
    this.passes.set(pass.seq, keys);
    this.trim(keys);
    return keys;
  }

  private trim(keep: PassKeys): void {
    let bytes = this.stats().bytes;
    for (const [seq, p] of this.passes) {
      if (bytes <= MAX_INDEX_BYTES) return;
      if (p === keep) continue;
      bytes -= p.bytes;
      this.passes.delete(seq);
    }
  }

  private load(pass: PassRef, spans: readonly PageSpan[], version: string): PassKeys {
    const keys: string[] = [];
    let ids: Float64Array;
    if (pass.layout === "spans") {
      const positions: number[] = [];
      if (pass.target !== null) {
        for (const iv of coveredIntervals(spans)) {
          const got = this.stmt.spanKeys.all({ target: pass.target, seq: pass.seq, lo: iv.lo ?? "", hi: iv.hi === null ? END_OF_KEYS : Buffer.from(iv.hi, "utf8") });
          for (let i = 0; i < got.length; i++) {
            keys.push(got[i] as string);
            positions.push(iv.before + i);
          }
        }
      }
      ids = Float64Array.from(positions);
    } else {
      const rows = this.stmt.entryKeys.all(pass.seq);
      ids = new Float64Array(rows.length);
      rows.forEach((r, i) => {
        ids[i] = r[0];
        keys.push(r[1]);
      });
    }
    const starts = new Int32Array(keys.length + 1);
    let at = 0;
    for (let i = 0; i < keys.length; i++) {
      starts[i] = at;
      at += (keys[i] as string).length;
    }
    starts[keys.length] = at;
    const text = keys.join("");
    return new PassKeys(version, text, starts, ids, !text.includes("\ufffd"));
  }

  /**
   * Row ids of the pass whose key contains `q` (and begins with `prefix`) in `sort` order, ties in
   * key order, as the scan orders them; null when the scan must answer. `ranked` gives the
   * pass's row ids ordered by a column, as the entry queries order them.
   */
  ordered(pass: PassRef, spans: readonly PageSpan[], sort: EntrySort, q: string, prefix: string, ranked: (sort: RankedSort) => Float64Array): Float64Array | null {
    if (!this.covers(pass)) return null;
    const keys = this.keysOf(pass, spans);
    if (!keys.exact) return null;
    const name = `${sort}\u0000${q}\u0000${prefix}`;
    const hit = keys.answer(name);
    if (hit !== undefined) return hit;
    const found = keys.matching(asStored(q), asStored(prefix), 0, Number.POSITIVE_INFINITY);
    let ids: Float64Array;
    if (sort === "key") {
      ids = new Float64Array(found.length);
      for (let i = 0; i < found.length; i++) ids[i] = keys.ids[found[i] as number] as number;
    }
    else {
      let ranking = keys.ranking(sort);
      if (ranking === undefined) {
        ranking = ranked(sort);
        keys.keepRanking(sort, ranking);
      }
      const hits = new Uint8Array(keys.size);
      for (const i of found) hits[i] = 1;
      ids = new Float64Array(found.length);
      let n = 0;
      for (const id of ranking) {
        const slot = keys.slotOf(id);
        if (slot >= 0 && hits[slot] === 1) ids[n++] = id;
      }
      if (n !== found.length) return null;
    }
    keys.remember(name, ids);
    this.trim(keys);
    return ids;
  }

  /**
   * `GET /api/passes/{id}/entries?q=…`: the next matching entries in key order after `after`, as the
   * scan answers them; null when the scan must answer.
   */
  entries(pass: PassRef, spans: readonly PageSpan[], query: EntriesQuery): EntriesResponse | null {
    const q = query.q ?? "";
    if (q === "" || !this.covers(pass)) return null;
    const keys = this.keysOf(pass, spans);
    if (!keys.exact) return null;
    const from = query.after === undefined ? 0 : keys.seek(asStored(query.after), false);
    const found = keys.matching(asStored(q), asStored(query.prefix ?? ""), from, query.limit + 1);
    const more = found.length > query.limit;
    const ids = Array.from(found.subarray(0, query.limit), (i) => keys.ids[i] as number);
    const entries = pass.layout === "spans" ? this.rows.byIds(pass, spans, ids).map(toPagedEntry) : this.entriesByIds(ids);
    if (entries.length !== ids.length) return null;
    return { entries, nextAfter: more ? (entries[entries.length - 1]?.key ?? null) : null };
  }

  private entriesByIds(ids: readonly number[]): PagedEntry[] {
    const byId = new Map<number, PagedEntry>();
    for (const r of this.stmt.entriesById.all(JSON.stringify(ids))) byId.set(r[0], toPagedEntry([r[0], r[1], r[2], r[3], r[4], r[5], r[7], r[6]]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}

/** The entries API's shape of a row (the same fields in the same order as the store's answer). */
function toPagedEntry(r: RowTuple): PagedEntry {
  const e: Entry = { key: r[1], size: r[2], etag: r[3], lastModified: r[4], storageClass: r[5] };
  if (r[7] !== null) e.versionId = r[7];
  return { ...e, page: r[6] };
}

const instances = new WeakMap<Database.Database, SearchIndex>();
