import { describe, expect, it } from "vitest";
import { ndjsonChunks, ndjsonLine } from "./ndjson";

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
      expect(text(Buffer.concat(ndjsonChunks(v)))).toBe(`${JSON.stringify(v)}\n`);
    }
  });

  it("sends a page event of 1000 entries (~150 KB) in chunks that stay far below 128 KB, split anywhere between slices", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ key: `photos/2024/${"é😀".repeat(i % 7)}${i}`, size: i, etag: `"${i}"`, lastModified: "2024-01-01T00:00:00.000Z", storageClass: "STANDARD" }));
    const event = { type: "page", page: { index: 0 }, entries, commonPrefixes: [] };
    const chunks = ndjsonChunks(event);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(c.byteLength).toBeLessThan(64 * 1024);
    expect(text(Buffer.concat(chunks))).toBe(`${JSON.stringify(event)}\n`);
  });
});
