import { describe, expect, it } from "vitest";
import type { ExperimentPage, KeyVerdict, Mutation } from "@/lib/wire";
import { UTC_CHOICE } from "@/components/format";
import { foldEvent, emptyLive } from "./live";
import { clockTime, gap, narrate } from "./narrate";
import { buildSpacetime, presenterSteps } from "./spacetime";
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
