import { describe, expect, it } from "vitest";
import { AwsChunkedDecoder, type AwsChunkedOptions } from "./aws-chunked";
import { S3Error } from "./errors";
import { deriveSigningKey, type ChunkSigningContext } from "./sigv4";

// Byte-exact bodies from docs/s3-wire-captures.md §3.1, §3.3 and §3.4.

const docSigning = (seedSignature: string): ChunkSigningContext => ({
  signingKey: deriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
  amzDate: "20130524T000000Z",
  scope: "20130524/us-east-1/s3/aws4_request",
  seedSignature,
});

const A64K = Buffer.alloc(65536, "a");
const A1K = Buffer.alloc(1024, "a");

function signedChunksBody(signatures: [string, string, string], tail: string): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    A64K,
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    A1K,
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${tail}`),
  ]);
}

const SIGNED_BODY = signedChunksBody(
  [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ],
  "\r\n",
);
const SIGNED_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

const TRAILER_SIGNATURES: [string, string, string] = [
  "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
  "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
  "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
const TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const TRAILER_TAIL =
  "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";

/** Feeds the body in pieces of `step` bytes, like Node's request stream with arbitrary boundaries. */
function decode(body: Buffer, options: AwsChunkedOptions, step = body.length) {
  const decoder = new AwsChunkedDecoder(options);
  for (let i = 0; i < body.length; i += step) decoder.push(body.subarray(i, i + step));
  return decoder.finish();
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err.code;
    throw err;
  }
  return "no error";
}

describe("unsigned aws-chunked with a trailer (§3.1, the JS SDK default for streams)", () => {
  const body = Buffer.from("a\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\nx-amz-checksum-crc32:Y4wNKQ==\r\n\r\n");

  it("decodes the captured 66-byte body whatever the piece boundaries", () => {
    expect(body.length).toBe(66);
    for (const step of [1, 2, 3, 5, 13, 66]) {
      const result = decode(body, {}, step);
      expect(result.body.toString()).toBe("0123456789abcdefghij");
      expect(result.trailers.get("x-amz-checksum-crc32")).toBe("Y4wNKQ==");
    }
  });

  it("decodes awscli's single-chunk body and a body without trailers", () => {
    const cli = decode(Buffer.from("15\r\nthis is a small file\n\r\n0\r\nx-amz-checksum-crc32:qbe0Rg==\r\n\r\n"), {});
    expect(cli.body.toString()).toBe("this is a small file\n");
    expect(cli.trailers.get("x-amz-checksum-crc32")).toBe("qbe0Rg==");
    expect(decode(Buffer.from("3\r\nabc\r\n0\r\n\r\n"), {}, 1).body.toString()).toBe("abc");
  });

  it("tolerates a blank line before the trailers", () => {
    const result = decode(Buffer.from("3\r\nabc\r\n0\r\n\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n"), {}, 4);
    expect(result.trailers.get("x-amz-checksum-crc32")).toBe("NSRBwg==");
  });

  it("rejects truncated bodies and broken framing", () => {
    expect(errorCode(() => decode(Buffer.from("a\r\n01234"), {}))).toBe("IncompleteBody");
    expect(errorCode(() => decode(Buffer.from("a\r\n0123456789"), {}))).toBe("IncompleteBody");
    expect(errorCode(() => decode(Buffer.from("3\r\nabcX\r\n0\r\n\r\n"), {}))).toBe("InvalidRequest");
    expect(errorCode(() => decode(Buffer.from("zz\r\nabc\r\n"), {}))).toBe("InvalidRequest");
  });
});

describe("signed chunks (§3.3, AWS doc example)", () => {
  it("verifies every chunk signature chained from the seed, in any piece size", () => {
    for (const step of [1000, 4096, 65536, 7, SIGNED_BODY.length]) {
      const result = decode(SIGNED_BODY, { signing: docSigning(SIGNED_SEED) }, step);
      expect(result.body.equals(Buffer.alloc(66560, "a"))).toBe(true);
    }
    expect(SIGNED_BODY.length).toBe(66824);
  });

  it("rejects a changed data byte, a wrong seed and a missing chunk signature", () => {
    const tampered = Buffer.from(SIGNED_BODY);
    tampered[100] = 0x62;
    expect(errorCode(() => decode(tampered, { signing: docSigning(SIGNED_SEED) }))).toBe("SignatureDoesNotMatch");
    expect(errorCode(() => decode(SIGNED_BODY, { signing: docSigning(TRAILER_SEED) }))).toBe("SignatureDoesNotMatch");
    const unsigned = Buffer.concat([Buffer.from("10000\r\n"), A64K, Buffer.from("\r\n0\r\n\r\n")]);
    expect(errorCode(() => decode(unsigned, { signing: docSigning(SIGNED_SEED) }))).toBe("IncompleteBody");
  });

  it("stops before buffering more than the size limit", () => {
    expect(errorCode(() => decode(SIGNED_BODY, { signing: docSigning(SIGNED_SEED), maxDecodedBytes: 1000 }))).toBe("EntityTooLarge");
  });
});

describe("signed chunks with a signed trailer (§3.4)", () => {
  const body = signedChunksBody(TRAILER_SIGNATURES, TRAILER_TAIL);
  const options = { signing: docSigning(TRAILER_SEED), signedTrailer: true };

  it("verifies the chunk signatures and the trailer signature", () => {
    for (const step of [1, 999, body.length]) {
      const result = decode(body, options, step);
      expect(result.body.length).toBe(66560);
      expect(result.trailers.get("x-amz-checksum-crc32c")).toBe("sOO8/Q==");
      expect(result.trailers.has("x-amz-trailer-signature")).toBe(false);
    }
  });

  it("accepts a blank line before the trailers", () => {
    const blank = signedChunksBody(TRAILER_SIGNATURES, `\r\n${TRAILER_TAIL}`);
    expect(decode(blank, options, 10).trailers.get("x-amz-checksum-crc32c")).toBe("sOO8/Q==");
  });

  it("rejects a changed trailer value and a missing trailer signature", () => {
    const changed = signedChunksBody(TRAILER_SIGNATURES, TRAILER_TAIL.replace("sOO8/Q==", "AAAAAA=="));
    expect(errorCode(() => decode(changed, options))).toBe("SignatureDoesNotMatch");
    const unsignedTrailer = signedChunksBody(TRAILER_SIGNATURES, "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");
    expect(errorCode(() => decode(unsignedTrailer, options))).toBe("IncompleteBody");
  });
});
