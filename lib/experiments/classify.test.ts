import { describe, expect, it } from "vitest";
import type { Mutation } from "@/lib/wire";
import { classifyKey, classifyKeys, coveringPage, positionIn, summarize, type PageRange } from "./classify";
import { seededRandom } from "@/lib/random";
import { ChurnChooser } from "./scenarios";

const v = (etag: string) => ({ etag });

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

describe("covering pages of a parallel pass", () => {
  // Range 0 lists from the start; after its first page it is split at obj_3 and obj_6: range 1 holds
  // (obj_3, obj_6], range 2 (obj_6, end]. Pages are indexed in the order they were answered.
  const cursor = (range: number, page: number, after: string | null, through: string | null, beyond = 0) => ({ range, page, after, through, beyond });
  const pages: PageRange[] = [
    { index: 0, lastKey: "obj_1", isTruncated: true, failed: false, cursor: cursor(0, 0, null, null) },
    { index: 1, lastKey: "obj_5", isTruncated: true, failed: false, cursor: cursor(1, 0, "obj_3", "obj_6") },
    { index: 2, lastKey: "obj_9", isTruncated: false, failed: false, cursor: cursor(2, 0, "obj_6", null) },
    // Range 0's response reached past obj_3: cut there, the range ended.
    { index: 3, lastKey: "obj_3", isTruncated: true, failed: false, cursor: cursor(0, 1, null, "obj_3", 2) },
    // Range 1's last page had nothing of its own left: empty, and it ended.
    { index: 4, lastKey: null, isTruncated: true, failed: false, cursor: cursor(1, 1, "obj_3", "obj_6", 1) },
  ];

  it.each([
    ["obj_0", 0],
    ["obj_1", 0],
    ["obj_2", 3],
    ["obj_3", 3],
    ["obj_3a", 1],
    ["obj_5", 1],
    ["obj_5a", 4],
    ["obj_6", 4],
    ["obj_6a", 2],
    ["zzz", 2],
  ])("%s is decided by the page of the range holding it: page index %i", (key, index) => {
    expect(coveringPage(pages, key)).toBe(index);
  });

  it("takes a range's end from its latest page, not from a page recorded before the split", () => {
    // Range 0's first page still says "through the end"; obj_7 is range 2's all the same.
    expect(coveringPage([pages[2] as PageRange, pages[0] as PageRange], "obj_7")).toBe(2);
    // Before range 2 answered anything, no page has decided obj_7 yet; range 0 has not reached it.
    expect(coveringPage([pages[0] as PageRange], "obj_7")).toBeNull();
  });

  it("leaves keys of a failed range or of a range never listed undecided, and other ranges decided", () => {
    const failed: PageRange[] = [pages[0] as PageRange, pages[1] as PageRange, pages[2] as PageRange, { index: 3, lastKey: null, isTruncated: false, failed: true, cursor: cursor(0, 1, null, "obj_3") }];
    expect(coveringPage(failed, "obj_2")).toBeNull();
    expect(coveringPage(failed, "obj_4")).toBe(1);
    expect(coveringPage(failed, "obj_8")).toBe(2);
    expect(coveringPage(failed, "obj_5a")).toBeNull();
  });

  it("ignores withdrawn pages: after a fall back to one cursor, range 0 decides every key", () => {
    const fellBack: PageRange[] = [
      { index: 0, lastKey: "obj_1", isTruncated: true, failed: false, cursor: cursor(0, 0, null, null) },
      { index: 1, lastKey: "obj_5", isTruncated: true, failed: false, cursor: { ...cursor(1, 0, "obj_3", "obj_6"), withdrawn: true } },
      { index: 2, lastKey: "obj_9", isTruncated: false, failed: false, cursor: cursor(0, 1, null, null) },
    ];
    expect(coveringPage(fellBack, "obj_4")).toBe(2);
  });

  it("lets a later key be missed while an earlier one is seen new: each range has its own frontier", () => {
    // After page index 1 (range 1 has passed obj_5) and before page index 3 (range 0 has only reached
    // obj_1), obj_4a and obj_2a are inserted: obj_4a is behind range 1's cursor, obj_2a ahead of range 0's.
    const start = new Map<string, string>(["obj_0", "obj_1", "obj_2", "obj_3", "obj_4", "obj_5", "obj_6", "obj_7", "obj_8", "obj_9"].map((k) => [k, "1"]));
    const end = new Map<string, string>([...start, ["obj_2a", "new"], ["obj_4a", "new"]]);
    const listed = new Map<string, { etag: string; page: number }>([...start].map(([k]) => [k, { etag: "1", page: k <= "obj_1" ? 0 : k <= "obj_3" ? 3 : k <= "obj_5" ? 1 : 2 }]));
    listed.set("obj_2a", { etag: "new", page: 3 });
    const mutations = [mutation(0, "put", "obj_4a"), mutation(1, "put", "obj_2a")];
    const verdicts = classifyKeys({ start, end, listed, mutations, pages });
    const of = (key: string) => verdicts.find((v) => v.key === key);
    expect([of("obj_2a")?.verdict, of("obj_2a")?.page]).toEqual(["seen-new", 3]);
    expect([of("obj_4a")?.verdict, of("obj_4a")?.page]).toEqual(["missed", 1]);
    expect(verdicts.filter((v) => v.verdict !== "consistent").map((v) => v.key)).toEqual(["obj_2a", "obj_4a"]);
  });
});

describe("every key of an experiment", () => {
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
