import { createHash, type Hash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AwsChunkedDecoder } from "./aws-chunked";
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  checksumOf,
  checksumAlgorithmFromName,
  isWellFormedChecksum,
  md5Base64,
} from "./checksums";
import { S3Error } from "./errors";
import type { S3Request } from "./request";
import { EMPTY_SHA256, type VerifiedRequest } from "./sigv4";
import type { ChecksumAlgorithm } from "./store-types";

// Reads and checks a request body. The framing is chosen from the headers, never from the bytes
// (wire captures §3.2: a plain HTTP-chunked body and an aws-chunked one can look alike):
//   x-amz-content-sha256 = 64 hex            raw body, its SHA-256 must match
//   UNSIGNED-PAYLOAD                         raw body (Node has already removed HTTP chunking)
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER       aws-chunked, checksum in the trailer
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD       aws-chunked, every chunk signed
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks + signed trailer
// A Content-Encoding containing aws-chunked also selects the aws-chunked decoder.

export interface RequestBody {
  data: Buffer;
  /** The client's checksum (header or trailer), already verified against the data. */
  checksum: { algorithm: ChecksumAlgorithm; value: string } | undefined;
}

export interface BodyLimits {
  maxBytes: number;
}

const EMPTY = Buffer.alloc(0);

function hasAwsChunkedEncoding(s3req: S3Request): boolean {
  const encoding = s3req.header("content-encoding");
  return encoding !== undefined && encoding.split(",").some((t) => t.trim().toLowerCase() === "aws-chunked");
}

/** Content-Encoding as it should be stored: the transport-only aws-chunked token removed. */
export function storedContentEncoding(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const kept = header
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "" && t.toLowerCase() !== "aws-chunked");
  return kept.length > 0 ? kept.join(",") : undefined;
}

interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** Header value, or undefined when it comes in the trailer. */
  headerValue: string | undefined;
  trailerName: string | undefined;
}

function invalidChecksumValue(name: string): S3Error {
  return new S3Error("InvalidRequest", `Value for ${name} header is invalid.`);
}

/**
 * Checks checksum headers before the body is read, so a malformed request fails fast.
 *
 * Only headers and aws-chunked trailers count. A presigned PUT from the JS SDK carries
 * x-amz-checksum-crc32=AAAAAA== (the CRC32 of an *empty* body) in its query string; S3 reportedly
 * enforces it (aws/aws-sdk-js-v3#6994), which breaks every real upload through such a URL. The
 * sandbox deliberately ignores checksum query parameters so those uploads work.
 */
function expectedChecksum(s3req: S3Request, streaming: boolean): ExpectedChecksum | undefined {
  const present = CHECKSUM_ALGORITHMS.filter((a) => s3req.header(checksumHeaderName(a)) !== undefined);
  if (present.length > 1) {
    throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  const trailerHeader = streaming ? s3req.header("x-amz-trailer") : undefined;
  const trailerNames = trailerHeader === undefined ? [] : trailerHeader.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
  const trailerChecksums = trailerNames.filter((t) => t.startsWith("x-amz-checksum-"));
  if (present.length + trailerChecksums.length > 1) {
    throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  const headerAlgorithm = present[0];
  if (headerAlgorithm !== undefined) {
    const name = checksumHeaderName(headerAlgorithm);
    const value = (s3req.header(name) ?? "").trim();
    if (!isWellFormedChecksum(headerAlgorithm, value)) throw invalidChecksumValue(name);
    return { algorithm: headerAlgorithm, headerValue: value, trailerName: undefined };
  }
  const trailerName = trailerChecksums[0];
  if (trailerName !== undefined) {
    const algorithm = checksumAlgorithmFromName(trailerName.slice("x-amz-checksum-".length));
    if (algorithm === undefined) throw new S3Error("InvalidRequest", `The value specified in the x-amz-trailer header is not supported`);
    return { algorithm, headerValue: undefined, trailerName };
  }
  const sdkAlgorithm = s3req.header("x-amz-sdk-checksum-algorithm");
  if (sdkAlgorithm !== undefined) {
    if (checksumAlgorithmFromName(sdkAlgorithm) === undefined) {
      throw new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
    throw new S3Error(
      "InvalidRequest",
      "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.",
    );
  }
  return undefined;
}

function expectedContentMd5(s3req: S3Request): string | undefined {
  const value = s3req.header("content-md5")?.trim();
  if (value === undefined) return undefined;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, "base64") : EMPTY;
  if (bytes.length !== 16) throw new S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.", { "Content-MD5": value });
  return bytes.toString("base64");
}

function parseDecodedLength(s3req: S3Request): number | undefined {
  const value = s3req.header("x-amz-decoded-content-length");
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new S3Error("InvalidArgument", "x-amz-decoded-content-length must be a non-negative integer", {
      ArgumentName: "x-amz-decoded-content-length",
      ArgumentValue: value,
    });
  }
  return Number(value.trim());
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

function tooLarge(maxBytes: number): S3Error {
  return new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { MaxSizeAllowed: String(maxBytes) });
}

/** Collects the raw bytes, feeding them to `onData`; rejects as soon as `onData` throws. */
function consume(req: IncomingMessage, onData: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.removeListener("data", data);
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const data = (chunk: Buffer) => {
      try {
        onData(chunk);
      } catch (err) {
        fail(err);
      }
    };
    req.on("data", data);
    req.once("end", () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    req.once("error", fail);
    req.once("close", () => fail(new S3Error("IncompleteBody", "The request body terminated unexpectedly")));
  });
}

export async function readRequestBody(req: IncomingMessage, s3req: S3Request, verified: VerifiedRequest, limits: BodyLimits): Promise<RequestBody> {
  const payloadHash = verified.payloadHash;
  const streaming = payloadHash.startsWith("STREAMING-") || hasAwsChunkedEncoding(s3req);
  if (payloadHash.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256")) {
    throw new S3Error("NotImplemented", "SigV4a streaming payloads are not supported by the bucketscope sandbox.");
  }
  const signedChunks = payloadHash.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const expected = expectedChecksum(s3req, streaming);
  const contentMd5 = expectedContentMd5(s3req);
  const decodedLength = streaming ? parseDecodedLength(s3req) : undefined;
  const hexPayload = payloadHash.length === 64 && !payloadHash.startsWith("STREAMING-");

  let data: Buffer;
  let trailers: ReadonlyMap<string, string> = new Map();
  let rawHash: Hash | undefined;
  if (!hasBody(req)) {
    if (streaming) throw new S3Error("IncompleteBody", "The request body terminated unexpectedly");
    data = EMPTY;
  } else if (streaming) {
    const decoder = new AwsChunkedDecoder({
      signing: signedChunks ? verified.chunkSigning : undefined,
      signedTrailer: payloadHash === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      maxDecodedBytes: limits.maxBytes,
    });
    if (hexPayload) rawHash = createHash("sha256");
    await consume(req, (chunk) => {
      rawHash?.update(chunk);
      decoder.push(chunk);
    });
    const result = decoder.finish();
    data = result.body;
    trailers = result.trailers;
  } else {
    const chunks: Buffer[] = [];
    let total = 0;
    if (hexPayload) rawHash = createHash("sha256");
    await consume(req, (chunk) => {
      total += chunk.length;
      if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
      rawHash?.update(chunk);
      chunks.push(chunk);
    });
    data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  }

  if (hexPayload) {
    const computed = rawHash ? rawHash.digest("hex") : EMPTY_SHA256;
    if (computed !== payloadHash.toLowerCase()) {
      throw new S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: payloadHash,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  if (decodedLength !== undefined && decodedLength !== data.length) {
    throw new S3Error("IncompleteBody", "You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header", {
      NumberBytesExpected: String(decodedLength),
      NumberBytesProvided: String(data.length),
    });
  }
  if (contentMd5 !== undefined && md5Base64(data) !== contentMd5) {
    throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.", {
      ExpectedDigest: Buffer.from(contentMd5, "base64").toString("hex"),
      CalculatedDigest: Buffer.from(md5Base64(data), "base64").toString("hex"),
    });
  }
  return { data, checksum: verifyChecksum(expected, trailers, data) };
}

function verifyChecksum(
  expected: ExpectedChecksum | undefined,
  trailers: ReadonlyMap<string, string>,
  data: Buffer,
): RequestBody["checksum"] {
  if (expected === undefined) return undefined;
  let value = expected.headerValue;
  if (value === undefined && expected.trailerName !== undefined) {
    value = trailers.get(expected.trailerName);
    if (value === undefined) throw new S3Error("IncompleteBody", `The trailer ${expected.trailerName} declared in x-amz-trailer was not sent.`);
    if (!isWellFormedChecksum(expected.algorithm, value)) throw invalidChecksumValue(expected.trailerName);
  }
  if (value === undefined) return undefined;
  const computed = checksumOf(expected.algorithm, data);
  if (computed !== value) {
    throw new S3Error("BadDigest", `The ${expected.algorithm} you specified did not match the calculated checksum.`);
  }
  return { algorithm: expected.algorithm, value };
}
