import { describe, expect, it } from "vitest";
import { errorResponse } from "./errors";
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

  it("counts a body without Content-Length as it arrives: over the limit it is read to its end and dropped, the connection kept", async () => {
    expect(await readJson(chunked(jsonOfSize(MiB)), MiB)).toHaveLength(MiB - 2);
    const big = chunked(jsonOfSize(4 * MiB));
    expect(big.headers.get("content-length")).toBeNull();
    await expect(readJson(big, MiB)).rejects.toMatchObject({ code: "payload_too_large", headers: {} });
    expect((big as Request & { pulled: number }).pulled).toBeGreaterThanOrEqual(4 * MiB);
  });

  it("stops reading a body far over the limit and closes its connection after the answer", async () => {
    const huge = chunked(jsonOfSize(64 * MiB));
    await expect(readJson(huge, MiB)).rejects.toMatchObject({ code: "payload_too_large", headers: { Connection: "close" } });
    expect((huge as Request & { pulled: number }).pulled).toBeLessThanOrEqual(8 * MiB + 3 * 64 * 1024);
    const res = errorResponse(await readJson(chunked(jsonOfSize(64 * MiB)), MiB).catch((e: unknown) => e));
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("refuses a declared Content-Length far over the limit before reading anything", async () => {
    const req = chunked(jsonOfSize(100));
    const declared = new Request(req, { headers: { "content-length": String(64 * MiB) }, duplex: "half" } as RequestInit);
    await expect(readJson(declared, MiB)).rejects.toMatchObject({ code: "payload_too_large" });
    expect((req as Request & { pulled: number }).pulled).toBeLessThanOrEqual(64 * 1024);
  });

  it("still answers malformed JSON with 400 bad_request, and takes a byte order mark as request.json() does", async () => {
    await expect(readJson(new Request("http://localhost/", { method: "POST", body: "{nope" }), MiB)).rejects.toMatchObject({ code: "bad_request" });
    expect(await readJson(new Request("http://localhost/", { method: "POST", body: '\uFEFF{"a":1}' }), MiB)).toEqual({ a: 1 });
  });
});
