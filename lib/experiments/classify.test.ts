import { describe, expect, it } from "vitest";
import type { Mutation } from "@/lib/wire";
import { classifyKey, classifyKeys, coveringPage, positionIn, summarize, type PageRange } from "./classify";
import { ChurnChooser, seededRandom } from "./scenarios";

const v = (etag: string) => ({ etag });

describe("one key's verdict from start, end and listing", () => {
  it("names each way a pass can disagree with the bucket", () => {
    expect(classifyKey(v("a"), v("a"), v("a"))).toBe("consistent");
    expect(classifyKey(null, v("n"), null)).toBe("missed");
    expect(classifyKey(v("a"), v("a"), null)).toBe("missed");
    expect(classifyKey(v("a"), null, v("a"))).toBe("phantom");
    expect(classifyKey(null, v("n"), v("n"))).toBe("seen-new");
    expect(classifyKey(v("a"), v("b"), v("b"))).toBe("seen-new");
    expect(classifyKey(v("a"), null, null)).toBe("gone-early");
    expect(classifyKey(v("a"), v("b"), v("a"))).toBe("stale-version");
    expect(classifyKey(null, null, null)).toBe("consistent");
  });
});

describe("positions and covering pages", () => {
  const start = ["obj_0", "obj_1", "obj_2", "obj_3"];
  it("puts keys the start held at their index and new keys between their neighbours", () => {
    expect(positionIn(start, "obj_0")).toBe(0);
    expect(positionIn(start, "obj_2")).toBe(2);
    expect(positionIn(start, "obj_1a")).toBe(1.5);
    expect(positionIn(start, "a")).toBe(-0.5);
    expect(positionIn(start, "z")).toBe(3.5);
  });

  it("finds the page whose range holds a key; the last page holds the rest; a failed pass covers nothing after it", () => {
    const pages: PageRange[] = [
      { index: 0, lastKey: "obj_1", isTruncated: true, failed: false },
      { index: 1, lastKey: "obj_3", isTruncated: false, failed: false },
    ];
    expect(coveringPage(pages, "obj_0")).toBe(0);
    expect(coveringPage(pages, "obj_1")).toBe(0);
    expect(coveringPage(pages, "obj_1a")).toBe(1);
    expect(coveringPage(pages, "zzz")).toBe(1);
    expect(coveringPage([pages[0] as PageRange, { index: 1, lastKey: null, isTruncated: false, failed: true }], "obj_2")).toBeNull();
  });
});

describe("every key of an experiment", () => {
  const mutation = (seq: number, op: Mutation["op"], key: string): Mutation => ({
    seq,
    op,
    key,
    position: 0,
    trigger: { kind: "after-page", page: 0 },
    sentAt: "2026-01-01T00:00:00.000Z",
    ackedAt: "2026-01-01T00:00:00.010Z",
    ok: true,
    etag: op === "delete" ? null : "new",
    error: null,
  });

  it("gives each key one verdict in key order, and answers start/end equality in one line", () => {
    const start = new Map([
      ["a", "1"],
      ["b", "1"],
      ["c", "1"],
    ]);
    const end = new Map([
      ["a", "1"],
      ["c", "1"],
    ]);
    const listed = new Map([
      ["a", { etag: "1", page: 0 }],
      ["c", { etag: "1", page: 1 }],
    ]);
    const pages: PageRange[] = [
      { index: 0, lastKey: "a", isTruncated: true, failed: false },
      { index: 1, lastKey: "c", isTruncated: false, failed: false },
    ];
    const input = { start, end, listed, mutations: [mutation(0, "delete", "b")], pages };
    const verdicts = classifyKeys(input);
    expect(verdicts.map((k) => [k.key, k.verdict, k.page, k.mutations])).toEqual([
      ["a", "consistent", 0, []],
      ["b", "gone-early", 1, [0]],
      ["c", "consistent", 1, []],
    ]);
    const result = summarize(input, verdicts, 2);
    expect(result).toMatchObject({ equalsStart: false, equalsEnd: true, startKeys: 3, endKeys: 2, listedKeys: 2, mutations: 1 });
    expect(result.counts["gone-early"]).toBe(1);
    expect(result.line).toBe("The pass differs from the bucket at its start (1 key: b) and matches the bucket at its end.");
  });
});

describe("the churn mutator's choices", () => {
  it("are the same for the same seed and stay within live keys", () => {
    const keys = ["obj_0000", "obj_0001", "obj_0002"];
    const a = new ChurnChooser(seededRandom(42), keys, 3);
    const b = new ChurnChooser(seededRandom(42), keys, 3);
    const ops = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(ops);
    const live = new Set(keys);
    for (const { op, key } of ops) {
      if (op === "put") {
        expect(live.has(key)).toBe(false);
        live.add(key);
      } else {
        expect(live.has(key)).toBe(true);
        if (op === "delete") live.delete(key);
      }
    }
  });
});
