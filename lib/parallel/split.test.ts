import { describe, expect, it } from "vitest";
import { compareKeys } from "@/lib/wire";
import { newRange, RangePlan, type RangeRecord } from "./plan";
import { codePoints, KeyShape, snapToCommonPrefix, splitPoints } from "./split";
import { seededRandom } from "@/lib/random";

// The splitter is judged by two things: ranges never overlap or leave gaps (every key belongs to
// exactly one), which is a matter of (after, through] arithmetic; and the points it picks, which
// only affect balance.

const AWKWARD = ["a", "b", "z", "/", "0", "9", "-", ".", " ", "+", "%", "\t", "\u0001", "é", "\uFFFD", "\uE000", "😀", "\u{10FFFF}"];

function randomKey(random: () => number, prefix = ""): string {
  let s = prefix;
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) s += AWKWARD[Math.floor(random() * AWKWARD.length)];
  return s;
}

/** The ranges that hold `key`: after < key <= through. */
function owners(ranges: readonly RangeRecord[], key: string): number[] {
  return ranges.filter((r) => (r.after === null || compareKeys(key, r.after) > 0) && (r.through === null || compareKeys(key, r.through) <= 0)).map((r) => r.id);
}

describe("key ranges", () => {
  it("give every key exactly one range however they are split: prefixes of each other, astral, control characters, keys equal to a point", () => {
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const keys = Array.from({ length: 40 }, () => randomKey(random)).sort(compareKeys);
      const plan = new RangePlan({ prefix: "", delimiter: null, pageSize: 5 }, [newRange(0, null, null, null, "listing")]);
      for (let s = 0; s < 6; s++) {
        const r = plan.ranges[Math.floor(random() * plan.ranges.length)] as RangeRecord;
        // Points: existing keys (a key equal to a point), strings between keys, prefixes of keys.
        const pool = [...keys, ...keys.map((k) => k.slice(0, Math.max(1, k.length - 1))), randomKey(random)];
        const points = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pool[Math.floor(random() * pool.length)] as string))]
          .filter((p) => (r.after === null || compareKeys(p, r.after) > 0) && (r.through === null || compareKeys(p, r.through) < 0))
          .sort(compareKeys);
        if (points.length > 0) plan.split(r, points);
      }
      for (const k of keys) expect(owners(plan.ranges, k), `${JSON.stringify(k)} in round ${round}`).toHaveLength(1);
      for (let i = 1; i < plan.ranges.length; i++) {
        expect((plan.ranges[i] as RangeRecord).after).toBe((plan.ranges[i - 1] as RangeRecord).through);
      }
    }
  });
});

describe("split points", () => {
  const shape = new KeyShape("");
  const page = Array.from({ length: 1000 }, (_, i) => `obj_${String(i).padStart(6, "0")}`);
  for (const k of page) shape.observe(k);
  const pageWidth = () => KeyShape.logWidth(shape.span(codePoints(page[0] as string), codePoints(page[999] as string)));
  const logPageWidth = pageWidth();

  it("lie strictly between the cursor and the range's end, ascending and distinct", () => {
    const random = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const [a, b] = [randomKey(random, "obj_"), randomKey(random, "obj_")].sort(compareKeys) as [string, string];
      if (a === b) continue;
      const through = random() < 0.3 ? null : b;
      const points = splitPoints(shape, { position: a, through, logPageWidth: logPageWidth - 30, count: 1 + Math.floor(random() * 16), delimiter: null });
      for (const p of points) {
        expect(compareKeys(p, a)).toBeGreaterThan(0);
        if (through !== null) expect(compareKeys(p, through)).toBeLessThan(0);
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1024);
      }
      expect([...points].sort(compareKeys)).toEqual(points);
      expect(new Set(points).size).toBe(points.length);
    }
  });

  it("gallop past the first page of an open-ended range through the blocks its last key sits in", () => {
    const points = splitPoints(shape, { position: page[999] as string, through: null, logPageWidth, count: 15, delimiter: null });
    expect(points).toEqual(expect.arrayContaining(["obj_00\u{10FFFF}", "obj_0\u{10FFFF}", "obj_\u{10FFFF}", "o\u{10FFFF}"]));
    expect(points.every((p) => compareKeys(p, "obj_001000") > 0)).toBe(true);
  });

  it("halve a bounded range among the characters its keys use, past runs that never vary", () => {
    const logs = new KeyShape("logs/");
    const keys = Array.from({ length: 400 }, (_, i) => `logs/2024-01-0${1 + (i % 9)}/host-${i % 3}/part-${String(i).padStart(6, "0")}.json.gz`).sort(compareKeys);
    for (const k of keys) logs.observe(k);
    const [mid] = splitPoints(logs, { position: "logs/2024-01-01/host-0/part-000000.json.gz", through: "logs/2024-01-01/host-0/\u{10FFFF}", logPageWidth: -40, count: 1, delimiter: null });
    expect(mid).toMatch(/^logs\/2024-01-01\/host-0\/part-/);
  });

  it("move into the common prefix a point falls in when the pass rolls keys up by a delimiter", () => {
    expect(snapToCommonPrefix("photos/2021/wed", "photos/", "/")).toBe("photos/2021/");
    expect(snapToCommonPrefix("photos/2021", "photos/", "/")).toBe("photos/2021");
    expect(snapToCommonPrefix("a::b::c", "", "::")).toBe("a::");
    expect(snapToCommonPrefix("a/b", "", null)).toBe("a/b");
    const folders = new KeyShape("");
    for (const f of ["2019/", "2020/", "2021/", "2022/", "2023/", "zz.txt"]) folders.observe(f);
    const points = splitPoints(folders, { position: "2019/", through: null, logPageWidth: -40, count: 8, delimiter: "/" });
    for (const p of points) expect(p.indexOf("/") === -1 || p.indexOf("/") === p.length - 1).toBe(true);
  });
});
