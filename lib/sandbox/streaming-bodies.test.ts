import { createHash, randomBytes } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumOf } from "./checksums";
import { chunkSignature, deriveSigningKey, trailerSignature, type ChunkSigningContext } from "./sigv4";
import { rawRequest, sdkClient, startTestSandbox, type SeedSignature, type TestSandbox } from "./test-helpers";

// aws-chunked bodies over real HTTP, in the framings no captured client used but others do (Java SDK v1
// signed chunks, signed trailers), with piece boundaries unrelated to the chunk boundaries.

let sandbox: TestSandbox;
let s3: S3Client;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = sdkClient(sandbox);
  await s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

function signingContext(seed: SeedSignature): ChunkSigningContext {
  const [date = "", region = "", service = ""] = seed.scope.split("/");
  return { signingKey: deriveSigningKey(sandbox.secretAccessKey, date, region, service), amzDate: seed.amzDate, scope: seed.scope, seedSignature: seed.signature };
}

const sha256Hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Signed aws-chunked encoding of `chunks`, optionally with signed trailers, cut into odd pieces. */
function signedBody(seed: SeedSignature, chunks: Buffer[], trailers?: string[], tamper?: "chunk" | "trailer"): Buffer[] {
  const ctx = signingContext(seed);
  const out: Buffer[] = [];
  let previous = seed.signature;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    let signature = chunkSignature(ctx, previous, sha256Hex(chunk));
    previous = signature;
    if (tamper === "chunk" && chunk.length > 0) signature = signature.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    out.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk);
    if (chunk.length > 0) out.push(Buffer.from("\r\n"));
  }
  if (trailers) {
    const canonical = trailers.map((t) => `${t}\n`).join("");
    let signature = trailerSignature(ctx, previous, canonical);
    if (tamper === "trailer") signature = "0".repeat(64);
    out.push(Buffer.from(`${trailers.map((t) => `${t}\r\n`).join("")}x-amz-trailer-signature:${signature}\r\n\r\n`));
  } else {
    out.push(Buffer.from("\r\n"));
  }
  return cutIntoPieces(Buffer.concat(out), 7919);
}

function cutIntoPieces(data: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return pieces;
}

async function stored(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: "bkt", Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

describe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", () => {
  const chunks = [randomBytes(65536), randomBytes(1000)];
  const headers = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "66536" };

  it("verifies every chunk signature, chained from the Authorization header's signature", async () => {
    const res = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/signed.bin",
      headers,
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      bodyPieces: (seed) => signedBody(seed, chunks),
    });
    expect(res.status, res.text).toBe(200);
    expect((await stored("signed.bin")).equals(Buffer.concat(chunks))).toBe(true);
  });

  it("rejects a body whose chunk signature is wrong, and a decoded length that does not match", async () => {
    const bad = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/forged.bin",
      headers,
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      bodyPieces: (seed) => signedBody(seed, chunks, undefined, "chunk"),
    });
    expect([bad.status, bad.code]).toEqual([403, "SignatureDoesNotMatch"]);
    const short = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/short.bin",
      headers: { ...headers, "x-amz-decoded-content-length": "70000" },
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      bodyPieces: (seed) => signedBody(seed, chunks),
    });
    expect([short.status, short.code]).toEqual([400, "IncompleteBody"]);
  });
});

describe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", () => {
  const data = randomBytes(100_000);
  const chunks = [data.subarray(0, 65536), data.subarray(65536)];
  const crc32c = checksumOf("CRC32C", data);
  const headers = {
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(data.length),
    "x-amz-trailer": "x-amz-checksum-crc32c",
  };

  it("verifies the signed trailer and stores its checksum", async () => {
    const res = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/trailer.bin",
      headers,
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      bodyPieces: (seed) => signedBody(seed, chunks, [`x-amz-checksum-crc32c:${crc32c}`]),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers["x-amz-checksum-crc32c"]).toBe(crc32c);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "trailer.bin", ChecksumMode: "ENABLED" }));
    expect(head.ChecksumCRC32C).toBe(crc32c);
    expect((await stored("trailer.bin")).equals(data)).toBe(true);
  });

  it("rejects a wrong trailer signature (SignatureDoesNotMatch) and a wrong trailer checksum (BadDigest)", async () => {
    const forged = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/trailer-forged.bin",
      headers,
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      bodyPieces: (seed) => signedBody(seed, chunks, [`x-amz-checksum-crc32c:${crc32c}`], "trailer"),
    });
    expect([forged.status, forged.code]).toEqual([403, "SignatureDoesNotMatch"]);
    const wrong = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/trailer-wrong.bin",
      headers,
      contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      bodyPieces: (seed) => signedBody(seed, chunks, ["x-amz-checksum-crc32c:AAAAAA=="]),
    });
    expect([wrong.status, wrong.code]).toEqual([400, "BadDigest"]);
  });
});

describe("unsigned framings", () => {
  it("rejects an unsigned aws-chunked body whose trailer checksum is wrong", async () => {
    const res = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/unsigned-wrong.txt",
      headers: { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "3", "x-amz-trailer": "x-amz-checksum-crc32" },
      contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      bodyPieces: () => [Buffer.from("3\r\nab"), Buffer.from("c\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")],
    });
    expect([res.status, res.code]).toEqual([400, "BadDigest"]);
  });

  it("stores a plain HTTP-chunked UNSIGNED-PAYLOAD body literally, even when it looks aws-chunked (§3.2)", async () => {
    const lookalike = "a\r\n0123456789\r\n0\r\n\r\n";
    const res = await rawRequest(sandbox, {
      method: "PUT",
      path: "/bkt/lookalike.txt",
      contentSha256: "UNSIGNED-PAYLOAD",
      bodyPieces: () => [Buffer.from(lookalike.slice(0, 5)), Buffer.from(lookalike.slice(5))],
    });
    expect(res.status, res.text).toBe(200);
    expect((await stored("lookalike.txt")).toString()).toBe(lookalike);
  });
});
