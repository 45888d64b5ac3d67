import { describe, expect, it } from "vitest";
import type { ExperimentPage, KeyVerdict, Mutation } from "@/lib/wire";
import { UTC_CHOICE } from "@/components/format";
import { foldEvent, emptyLive } from "./live";
import { clockTime, gap, narrate, parallelShape, pictureCaption } from "./narrate";
import { buildSpacetime, presenterSteps } from "./spacetime";
import { pointText, rangeText } from "./spacetime-chart";
import { PENDING_COLOR, VERDICT_STYLE } from "./verdicts";

// The seed scenario as the API reports it: 3 pages, obj_1100 deleted after page 1.
const page = (index: number, first: number, last: number, requestedAt: string, receivedAt: string, truncated = true): ExperimentPage => ({
  index,
  requestedAt,
  receivedAt,
  keyCount: last - first + 1,
  firstKey: `obj_${String(first).padStart(4, "0")}`,
  lastKey: `obj_${String(last).padStart(4, "0")}`,
  firstPosition: first,
  lastPosition: last,
  isTruncated: truncated,
  error: null,
});
const pages = [
  page(0, 0, 999, "2026-01-01T12:00:00.918Z", "2026-01-01T12:00:01.020Z"),
  page(1, 1000, 2000, "2026-01-01T12:00:01.304Z", "2026-01-01T12:00:01.400Z"),
  page(2, 2001, 2999, "2026-01-01T12:00:01.410Z", "2026-01-01T12:00:01.500Z", false),
];
const del: Mutation = {
  seq: 0,
  op: "delete",
  key: "obj_1100",
  position: 1100,
  trigger: { kind: "after-page", page: 0 },
  sentAt: "2026-01-01T12:00:01.030Z",
  ackedAt: "2026-01-01T12:00:01.104Z",
  ok: true,
  etag: null,
  error: null,
};
const verdict: KeyVerdict = { key: "obj_1100", position: 1100, verdict: "gone-early", start: { etag: "a" }, end: null, listed: null, page: 1, mutations: [0] };

describe("the spacetime picture", () => {
  it("draws each page at its answer over its key range, the cursor's staircase, and each mutation coloured by verdict", () => {
    const s = buildSpacetime({ pages, mutations: [del], verdicts: [verdict], startCount: 3000 });
    expect(s.segments.map((g) => [g.index, g.x1, g.x2, g.y])).toEqual([
      [0, 0, 999, 0.102],
      [1, 1000, 2000, 0.482],
      [2, 2001, 2999, 0.582],
    ]);
    expect(s.stairs).toEqual([
      { x: -1, y: 0 },
      { x: -1, y: 0.102 },
      { x: 999, y: 0.102 },
      { x: 999, y: 0.482 },
      { x: 2000, y: 0.482 },
      { x: 2000, y: 0.582 },
      { x: 3001, y: 0.582 },
    ]);
    expect(s.points).toEqual([{ x: 1100, y: 0.186, seq: 0, key: "obj_1100", op: "delete", verdict: "gone-early", color: VERDICT_STYLE["gone-early"].color }]);
    expect(s.ticks.map((t) => t.key)).toEqual(["obj_0000", "obj_0999", "obj_2000", "obj_2999"]);
    expect(s.yTicks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    expect([s.yDomain, s.yDecimals]).toEqual([[0, 0.6], 1]);
  });

  it("makes each mutation its own presenter step before the page that reveals it, and decides verdicts only once their page is shown", () => {
    const input = { pages, mutations: [del], verdicts: [verdict], startCount: 3000 };
    const steps = presenterSteps(pages, [del]);
    expect(steps.map((s) => [s.kind, s.pages, s.page, s.fresh])).toEqual([
      ["before", 0, null, []],
      ["page", 1, 0, []],
      ["mutations", 1, 1, [0]],
      ["page", 2, 1, []],
      ["page", 3, 2, []],
    ]);
    const atPage1 = buildSpacetime(input, steps[1] ?? null);
    expect([atPage1.segments.length, atPage1.points.length]).toEqual([1, 0]);
    expect(atPage1.ticks.map((t) => t.key)).toEqual(["obj_0000", "obj_0999", "obj_2999"]);
    // The delete is drawn before page 2 is: its fate is still open.
    const atDelete = buildSpacetime(input, steps[2] ?? null);
    expect([atDelete.segments.length, atDelete.points]).toEqual([1, [expect.objectContaining({ key: "obj_1100", verdict: null, color: PENDING_COLOR })]]);
    const atPage2 = buildSpacetime(input, steps[3] ?? null);
    expect(atPage2.segments.length).toBe(2);
    expect(atPage2.points[0]).toMatchObject({ key: "obj_1100", verdict: "gone-early" });
    const early = buildSpacetime({ ...input, verdicts: [{ ...verdict, page: 2 }] }, steps[3] ?? null);
    expect(early.points[0]).toMatchObject({ verdict: null, color: PENDING_COLOR });
  });

  it("gathers a crowd of mutations between two requests into one step, and puts those after the last request at the end", () => {
    const churn = Array.from({ length: 12 }, (_, i) => ({ ...del, seq: i, sentAt: `2026-01-01T12:00:01.0${String(30 + i)}Z` }));
    const late = { ...del, seq: 12, sentAt: "2026-01-01T12:00:01.450Z" };
    const steps = presenterSteps(pages, [...churn, late]);
    expect(steps.map((s) => [s.kind, s.fresh.length])).toEqual([
      ["before", 0],
      ["page", 0],
      ["mutations", 12],
      ["page", 0],
      ["page", 0],
      ["mutations", 1],
    ]);
    expect(steps.at(-1)?.visible.size).toBe(13);
  });

  it("draws the page in flight from its request to now over the keys ahead of the cursor", () => {
    const first = pages[0] as ExperimentPage;
    const s = buildSpacetime({
      pages: [first],
      mutations: [],
      verdicts: [],
      startCount: 3000,
      inFlight: { index: 1, requestedAt: "2026-01-01T12:00:01.100Z" },
      now: Date.parse("2026-01-01T12:00:01.918Z"),
    });
    expect(s.inFlight).toEqual({ index: 1, x1: 999, x2: 3001, yRequested: 0.182, yNow: 1 });
    expect(s.yDomain[1]).toBeGreaterThanOrEqual(1);
  });
});

describe("narration", () => {
  it("explains gone-early with the page's request time, the gap after the delete and the pass's start", () => {
    const text = narrate(verdict, { pages, mutations: [del], startedAt: pages[0]?.requestedAt ?? null, endedAt: null, timeZone: UTC_CHOICE });
    expect(text).toBe(
      "page 2 was requested at 12:00:01.304 UTC, 200 ms after obj_1100 was deleted, so no page contains it, although the bucket held it when the pass began at 12:00:00.918 UTC.",
    );
    expect(clockTime("2026-01-01T12:00:01.304Z", UTC_CHOICE)).toBe("12:00:01.304 UTC");
    expect(clockTime("2026-01-01T12:00:01.304Z", { mode: "local", local: "Asia/Tokyo" })).toBe("21:00:01.304 GMT+9");
    expect(gap("2026-01-01T12:00:00.000Z", "2026-01-01T12:00:01.500Z")).toBe("1.50 s");
    expect(narrate({ ...verdict, verdict: "consistent" }, { pages, mutations: [], startedAt: null, endedAt: null, timeZone: UTC_CHOICE })).toBeNull();
  });
});

describe("the live fold", () => {
  it("keeps pages in arrival order and mutations in log order", () => {
    let s = emptyLive();
    s = foldEvent(s, { type: "page", page: pages[0] as ExperimentPage });
    s = foldEvent(s, { type: "mutation", mutation: { ...del, seq: 1 } });
    s = foldEvent(s, { type: "mutation", mutation: del });
    expect(s.pages).toHaveLength(1);
    expect(s.mutations.map((m) => m.seq)).toEqual([0, 1]);
  });
});

describe("the custom schedule as typed", () => {
  it("reads 'after N' and 'at MS' steps, and names the lines it cannot read", async () => {
    const { parseSteps, formatSteps } = await import("./steps");
    const parsed = parseSteps("after 1 delete obj_1100\n\n# note\nat 1500 put obj_0500x\nlater delete x");
    expect(parsed.steps).toEqual([
      { afterPage: 1, op: "delete", key: "obj_1100" },
      { atMs: 1500, op: "put", key: "obj_0500x" },
    ]);
    expect(parsed.errors).toEqual([expect.stringMatching(/^line 5:/)]);
    expect(formatSteps(parsed.steps)).toBe("after 1 delete obj_1100\nat 1500 put obj_0500x");
  });

  it("refuses keys the server would refuse, with its reason, before anything is sent", async () => {
    const { parseSteps } = await import("./steps");
    const parsed = parseSteps("after 1 put ok.txt\nafter 1 put ../out.txt\nat 10 delete /rooted");
    expect(parsed.steps).toEqual([{ afterPage: 1, op: "put", key: "ok.txt" }]);
    expect(parsed.errors).toEqual([
      expect.stringMatching(/^line 2: "\.\.\/out\.txt": a key must not contain "\." or "\.\." path segments/),
      expect.stringMatching(/^line 3: "\/rooted": a key must not start with "\/"/),
    ]);
  });
});

describe("the spacetime picture of a parallel pass", () => {
  // 3000 keys, pages of 1000 (the last page of a range ends at its split point): range 0 lists
  // obj_0000..obj_0999, then the rest is split at obj_1999 into range 0 (..obj_1999) and range 1.
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, ms)).toISOString();
  const ranged = (p: ExperimentPage, range: number, n: number, after: number | null, through: number | null, beyond = 0): ExperimentPage => ({
    ...p,
    cursor: {
      range,
      page: n,
      after: after !== null ? `obj_${String(after).padStart(4, "0")}` : null,
      through: through !== null ? `obj_${String(through).padStart(4, "0")}` : null,
      afterPosition: after,
      throughPosition: through,
      beyond,
    },
  });
  const parallelPages = [
    ranged(page(0, 0, 999, at(0), at(100)), 0, 0, null, null),
    ranged(page(1, 2000, 2999, at(150), at(260), false), 1, 0, 1999, null),
    ranged(page(2, 1000, 1999, at(150), at(300)), 0, 1, null, 1999, 1),
  ];
  // obj_2500a is written after range 1 has listed it (missed); obj_1500a, an earlier key, is written
  // later still and listed by range 0, whose cursor had not reached it.
  const put = (seq: number, key: string, position: number, ms: number): Mutation => ({ ...del, seq, op: "put", key, position, sentAt: at(ms - 5), ackedAt: at(ms), etag: "n", trigger: { kind: "churn" } });
  const mutations = [put(0, "obj_2500a", 2500.5, 270), put(1, "obj_1500a", 1500.5, 280)];
  const verdicts: KeyVerdict[] = [
    { key: "obj_1500a", position: 1500.5, verdict: "seen-new", start: null, end: { etag: "n" }, listed: { etag: "n", page: 2 }, page: 2, mutations: [1] },
    { key: "obj_2500a", position: 2500.5, verdict: "missed", start: null, end: { etag: "n" }, listed: null, page: 1, mutations: [0] },
  ];

  it("draws one staircase per key range in its own colour, from its split point, and marks the split", () => {
    const s = buildSpacetime({ pages: parallelPages, mutations, verdicts, startCount: 3000 });
    expect(s.stairs).toEqual([]);
    expect(s.lanes.map((l) => [l.range, l.x1, l.x2, l.pages, l.keys, l.done, l.after, l.through])).toEqual([
      [0, -1, 1999.5, 2, 2000, true, null, "obj_1999"],
      [1, 1999.5, 3001, 1, 1000, true, "obj_1999", null],
    ]);
    expect(s.lanes[0]?.color).not.toBe(s.lanes[1]?.color);
    // Range 0 from time 0; range 1 from its first request, at its split point.
    expect(s.lanes[0]?.stairs).toEqual([
      { x: -1, y: 0 },
      { x: -1, y: 0.1 },
      { x: 999, y: 0.1 },
      { x: 999, y: 0.3 },
      { x: 1999.5, y: 0.3 },
    ]);
    expect(s.lanes[1]?.stairs).toEqual([
      { x: 1999.5, y: 0.15 },
      { x: 1999.5, y: 0.26 },
      { x: 3001, y: 0.26 },
    ]);
    expect(s.splits).toEqual([{ x: 1999.5, key: "obj_1999", y: 0.15, range: 1 }]);
    expect(s.ticks.map((t) => t.key)).toContain("obj_1999");
    expect(s.segments.map((g) => [g.index, g.range, g.color])).toEqual([
      [0, 0, s.lanes[0]?.color],
      [1, 1, s.lanes[1]?.color],
      [2, 0, s.lanes[0]?.color],
    ]);
  });

  it("draws a range's empty last page over the stretch it covered, not at the start of the axis", () => {
    const empty: ExperimentPage = { ...ranged(page(3, 0, 0, at(310), at(400)), 0, 2, null, 1999, 3), keyCount: 0, firstKey: null, lastKey: null, firstPosition: null, lastPosition: null };
    const withEmpty = [parallelPages[0], parallelPages[1], ranged(page(2, 1000, 1999, at(150), at(300)), 0, 1, null, 1999), empty] as ExperimentPage[];
    const s = buildSpacetime({ pages: withEmpty, mutations: [], verdicts: [], startCount: 3000 });
    expect(s.segments.at(-1)).toMatchObject({ index: 3, range: 0, x1: 1999, x2: 1999.5 });
    expect(s.lanes[0]?.stairs.at(-1)).toEqual({ x: 1999.5, y: 0.4 });
  });

  it("in presenter mode draws only the ranges whose pages are revealed", () => {
    const steps = presenterSteps(parallelPages, mutations);
    const afterTwo = steps.find((st) => st.kind === "page" && st.pages === 2);
    const s = buildSpacetime({ pages: parallelPages, mutations, verdicts, startCount: 3000 }, afterTwo ?? null);
    expect(s.lanes.map((l) => [l.range, l.pages, l.done])).toEqual([
      [0, 1, false],
      [1, 1, true],
    ]);
    // Range 0 has not ended yet: its staircase stops at its cursor, its end is not given away.
    expect(s.lanes[0]?.stairs.at(-1)).toEqual({ x: 999, y: 0.1 });
  });

  it("explains the shape: one frontier against several, and names the pair of keys that shows it", () => {
    const [, parallelText] = pictureCaption(true);
    expect(pictureCaption(false)).toHaveLength(1);
    expect(parallelText).toMatch(/one frontier per range/);
    const ctx = { pages: parallelPages, mutations, startedAt: at(0), endedAt: at(300), timeZone: UTC_CHOICE };
    expect(parallelShape(verdicts, ctx)).toBe(
      "obj_2500a was written at 12:00:00.270 UTC and missed: range 1's cursor had already passed it. obj_1500a, earlier in key order, was written later, at 12:00:00.280 UTC, and listed: range 0's cursor had not reached it yet. With one cursor that cannot happen: once it has passed a key, it has passed every key before it.",
    );
    // A sequential pass has no such pair to show.
    expect(parallelShape(verdicts, { ...ctx, pages })).toBeNull();
    expect(narrate(verdicts[1] as KeyVerdict, ctx)).toMatch(/^obj_2500a was written at 12:00:00\.270 UTC, 5 ms after page 2 \(range 1\) had been answered .*: range 1's cursor had already passed it, and only that cursor lists its keys/);
  });
});

describe("split points in words", () => {
  it("writes the end of a block of keys as prefix*, escapes control characters and names open ends", () => {
    expect(pointText("obj_0\u{10FFFF}")).toBe("obj_0*");
    expect(pointText("obj\u{10FFFF}\u{10FFFF}")).toBe("obj*");
    expect(pointText("obj_0399")).toBe("obj_0399");
    expect(pointText("a\nb")).toBe("a\\nb");
    expect(rangeText(null, "obj_0\u{10FFFF}")).toBe("from the start through obj_0*");
    expect(rangeText("obj_0\u{10FFFF}", null)).toBe("after obj_0* through the end");
  });
});
