import { describe, expect, it } from "vitest";
import { readJson } from "./validate";

const MiB = 1024 * 1024;

/** A body of exactly `bytes` bytes of JSON: a string padded to size. */
function jsonOfSize(bytes: number): string {
  return `"${"x".repeat(bytes - 2)}"`;
}

/** A request whose body arrives in chunks with no Content-Length, as a chunked upload does. */
function chunked(text: string, chunk = 64 * 1024): Request {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
      pulled += chunk;
    },
  });
  const req = new Request("http://localhost/api/x", { method: "POST", body, duplex: "half" } as RequestInit);
  Object.defineProperty(req, "pulled", { get: () => pulled });
  return req;
}

describe("reading a JSON body", () => {
  it("accepts a body of exactly 1 MiB and refuses 1 MiB + 1 byte with 413 payload_too_large", async () => {
    expect(await readJson(new Request("http://localhost/", { method: "POST", body: jsonOfSize(MiB) }), MiB)).toHaveLength(MiB - 2);
    await expect(readJson(new Request("http://localhost/", { method: "POST", body: jsonOfSize(MiB + 1) }), MiB)).rejects.toMatchObject({
      code: "payload_too_large",
      status: 413,
      message: "The request body is larger than 1 MiB, the most this server accepts (BUCKETSCOPE_MAX_JSON_BYTES).",
    });
  });

  it("counts a body without Content-Length as it arrives and stops reading once past the limit", async () => {
    expect(await readJson(chunked(jsonOfSize(MiB)), MiB)).toHaveLength(MiB - 2);
    const big = chunked(jsonOfSize(8 * MiB));
    expect(big.headers.get("content-length")).toBeNull();
    await expect(readJson(big, MiB)).rejects.toMatchObject({ code: "payload_too_large" });
    expect((big as Request & { pulled: number }).pulled).toBeLessThanOrEqual(MiB + 3 * 64 * 1024);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const req = chunked(jsonOfSize(100));
    const declared = new Request(req, { headers: { "content-length": String(MiB + 1) }, duplex: "half" } as RequestInit);
    await expect(readJson(declared, MiB)).rejects.toMatchObject({ code: "payload_too_large" });
  });

  it("still answers malformed JSON with 400 bad_request, and takes a byte order mark as request.json() does", async () => {
    await expect(readJson(new Request("http://localhost/", { method: "POST", body: "{nope" }), MiB)).rejects.toMatchObject({ code: "bad_request" });
    expect(await readJson(new Request("http://localhost/", { method: "POST", body: '\uFEFF{"a":1}' }), MiB)).toEqual({ a: 1 });
  });
});
