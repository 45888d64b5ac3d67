import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { compareKeys } from "@/lib/lister";
import type { Entry } from "@/lib/wire";
import { CHANGE, fieldMask, recordedChanges, SpanStore, type RecordedChange, type TargetParams } from "./spans";
import { tempDir } from "./testing/harness";
import { seededRandom } from "@/lib/random";

// The span store against a model: passes of one target list a bucket that changes between their
// pages, several at once and out of order, some stopping early, some deleted in the middle of the
// history; after every step every surviving pass's every page reads back exactly what it listed,
// and the differences a pass recorded from the one before it are exactly those of the two listings.

const ALPHABET = ["a", "b", "é", "z", "/", "😀", "\uffff", "0"];

interface RecordedPage {
  lo: string | null;
  hi: string | null;
  entries: Entry[];
}

interface ModelPass {
  seq: number;
  pages: RecordedPage[];
  /** Where its next page begins; null before the first. */
  cursor: string | null;
  pageSize: number;
  done: boolean;
  /** Pages it will list before it stops (incomplete) or Infinity. */
  budget: number;
  /** The pass whose differences from it this one records, if any. */
  base: number | null;
}

const complete = (p: ModelPass) => p.done && p.pages.at(-1)?.hi === null;
const listing = (p: ModelPass) => p.pages.flatMap((page) => page.entries);

/** The differences of `later` from `earlier` with their positions, as spans.ts records them. */
function modelChanges(earlier: readonly Entry[], later: readonly Entry[]): RecordedChange[] {
  const out: RecordedChange[] = [];
  let i = 0;
  let j = 0;
  while (i < earlier.length || j < later.length) {
    const x = earlier[i];
    const y = later[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : compareKeys(x.key, y.key);
    if (order < 0 && x !== undefined) {
      out.push([x.key, CHANGE.removed, 0, j]);
      i++;
    } else if (order > 0 && y !== undefined) {
      out.push([y.key, CHANGE.added, 0, j]);
      j++;
    } else if (x !== undefined && y !== undefined) {
      const mask = fieldMask([x.size, x.etag, x.lastModified, x.storageClass], [y.size, y.etag, y.lastModified, y.storageClass]);
      if (mask !== 0) out.push([y.key, CHANGE.changed, mask, j]);
      i++;
      j++;
    }
  }
  return out;
}

function open(): { db: Database.Database; spans: SpanStore } {
  const db = new Database(path.join(tempDir("spans"), "spans.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec(`CREATE TABLE passes (seq INTEGER PRIMARY KEY, target INTEGER); CREATE INDEX passes_by_target ON passes (target, seq);`);
  SpanStore.createSchema(db);
  return { db, spans: new SpanStore(db) };
}

const TARGET: TargetParams = { connection: "c", bucket: "b", prefix: "", delimiter: null, startAfter: null, kind: "list", pageSize: 10 };

/** Runs the model; returns how many recorded differences it held to the model's. */
function run(seed: number, steps: number): number {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const { db, spans } = open();
  const bucket = new Map<string, Entry>();
  let version = 0;
  const randomKey = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(ALPHABET)).join("");
  const put = (key: string) => {
    version++;
    bucket.set(key, { key, size: Math.floor(random() * 4), etag: `"${version % 5}"`, lastModified: `2024-01-01T00:00:0${version % 3}.000Z`, storageClass: pick(["STANDARD", "GLACIER"]) });
  };
  for (let i = 0; i < 30; i++) put(randomKey());
  const passes: ModelPass[] = [];
  let target = -1;
  let nextSeq = 1;

  const sortedKeys = () => [...bucket.keys()].sort(compareKeys);
  const insertPass = db.prepare<[number, number]>(`INSERT INTO passes (seq, target) VALUES (?, ?)`);
  const deletePass = db.prepare<[number]>(`DELETE FROM passes WHERE seq = ?`);
  let recordedChecked = 0;
  const check = () => {
    for (const p of passes) {
      const base = passes.find((q) => q.seq === p.base);
      const recorded = p.base !== null ? recordedChanges(db, p.seq, p.base) : null;
      // Dropped when it could be wrong (a page written while a newer pass existed, its base deleted).
      if (base === undefined) expect(recorded, `seed ${seed}: pass ${p.seq}`).toBeNull();
      if (recorded !== null && base !== undefined && complete(p)) {
        expect(recorded, `seed ${seed}: changes of pass ${p.seq} from ${base.seq}`).toEqual(modelChanges(listing(base), listing(p)));
        recordedChecked++;
      }
      for (const [i, page] of p.pages.entries()) {
        const rows = spans.rows(target, p.seq, page.lo, page.hi).map(([key, size, etag, lastModified, storageClass]) => [key, size, etag, lastModified, storageClass]);
        const listed = page.entries.map(({ key, size, etag, lastModified, storageClass }) => [key, size, etag, lastModified, storageClass]);
        if (JSON.stringify(rows) !== JSON.stringify(listed)) {
          expect(rows, `seed ${seed}: pass ${p.seq} page ${i} (${JSON.stringify(page.lo)}, ${JSON.stringify(page.hi)}]`).toEqual(listed);
        }
      }
    }
  };

  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.3) {
      // The bucket changes.
      for (let n = Math.floor(random() * 4); n >= 0; n--) {
        const op = random();
        const keys = [...bucket.keys()];
        if (op < 0.35 || keys.length === 0) put(randomKey());
        else if (op < 0.7) bucket.delete(pick(keys));
        else put(pick(keys));
      }
    } else if (r < 0.4 && passes.filter((p) => !p.done).length < 3) {
      const seq = nextSeq++;
      if (target < 0) target = spans.targetFor(TARGET, seq);
      insertPass.run(seq, target);
      const previous = passes.at(-1);
      const base = previous !== undefined && complete(previous) ? previous.seq : null;
      if (base !== null) spans.trackChanges(seq, base);
      passes.push({ seq, pages: [], cursor: null, pageSize: 1 + Math.floor(random() * 6), done: false, budget: random() < 0.2 ? Math.floor(random() * 4) : Infinity, base });
    } else if (r < 0.45 && passes.filter((p) => p.done).length > 4) {
      // Retention or a person deletes a finished pass, wherever it is in the history.
      const victim = pick(passes.filter((p) => p.done));
      passes.splice(passes.indexOf(victim), 1);
      deletePass.run(victim.seq);
      spans.forgetPass(target, victim.seq);
      if (passes.length === 0) target = -1;
    } else {
      const running = passes.filter((p) => !p.done);
      if (running.length === 0) continue;
      const p = pick(running);
      if (p.pages.length >= p.budget) {
        p.done = true;
        continue;
      }
      const after = sortedKeys().filter((k) => p.cursor === null || compareKeys(k, p.cursor) > 0);
      const listed = after.slice(0, p.pageSize).map((k) => ({ ...(bucket.get(k) as Entry) }));
      const last = after.length <= p.pageSize;
      const page: RecordedPage = { lo: p.cursor, hi: last ? null : (listed.at(-1)?.key ?? p.cursor), entries: listed };
      db.transaction(() => spans.recordPage(target, p.seq, page.lo, page.hi, listed, listing(p).length))();
      p.pages.push(page);
      p.cursor = page.hi;
      if (last) p.done = true;
    }
    if (step % 4 === 0) check();
  }
  check();
  // Every row belongs to some surviving pass's interval between it and its neighbours: deleting
  // every pass leaves nothing behind.
  for (const p of [...passes]) {
    db.prepare(`DELETE FROM passes WHERE seq = ?`).run(p.seq);
    spans.forgetPass(target, p.seq);
  }
  expect(db.prepare(`SELECT count(*) FROM spans`).pluck().get()).toBe(0);
  expect(db.prepare(`SELECT count(*) FROM targets`).pluck().get()).toBe(0);
  expect(db.prepare(`SELECT (SELECT count(*) FROM span_changes) + (SELECT count(*) FROM span_bases)`).pluck().get()).toBe(0);
  db.close();
  return recordedChecked;
}

describe("the span store", () => {
  let recordedChecked = 0;
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`reads back every page of every pass exactly (seed ${seed})`, () => {
      recordedChecked += run(seed, 300);
    });
  }
  it("held recorded differences to the model in those runs", () => {
    expect(recordedChecked).toBeGreaterThan(50);
  });

  it("refuses a page whose keys are not in ascending order, writing nothing", () => {
    const { db, spans } = open();
    db.prepare(`INSERT INTO passes (seq, target) VALUES (1, 1)`).run();
    const t = spans.targetFor(TARGET, 1);
    const e = (key: string): Entry => ({ key, size: 1, etag: null, lastModified: null, storageClass: null });
    expect(() => spans.recordPage(t, 1, null, null, [e("b"), e("a")])).toThrow(/out of order/);
    expect(() => spans.recordPage(t, 1, null, null, [e("a"), e("a")])).toThrow(/out of order/);
    expect(db.prepare(`SELECT count(*) FROM spans`).pluck().get()).toBe(0);
  });
});
