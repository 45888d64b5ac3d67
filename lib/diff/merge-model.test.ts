import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PassService } from "@/lib/passes";
import { serviceFor, startTestSandbox } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import type { DiffRow } from "@/lib/wire";
import { recordedChanges, type Layout } from "@/lib/passes";
import { DiffReader, mergeRuns, strategyFor, type DiffRun, type MergeStrategy } from "./merge";
import { planDiff, type ResolvedPlan } from "./plan";
import { rowsOfRun } from "./rows";
import { SideRows } from "./span-merge";

// The merge against a model: random buckets of hostile keys, random page sizes, random changes; all
// merge strategies must produce the same runs, and the runs must read back as exactly the diff a
// plain in-memory comparison of the bucket before and after gives.

let sandbox: Sandbox;
let passes: PassService;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await passes.close();
});

/** xorshift32, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const ALPHABET = ["a", "b", "/", " ", "+", "%", "é", "\uFF21", "\u{1F600}", "\u0001", "\t", "z"];
const byteOrder = (xs: Iterable<string>) => [...xs].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

interface Obj {
  etag: string;
  size: number;
  lastModified: string;
  storageClass: string;
}

function snapshot(bucket: string, prefix = ""): Map<string, Obj> {
  return new Map(
    sandbox.store.snapshotPrefix(bucket, prefix).map((v) => [
      v.key,
      { etag: v.etag, size: v.size, lastModified: v.lastModified.toISOString(), storageClass: v.storageClass },
    ]),
  );
}

function modelDiff(before: Map<string, Obj>, after: Map<string, Obj>, pageA: number, pageB: number): DiffRow[] {
  const pagesA = new Map(byteOrder(before.keys()).map((k, i) => [k, Math.floor(i / pageA)]));
  const pagesB = new Map(byteOrder(after.keys()).map((k, i) => [k, Math.floor(i / pageB)]));
  return byteOrder(new Set([...before.keys(), ...after.keys()])).map((key) => {
    const a = before.get(key);
    const b = after.get(key);
    const changed = a !== undefined && b !== undefined ? (["etag", "size", "lastModified", "storageClass"] as const).filter((f) => a[f] !== b[f]) : [];
    const kind = a === undefined ? "added" : b === undefined ? "removed" : changed.length > 0 ? "changed" : "unchanged";
    return {
      key,
      kind,
      changed,
      a: a !== undefined ? { page: pagesA.get(key) as number, ...a } : null,
      b: b !== undefined ? { page: pagesB.get(key) as number, ...b } : null,
    };
  });
}

async function recordPass(bucket: string, pageSize: number, prefix = "", layout: Layout = "entries"): Promise<string> {
  passes.store.newPassLayout = layout;
  const id = await passes.create({ connection: "sandbox", bucket, prefix, pageSize });
  expect((await passes.settled(id)).status).toBe("complete");
  return id;
}

/** Every row of a comparison, by the given strategy, read back through each side's own layout. */
function rowsBy(reader: DiffReader, resolved: ResolvedPlan, strategy: MergeStrategy): DiffRow[] {
  const sideA = new SideRows(reader.rows, resolved.a, reader.pages(resolved.a));
  const sideB = new SideRows(reader.rows, resolved.b, reader.pages(resolved.b));
  return [...mergeRuns(reader, resolved, strategy)].flatMap((run) =>
    rowsOfRun((f, l) => sideA.read(f, l), (f, l) => sideB.read(f, l), run),
  );
}

describe("the merge against a model", () => {
  // Each seed records eight passes over real HTTP: on a loaded machine that takes longer than the
  // default 30 s.
  for (const seed of [1, 7, 42, 2024]) {
    it(`seed ${seed}: every strategy gives the same runs, and the rows are the model's diff`, async () => {
      passes = serviceFor(sandbox);
      const random = prng(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
      const bucket = `model-${seed}`;
      sandbox.store.createBucket(bucket);
      const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
      const keys = new Set<string>();
      while (keys.size < 400) keys.add(Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(ALPHABET)).join(""));
      for (const key of keys) {
        sandbox.store.writeAt(at(0), () =>
          sandbox.store.putObject({ bucket, key, body: Buffer.from(`v1 ${key}`), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }),
        );
      }
      const pageA = 1 + Math.floor(random() * 40);
      const pageB = 1 + Math.floor(random() * 40);
      const before = snapshot(bucket);
      const a = await recordPass(bucket, pageA);
      const aSpans = await recordPass(bucket, pageA, "", "spans");

      for (const key of keys) {
        const r = random();
        if (r < 0.08) sandbox.store.deleteObject(bucket, key);
        else if (r < 0.12) sandbox.store.writeAt(at(5), () => sandbox.store.putObject({ bucket, key, body: Buffer.from("new body"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
        else if (r < 0.15) sandbox.store.writeAt(at(0), () => sandbox.store.putObject({ bucket, key, body: Buffer.from(`v1 ${key}`), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "GLACIER" } }));
        else if (r < 0.17) sandbox.store.writeAt(at(9), () => sandbox.store.putObject({ bucket, key, body: Buffer.from(`v1 ${key}`), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
      }
      for (let i = 0; i < 40; i++) {
        const key = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(ALPHABET)).join("");
        if (!keys.has(key)) sandbox.store.writeAt(at(7), () => sandbox.store.putObject({ bucket, key, body: Buffer.from("added"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
      }
      const after = snapshot(bucket);
      const b = await recordPass(bucket, pageB);
      const bSpans = await recordPass(bucket, pageB, "", "spans");
      // Page size A: the same target as aSpans, so they share storage.
      const bSameTarget = await recordPass(bucket, pageA, "", "spans");

      const resolved = planDiff(passes.store, a, b);
      expect(strategyFor(resolved)).toBe("aligned");
      const reader = new DiffReader(passes.store.file);
      try {
        const byDifferences: DiffRun[] = [...mergeRuns(reader, resolved, "differences")];
        const byKeys: DiffRun[] = [...mergeRuns(reader, resolved, "keys")];
        expect(byDifferences).toEqual(byKeys);
        expect([...mergeRuns(reader, resolved, "aligned")]).toEqual(byKeys);
        // Handing over to the differences strategy part-way gives the same runs.
        expect([...mergeRuns(reader, resolved, "aligned", { mismatchBudget: () => 5 })]).toEqual(byKeys);
        const read = (first: number, last: number) => reader.entryRange.all(first, last);
        const rows = byDifferences.flatMap((run) => rowsOfRun(read, read, run));
        expect(rows).toEqual(modelDiff(before, after, pageA, pageB));
        expect(rows.some((r) => r.kind === "changed")).toBe(true);

        // Over a narrower prefix: B's prefix is longer, so only its keys are compared.
        const narrow = await recordPass(bucket, pageB, "a");
        const narrowed = planDiff(passes.store, a, narrow);
        const inPrefix = [...mergeRuns(reader, narrowed, "differences")];
        expect(inPrefix).toEqual([...mergeRuns(reader, narrowed, "keys")]);
        expect([...mergeRuns(reader, narrowed, "aligned")]).toEqual(inPrefix);
        expect([...mergeRuns(reader, narrowed, "aligned", { mismatchBudget: () => 2 })]).toEqual(inPrefix);
        expect(inPrefix.flatMap((run) => rowsOfRun(read, read, run)).map((r) => r.key)).toEqual(
          byteOrder(new Set([...before.keys(), ...after.keys()])).filter((k) => k.startsWith("a")),
        );

        // Passes stored as spans: one target compared by the rows that changed between them, any
        // other pair (two targets, two layouts) by walking both; every way gives the model's rows.
        const sameTarget = planDiff(passes.store, aSpans, bSameTarget);
        expect(strategyFor(sameTarget)).toBe("recorded");
        const modelSame = modelDiff(before, after, pageA, pageA);
        expect(rowsBy(reader, sameTarget, "changes")).toEqual(modelSame);
        expect([...mergeRuns(reader, sameTarget, "changes")]).toEqual([...mergeRuns(reader, sameTarget, "merge")]);
        const backwards = planDiff(passes.store, bSameTarget, aSpans);
        expect(rowsBy(reader, backwards, "changes")).toEqual(modelDiff(after, before, pageA, pageA));
        // Consecutive passes of the target: the later one recorded its differences as it listed.
        const previous = pageA === pageB ? bSpans : aSpans;
        const consecutive = planDiff(passes.store, previous, bSameTarget);
        expect(recordedChanges(reader.db, consecutive.b.seq, consecutive.a.seq)).not.toBeNull();
        const modelConsecutive = pageA === pageB ? modelDiff(after, after, pageA, pageA) : modelSame;
        expect(rowsBy(reader, consecutive, "recorded")).toEqual(modelConsecutive);
        expect([...mergeRuns(reader, consecutive, "recorded")]).toEqual([...mergeRuns(reader, consecutive, "changes")]);
        const reversed = planDiff(passes.store, bSameTarget, previous);
        expect(rowsBy(reader, reversed, "recorded")).toEqual(pageA === pageB ? modelDiff(after, after, pageA, pageA) : modelDiff(after, before, pageA, pageA));
        expect([...mergeRuns(reader, reversed, "recorded")]).toEqual([...mergeRuns(reader, reversed, "changes")]);
        for (const [x, y] of [
          [aSpans, bSpans],
          [a, bSpans],
          [aSpans, b],
        ] as const) {
          const mixed = planDiff(passes.store, x, y);
          expect(strategyFor(mixed)).toBe("merge");
          expect(rowsBy(reader, mixed, "merge")).toEqual(modelDiff(before, after, pageA, pageB));
        }
        const narrowSpans = await recordPass(bucket, pageB, "a", "spans");
        for (const [x, y] of [
          [aSpans, narrowSpans],
          [a, narrowSpans],
          [narrowSpans, aSpans],
        ] as const) {
          const p = planDiff(passes.store, x, y);
          expect(rowsBy(reader, p, strategyFor(p)).map((r) => r.key)).toEqual(byteOrder(new Set([...before.keys(), ...after.keys()])).filter((k) => k.startsWith("a")));
        }
      } finally {
        reader.close();
      }
    }, 120_000);
  }
});
