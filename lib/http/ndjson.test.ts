import { describe, expect, it } from "vitest";
import { ndjsonLine } from "./ndjson";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("ndjsonLine", () => {
  it("writes exactly JSON.stringify's UTF-8 and a newline, long arrays and unrepresentable values included", () => {
    const entries = Array.from({ length: 300 }, (_, i) => ({
      key: i % 3 === 0 ? `k/ü/😀/${i}` : `k/"quoted"\\${i}\n`,
      size: i,
      etag: i % 2 === 0 ? null : `"e${i}"`,
      skipped: undefined,
    }));
    const values: unknown[] = [
      { type: "page", page: { index: 3, anomalies: [] }, entries, commonPrefixes: ["a/", "ü/"] },
      { gone: undefined, fn: () => 1, list: [...Array.from({ length: 70 }, (_, i) => i), undefined, () => 1], "ké\"y": "v" },
      // Long arrays are written a slice at a time: what JSON.stringify writes as null (undefined, a function, a hole) stays null at any place.
      { long: [...Array.from({ length: 127 }, (_, i) => i), undefined, () => 1, ...Array.from({ length: 129 }, (_, i) => ({ i, u: undefined })), [1, [2]], "last"] },
      { sparse: Object.assign(new Array<number>(300), { 5: 1, 299: 2 }) },
      { exact: Array.from({ length: 256 }, (_, i) => i), tail: true },
      { only: undefined },
      {},
      [1, 2, 3],
      "text 😀",
      42,
      null,
      { at: new Date(0) },
    ];
    for (const v of values) {
      const line = ndjsonLine(v);
      expect(line).toBeInstanceOf(Uint8Array);
      expect(text(line)).toBe(`${JSON.stringify(v)}\n`);
    }
  });
});
