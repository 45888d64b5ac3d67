import { describe, expect, it } from "vitest";
import { overlaps, placeLabels } from "./labels";

describe("placing the picture's labels", () => {
  it("puts each label at its first free spot, most important first, and leaves out one with none", () => {
    const frame = { x: 0, y: 0, width: 200, height: 100 };
    const placed = placeLabels(
      [
        { id: "page 2", text: "page 2", width: 50, height: 14, spots: [{ x: 10, y: 10 }] },
        { id: "obj_1100", text: "obj_1100", width: 60, height: 14, spots: [{ x: 20, y: 12 }, { x: 20, y: 40 }] },
        { id: "crowded", text: "crowded", width: 60, height: 14, spots: [{ x: 15, y: 11 }, { x: 25, y: 41 }] },
        { id: "outside", text: "outside", width: 60, height: 14, spots: [{ x: 180, y: 10 }] },
      ],
      frame,
    );
    expect(placed.map((p) => [p.id, p.x, p.y])).toEqual([
      ["page 2", 10, 10],
      ["obj_1100", 20, 40],
    ]);
    for (const a of placed) for (const b of placed) if (a !== b) expect(overlaps(a, b, 0)).toBe(false);
  });

  it("keeps labels off the boxes already taken, and off the marks unless a label may lie over them", () => {
    const frame = { x: 0, y: 0, width: 100, height: 50 };
    const spots = [{ x: 0, y: 0 }, { x: 50, y: 0 }];
    const dot = { x: 5, y: 5, width: 10, height: 10 };
    expect(placeLabels([{ id: "k", text: "k", width: 20, height: 10, spots }], frame, [dot]).map((p) => p.x)).toEqual([50]);
    expect(placeLabels([{ id: "k", text: "k", width: 20, height: 10, spots }], frame, [], [dot]).map((p) => p.x)).toEqual([50]);
    expect(placeLabels([{ id: "page", text: "page 1", width: 20, height: 10, spots, overMarks: true }], frame, [], [dot]).map((p) => p.x)).toEqual([0]);
  });
});
