import { describe, expect, it } from "vitest";
import { S3Error } from "./errors";
import {
  buildCanonicalRequest,
  buildStringToSign,
  canonicalHeaders,
  canonicalQuery,
  canonicalUri,
  chunkSignature,
  deriveSigningKey,
  hmacHex,
  verifyRequest,
  type SigV4Request,
} from "./sigv4";

// AWS documentation example (S3 API Reference, "Transferring Payload in Multiple Chunks"), as quoted
// in docs/s3-wire-captures.md §3.3 and §3.4.
const DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DOC_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const DOC_DATE = "20130524T000000Z";
const DOC_NOW = Date.UTC(2013, 4, 24, 0, 0, 0);
const DOC_SCOPE = "20130524/us-east-1/s3/aws4_request";

function docRequest(payload: string, extra: string[]): SigV4Request {
  return {
    method: "PUT",
    rawPath: "/examplebucket/chunkObject.txt",
    rawQuery: "",
    rawHeaders: [
      "Host", "s3.amazonaws.com",
      "x-amz-date", DOC_DATE,
      "x-amz-storage-class", "REDUCED_REDUNDANCY",
      "x-amz-content-sha256", payload,
      "Content-Encoding", "aws-chunked",
      "x-amz-decoded-content-length", "66560",
      ...extra,
    ],
  };
}

function withAuthorization(req: SigV4Request, signedHeaders: string, signature: string): SigV4Request {
  return {
    ...req,
    rawHeaders: [
      ...req.rawHeaders,
      "Authorization",
      `AWS4-HMAC-SHA256 Credential=${DOC_KEY_ID}/${DOC_SCOPE}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    ],
  };
}

const docSettings = { region: "us-east-1", now: () => DOC_NOW, secretFor: (id: string) => (id === DOC_KEY_ID ? DOC_SECRET : undefined) };

function s3ErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err.code;
    throw err;
  }
  return "no error";
}

describe("canonical request (wire captures §2)", () => {
  it("decodes each path segment and encodes it once, RFC 3986 style", () => {
    expect(canonicalUri("/bkt/dir/a%20b%2Bc.txt")).toBe("/bkt/dir/a%20b%2Bc.txt");
    expect(canonicalUri("/bkt/it's (1)!*.txt")).toBe("/bkt/it%27s%20%281%29%21%2A.txt");
    expect(canonicalUri("/bkt/caf%C3%A9/%F0%9F%98%80")).toBe("/bkt/caf%C3%A9/%F0%9F%98%80");
    expect(canonicalUri("/bkt//double/./dots/../x")).toBe("/bkt//double/./dots/../x");
    expect(canonicalUri("/newbkt/")).toBe("/newbkt/");
  });

  it("gives flags an empty value, re-encodes and sorts query parameters", () => {
    expect(canonicalQuery("delete", false)).toBe("delete=");
    expect(canonicalQuery("delete=", false)).toBe("delete=");
    expect(canonicalQuery("uploadId=upl-0001&partNumber=3", false)).toBe("partNumber=3&uploadId=upl-0001");
    expect(canonicalQuery("list-type=2&prefix=dir%2F&start-after=dir%2Fa%20b.txt", false)).toBe(
      "list-type=2&prefix=dir%2F&start-after=dir%2Fa%20b.txt",
    );
    expect(canonicalQuery("continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D", false)).toBe(
      "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D",
    );
    expect(canonicalQuery("X-Amz-Date=1&X-Amz-Signature=abc&x-id=GetObject", true)).toBe("X-Amz-Date=1&x-id=GetObject");
  });

  it("trims header values, collapses inner spaces and joins duplicates with commas", () => {
    const raw = ["Host", "127.0.0.1:9555", "X-Amz-Meta-A", "  one   two  ", "x-amz-meta-a", "three", "Connection", "keep-alive"];
    expect(canonicalHeaders(raw, ["host", "x-amz-meta-a"])).toBe("host:127.0.0.1:9555\nx-amz-meta-a:one two,three\n");
  });
});

describe("AWS doc vectors", () => {
  const signed = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class";
  const seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

  it("computes the seed signature of the signed-chunks example (§3.3)", () => {
    const req = docRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ["Content-Length", "66824"]);
    const canonical = buildCanonicalRequest(req, signed.split(";"), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", false);
    const key = deriveSigningKey(DOC_SECRET, "20130524", "us-east-1", "s3");
    expect(hmacHex(key, buildStringToSign(DOC_DATE, DOC_SCOPE, canonical))).toBe(seed);
  });

  it("verifies the header-signed example request and hands out the seed for chunk verification", () => {
    const req = withAuthorization(docRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ["Content-Length", "66824"]), signed, seed);
    const verified = verifyRequest(req, new Map(), docSettings);
    expect(verified.payloadHash).toBe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    expect(verified.chunkSigning.seedSignature).toBe(seed);
    expect(verified.chunkSigning.scope).toBe(DOC_SCOPE);
    // First chunk signature of the example: 64 KiB of 'a'.
    const chunkHash = "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a";
    expect(chunkSignature(verified.chunkSigning, seed, chunkHash)).toBe("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
  });

  it("computes the seed signature of the signed-trailer example (§3.4)", () => {
    const trailerSigned = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer";
    const payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    const req = docRequest(payload, ["x-amz-trailer", "x-amz-checksum-crc32c"]);
    const canonical = buildCanonicalRequest(req, trailerSigned.split(";"), payload, false);
    const key = deriveSigningKey(DOC_SECRET, "20130524", "us-east-1", "s3");
    expect(hmacHex(key, buildStringToSign(DOC_DATE, DOC_SCOPE, canonical))).toBe(
      "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    );
  });

  it("rejects a wrong signature, an unknown key, a skewed clock and a foreign region with S3's codes", () => {
    const base = docRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ["Content-Length", "66824"]);
    expect(s3ErrorCode(() => verifyRequest(withAuthorization(base, signed, seed.replace(/^4/, "5")), new Map(), docSettings))).toBe(
      "SignatureDoesNotMatch",
    );
    const otherKey = { ...docSettings, secretFor: () => undefined };
    expect(s3ErrorCode(() => verifyRequest(withAuthorization(base, signed, seed), new Map(), otherKey))).toBe("InvalidAccessKeyId");
    const later = { ...docSettings, now: () => DOC_NOW + 16 * 60 * 1000 };
    expect(s3ErrorCode(() => verifyRequest(withAuthorization(base, signed, seed), new Map(), later))).toBe("RequestTimeTooSkewed");
    const within = { ...docSettings, now: () => DOC_NOW + 14 * 60 * 1000 };
    expect(verifyRequest(withAuthorization(base, signed, seed), new Map(), within).accessKeyId).toBe(DOC_KEY_ID);
    const otherRegion = { ...docSettings, region: "eu-west-1" };
    expect(s3ErrorCode(() => verifyRequest(withAuthorization(base, signed, seed), new Map(), otherRegion))).toBe(
      "AuthorizationHeaderMalformed",
    );
    expect(s3ErrorCode(() => verifyRequest({ ...base }, new Map(), docSettings))).toBe("AccessDenied");
  });
});

describe("a captured JS SDK request (wire captures §3.1)", () => {
  it("verifies the signature the SDK really sent for an aws-chunked PutObject", () => {
    const captured: SigV4Request = {
      method: "PUT",
      rawPath: "/bkt/stream-known.txt",
      rawQuery: "x-id=PutObject",
      rawHeaders: [
        "content-type", "application/octet-stream",
        "x-amz-sdk-checksum-algorithm", "CRC32",
        "content-encoding", "aws-chunked",
        "transfer-encoding", "chunked",
        "x-amz-decoded-content-length", "20",
        "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer", "x-amz-checksum-crc32",
        "x-amz-user-agent", "aws-sdk-js/3.1174.0",
        "host", "127.0.0.1:9555",
        "amz-sdk-invocation-id", "2e4f451a-aaaf-4fbb-b10a-ce961c9c2c1f",
        "amz-sdk-request", "attempt=1; max=3",
        "x-amz-date", "20261126T050017Z",
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-encoding;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer;x-amz-user-agent, Signature=a53459e9ebbe433793ccf0633db8230681bb4d581825401e696755017749d785",
      ],
    };
    const settings = {
      region: "us-east-1",
      now: () => Date.UTC(2026, 10, 26, 5, 0, 17),
      secretFor: (id: string) => (id === "AKIDEXAMPLE" ? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" : undefined),
    };
    const verified = verifyRequest(captured, new Map([["x-id", "PutObject"]]), settings);
    expect(verified.payloadHash).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    expect(verified.presigned).toBe(false);
  });
});
