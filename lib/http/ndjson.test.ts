import { describe, expect, it, vi } from "vitest";
import { AppError } from "./errors";
import { ndjsonChunks, ndjsonLine, ndjsonResponse } from "./ndjson";

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

async function* failingAfterOne(err: unknown): AsyncGenerator<{ type: string }> {
  yield { type: "start" };
  await Promise.resolve();
  throw err;
}

describe("an NDJSON stream that fails after it started", () => {
  it("ends with an internal_error line carrying an id the server log also carries, never the internal message", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const res = await ndjsonResponse(failingAfterOne(new Error("SQLITE_IOERR reading /secret/db")), new AbortController().signal);
      expect(res.status).toBe(200);
      const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as { type: string; error?: { code: string; message: string; id?: string } });
      expect(lines.map((l) => l.type)).toEqual(["start", "error"]);
      const error = lines[1]?.error;
      expect(error?.code).toBe("internal_error");
      expect(error?.id).toMatch(/^[0-9a-f]{12}$/);
      expect(JSON.stringify(lines)).not.toContain("secret");
      const logged = log.mock.calls.map((c) => c.map(String).join(" ")).join("\n");
      expect(logged).toContain(error?.id ?? "no id");
      expect(logged).toContain("/secret/db");
    } finally {
      log.mockRestore();
    }
  });

  it("ends with an AppError's own code and words", async () => {
    const res = await ndjsonResponse(failingAfterOne(new AppError("upstream_unreachable", "The endpoint went away.")), new AbortController().signal);
    const last = JSON.parse((await res.text()).trim().split("\n").at(-1) ?? "") as unknown;
    expect(last).toEqual({ type: "error", error: { code: "upstream_unreachable", message: "The endpoint went away." } });
  });
});
