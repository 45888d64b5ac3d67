import { createHash } from "node:crypto";
import { CreateBucketCommand, GetBucketLocationCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, sdkClient, startTestSandbox, type RawRequest, type TestSandbox } from "./test-helpers";

// Bad requests get S3's error code, status and XML shape; HEAD errors have no body.

let sandbox: TestSandbox;
let s3: S3Client;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = sdkClient(sandbox);
  await s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
  await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "k", Body: "v" }));
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

async function expectError(req: RawRequest, status: number, code: string) {
  const res = await rawRequest(sandbox, req);
  expect({ status: res.status, code: res.code }, res.text).toEqual({ status, code });
  expect(res.headers["content-type"]).toBe("application/xml");
  expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code><Message>[^<]+<\/Message>/);
  expect(res.text).toContain(`<RequestId>${String(res.headers["x-amz-request-id"])}</RequestId>`);
  expect(res.headers["x-amz-id-2"]).toBeTruthy();
  return res;
}

async function sdkErrorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3ServiceException) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

const md5 = (s: string) => createHash("md5").update(s).digest("base64");

describe("listing parameters", () => {
  it("rejects a forged continuation token with InvalidArgument", async () => {
    const err = await sdkErrorOf(s3.send(new ListObjectsV2Command({ Bucket: "bkt", ContinuationToken: "Zm9yZ2VkLXRva2Vu" })));
    expect(err.name).toBe("InvalidArgument");
    expect(err.message).toBe("The continuation token provided is incorrect");
    await expectError({ method: "GET", path: "/bkt", query: "list-type=2&continuation-token=" }, 400, "InvalidArgument");
  });

  it("rejects negative and non-integer max-keys, and unknown encoding types", async () => {
    const negative = await expectError({ method: "GET", path: "/bkt", query: "list-type=2&max-keys=-1" }, 400, "InvalidArgument");
    expect(negative.text).toContain("<ArgumentName>maxKeys</ArgumentName>");
    await expectError({ method: "GET", path: "/bkt", query: "list-type=2&max-keys=ten" }, 400, "InvalidArgument");
    await expectError({ method: "GET", path: "/bkt", query: "max-keys=1.5" }, 400, "InvalidArgument");
    await expectError({ method: "GET", path: "/bkt", query: "versions&max-keys=-5" }, 400, "InvalidArgument");
    await expectError({ method: "GET", path: "/bkt", query: "list-type=2&encoding-type=base64" }, 400, "InvalidArgument");
    const zero = await rawRequest(sandbox, { method: "GET", path: "/bkt", query: "list-type=2&max-keys=0" });
    expect(zero.text).toContain("<KeyCount>0</KeyCount><MaxKeys>0</MaxKeys>");
    expect(zero.text).toContain("<IsTruncated>false</IsTruncated>");
  });

  it("rejects invalid bucket names and keys over 1024 bytes", async () => {
    const invalid = await expectError({ method: "GET", path: "/Bad_Bucket", query: "list-type=2" }, 400, "InvalidBucketName");
    expect(invalid.text).toContain("<BucketName>Bad_Bucket</BucketName>");
    await expectError({ method: "PUT", path: "/ab" }, 400, "InvalidBucketName");
    const long = "k".repeat(1025);
    await expectError({ method: "PUT", path: `/bkt/${long}`, body: "x" }, 400, "KeyTooLongError");
    const sdk = await sdkErrorOf(s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "é".repeat(513), Body: "x" })));
    expect(sdk.name).toBe("KeyTooLongError");
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "é".repeat(512), Body: "exactly 1024 bytes of key" }));
  });
});

describe("digests and checksums", () => {
  it("answers InvalidDigest for a malformed Content-MD5 and BadDigest for a wrong one", async () => {
    await expectError({ method: "PUT", path: "/bkt/md5", body: "data", headers: { "content-md5": "not-base64!" } }, 400, "InvalidDigest");
    await expectError({ method: "PUT", path: "/bkt/md5", body: "data", headers: { "content-md5": md5("other") } }, 400, "BadDigest");
    const ok = await rawRequest(sandbox, { method: "PUT", path: "/bkt/md5", body: "data", headers: { "content-md5": md5("data") } });
    expect(ok.status).toBe(200);
  });

  it("answers BadDigest for a wrong x-amz-checksum-* and InvalidRequest for a malformed one", async () => {
    for (const [name, wrong] of [
      ["crc32", "AAAAAA=="],
      ["crc32c", "AAAAAA=="],
      ["crc64nvme", "AAAAAAAAAAA="],
      ["sha1", createHash("sha1").update("x").digest("base64")],
      ["sha256", createHash("sha256").update("x").digest("base64")],
    ] as const) {
      await expectError({ method: "PUT", path: "/bkt/sum", body: "data", headers: { [`x-amz-checksum-${name}`]: wrong } }, 400, "BadDigest");
    }
    await expectError({ method: "PUT", path: "/bkt/sum", body: "data", headers: { "x-amz-checksum-crc32": "zz" } }, 400, "InvalidRequest");
    const sdk = await sdkErrorOf(s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "sum", Body: "data", ChecksumCRC32: "AAAAAA==" })));
    expect(sdk.name).toBe("BadDigest");
  });

  it("answers XAmzContentSHA256Mismatch when the body does not match the signed hash", async () => {
    const hashOfOther = createHash("sha256").update("other").digest("hex");
    await expectError({ method: "PUT", path: "/bkt/sha", body: "data", contentSha256: hashOfOther }, 400, "XAmzContentSHA256Mismatch");
  });

  it("requires Content-MD5 or a checksum on DeleteObjects", async () => {
    const body = "<Delete><Object><Key>k</Key></Object></Delete>";
    await expectError({ method: "POST", path: "/bkt", query: "delete", body }, 400, "InvalidRequest");
    await expectError({ method: "POST", path: "/bkt", query: "delete", body: "<Delete>", headers: { "content-md5": md5("<Delete>") } }, 400, "MalformedXML");
    const ok = await rawRequest(sandbox, { method: "POST", path: "/bkt", query: "delete", body, headers: { "content-md5": md5(body) } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("<Deleted><Key>k</Key></Deleted>");
  });
});

describe("authentication", () => {
  it("answers SignatureDoesNotMatch for a wrong secret and InvalidAccessKeyId for an unknown key", async () => {
    const wrong = await expectError(
      { method: "GET", path: "/bkt", query: "list-type=2", credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: "wrong" } },
      403,
      "SignatureDoesNotMatch",
    );
    expect(wrong.text).toContain("<CanonicalRequest>GET\n/bkt\nlist-type=2\n");
    await expectError({ method: "GET", path: "/bkt", query: "list-type=2", credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" } }, 403, "InvalidAccessKeyId");
    const sdk = sdkClient(sandbox, { credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: "wrong" } });
    expect((await sdkErrorOf(sdk.send(new ListObjectsV2Command({ Bucket: "bkt" })))).name).toBe("SignatureDoesNotMatch");
    sdk.destroy();
  });

  it("answers RequestTimeTooSkewed beyond 15 minutes, and accepts 14", async () => {
    const skewed = await expectError(
      { method: "GET", path: "/bkt", query: "list-type=2", signingDate: new Date(Date.now() - 16 * 60 * 1000) },
      403,
      "RequestTimeTooSkewed",
    );
    expect(skewed.text).toContain("<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>");
    const within = await rawRequest(sandbox, { method: "GET", path: "/bkt", query: "list-type=2", signingDate: new Date(Date.now() + 14 * 60 * 1000) });
    expect(within.status).toBe(200);
  });

  it("denies anonymous requests", async () => {
    await expectError({ method: "GET", path: "/bkt", query: "list-type=2", unsigned: true }, 403, "AccessDenied");
  });
});

describe("operations", () => {
  it("answers 501 NotImplemented in S3 XML for operations the sandbox does not have", async () => {
    await expectError({ method: "GET", path: "/bkt", query: "tagging" }, 501, "NotImplemented");
    await expectError({ method: "PUT", path: "/bkt", query: "policy", body: "{}" }, 501, "NotImplemented");
    await expectError({ method: "GET", path: "/bkt", query: "uploads" }, 501, "NotImplemented");
    await expectError({ method: "POST", path: "/bkt/k", query: "restore" }, 501, "NotImplemented");
    await expectError({ method: "PATCH", path: "/bkt/k" }, 501, "NotImplemented");
  });

  it("ignores unknown query parameters and accepts flags with or without '=' and paths with or without '/'", async () => {
    for (const [path, query] of [
      ["/bkt", "versions"],
      ["/bkt/", "versions="],
      ["/bkt", "list-type=2&x-id=ListObjectsV2&some-future-param=1"],
    ] as const) {
      const res = await rawRequest(sandbox, { method: "GET", path, query });
      expect(res.status, `${path}?${query}`).toBe(200);
    }
  });

  it("sends HEAD errors without a body but with the request id", async () => {
    const res = await rawRequest(sandbox, { method: "HEAD", path: "/bkt/missing" });
    expect(res.status).toBe(404);
    expect(res.body.length).toBe(0);
    expect(res.headers["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
  });

  it("answers 304 and 412 for conditional GETs", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "cond", Body: "v" }));
    const etag = `"${createHash("md5").update("v").digest("hex")}"`;
    const notModified = await rawRequest(sandbox, { method: "GET", path: "/bkt/cond", headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers["content-length"]).toBeUndefined();
    await expectError({ method: "GET", path: "/bkt/cond", headers: { "if-match": '"0000"' } }, 412, "PreconditionFailed");
    await expectError({ method: "PUT", path: "/bkt/cond", body: "again", headers: { "if-none-match": "*" } }, 412, "PreconditionFailed");
  });
});

describe("regions", () => {
  it("signs for its own region only, and outside us-east-1 re-creating your bucket is a 409", async () => {
    const foreign = sdkClient(sandbox, { region: "eu-west-1" });
    const err = await sdkErrorOf(foreign.send(new ListObjectsV2Command({ Bucket: "bkt" })));
    expect(err.name).toBe("AuthorizationHeaderMalformed");
    expect(err.message).toContain("expecting 'us-east-1'");
    foreign.destroy();

    const eu = await startTestSandbox({ region: "eu-west-1" });
    const client = sdkClient(eu);
    try {
      await client.send(new CreateBucketCommand({ Bucket: "eu-bkt", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
      expect((await client.send(new GetBucketLocationCommand({ Bucket: "eu-bkt" }))).LocationConstraint).toBe("eu-west-1");
      expect((await sdkErrorOf(client.send(new CreateBucketCommand({ Bucket: "eu-bkt" })))).name).toBe("BucketAlreadyOwnedByYou");
      const wrongPlace = await sdkErrorOf(
        client.send(new CreateBucketCommand({ Bucket: "elsewhere", CreateBucketConfiguration: { LocationConstraint: "ap-south-1" } })),
      );
      expect(wrongPlace.name).toBe("InvalidLocationConstraint");
    } finally {
      client.destroy();
      await eu.stop();
    }
  });
});
