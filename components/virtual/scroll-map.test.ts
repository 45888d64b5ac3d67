import { describe, expect, it } from "vitest";
import { isScaled, physicalFor, positionAt, scrollSpace, scrolled, virtualFor } from "./scroll-map";

// A 10M-row list of 26 px rows in a 600 px viewport, in a box capped at 8M px.
const ROWS = 10_000_000;
const H = 26;
const VP = 600;
const space = scrollSpace(ROWS * H, VP);

describe("the scroll map of a list taller than the box", () => {
  it("keeps a short list one to one", () => {
    const small = scrollSpace(1000 * H, VP);
    expect(isScaled(small)).toBe(false);
    expect(scrolled(small, { virtual: 0, physical: 0 }, 5000, VP)).toEqual({ virtual: 5000, physical: 5000 });
  });

  it("caps the box and maps its ends onto the list's ends", () => {
    expect(space.boxHeight).toBe(8_000_000);
    expect(isScaled(space)).toBe(true);
    expect(virtualFor(space, 0)).toBe(0);
    expect(virtualFor(space, space.physicalMax)).toBe(ROWS * H - VP);
    expect(physicalFor(space, ROWS * H - VP)).toBe(space.physicalMax);
    for (const y of [0, 1, space.edge, space.edge + 1, 123_456_789, space.virtualMax - space.edge, space.virtualMax]) {
      expect(Math.abs(virtualFor(space, physicalFor(space, y)) - y)).toBeLessThanOrEqual(32);
    }
  });

  it("reaches the last row by sending the thumb to the end (a jump)", () => {
    const at = scrolled(space, { virtual: 0, physical: 0 }, space.physicalMax, VP);
    expect(at.virtual).toBe(space.virtualMax);
    expect(Math.ceil((at.virtual + VP) / H) - 1).toBe(ROWS - 1);
  });

  it("moves rows one to one on small scrolls, and moves the thumb back once it drifts", () => {
    let at = positionAt(space, 130_000_000);
    const start = at;
    let thumbMoves = 0;
    for (let i = 0; i < 2000; i++) {
      const next = scrolled(space, at, at.physical + 100, VP);
      expect(next.virtual).toBe(at.virtual + 100);
      if (next.physical !== at.physical + 100) thumbMoves++;
      at = next;
    }
    expect(at.virtual - start.virtual).toBe(200_000);
    expect(thumbMoves).toBeGreaterThan(0);
    expect(Math.abs(at.physical - physicalFor(space, at.virtual))).toBeLessThanOrEqual(space.physicalMax / 400);
  });

  it("never leaves the thumb stuck at an end while rows remain beyond it", () => {
    // Scrolling up from row 100,000 by wheel reaches row 0.
    let at = positionAt(space, 100_000 * H);
    for (let i = 0; i < 100_000 && at.virtual > 0; i++) at = scrolled(space, at, Math.max(0, at.physical - 120), VP);
    expect(at).toEqual({ virtual: 0, physical: 0 });
    // And down from 100,000 rows before the end reaches the last row.
    at = positionAt(space, space.virtualMax - 100_000 * H);
    for (let i = 0; i < 100_000 && at.virtual < space.virtualMax; i++) at = scrolled(space, at, Math.min(space.physicalMax, at.physical + 120), VP);
    expect(at).toEqual({ virtual: space.virtualMax, physical: space.physicalMax });
  });
});
