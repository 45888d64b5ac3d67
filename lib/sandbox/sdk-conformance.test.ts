import { createHash, randomBytes } from "node:crypto";
import { createReadStream, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ListObjectsV2CommandInput,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumOf } from "./checksums";
import { byteOrder, sdkClient, startTestSandbox, type TestSandbox } from "./test-helpers";

// The AWS SDK for JavaScript v3 with DEFAULT settings (request checksums on: CRC32 headers, aws-chunked
// bodies with trailers for streams) plus forcePathStyle, against a real sandbox over HTTP.

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

async function bodyOf(bucket: string, key: string, extra: { Range?: string; VersionId?: string } = {}): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function s3ErrorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3ServiceException) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

async function listAllV2(input: ListObjectsV2CommandInput, pageSize: number): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3, pageSize }, { ...input })) {
    pages++;
    expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(pageSize);
    expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    for (const p of page.CommonPrefixes ?? []) prefixes.push(p.Prefix!);
  }
  return { keys, prefixes, pages };
}

describe("PutObject bodies as the SDK frames them (wire captures §3)", () => {
  it("stores a Buffer and a string sent with a CRC32 header, and echoes the checksum", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "buf.txt", Body: Buffer.from("hello buffer") }));
    expect(put.ChecksumCRC32).toBe(checksumOf("CRC32", Buffer.from("hello buffer")));
    expect(put.ETag).toBe(`"${createHash("md5").update("hello buffer").digest("hex")}"`);
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "str.txt", Body: "hello string", ContentType: "text/plain" }));
    expect((await bodyOf("bkt", "buf.txt")).toString()).toBe("hello buffer");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "str.txt", ChecksumMode: "ENABLED" }));
    expect(head.ContentType).toBe("text/plain");
    expect(head.ContentLength).toBe(12);
    expect(head.ChecksumCRC32).toBe(checksumOf("CRC32", Buffer.from("hello string")));
  });

  it("decodes a Readable with a known length: aws-chunked with a CRC32 trailer", async () => {
    const body = Readable.from([Buffer.from("0123456789"), Buffer.from("abcdefghij")]);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: "bkt", Key: "stream-known.txt", Body: body, ContentLength: 20, ContentEncoding: "identity" }),
    );
    expect(put.ChecksumCRC32).toBe("Y4wNKQ==");
    const get = await s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "stream-known.txt", ChecksumMode: "ENABLED" }));
    expect(await get.Body!.transformToString()).toBe("0123456789abcdefghij");
    // The transport-only aws-chunked token is not part of the stored Content-Encoding.
    expect(get.ContentEncoding).toBe("identity");
    expect(get.ChecksumCRC32).toBe("Y4wNKQ==");
  });

  it("accepts a 3 MiB fs stream (Expect: 100-continue, 64 KiB aws-chunks)", async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const file = path.join(sandbox.dataDir, "upload-3mib.bin");
    writeFileSync(file, data);
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "big/3mib.bin", Body: createReadStream(file), ContentLength: data.length }));
    expect((await bodyOf("bkt", "big/3mib.bin")).equals(data)).toBe(true);
  });

  it("with WHEN_REQUIRED, accepts a stream of unknown length sent as plain HTTP chunked UNSIGNED-PAYLOAD", async () => {
    const relaxed = sdkClient(sandbox, { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
    const body = new PassThrough();
    body.write("0123456789");
    setTimeout(() => body.end("abcdefghij"), 10);
    await relaxed.send(new PutObjectCommand({ Bucket: "bkt", Key: "stream-unknown.txt", Body: body }));
    relaxed.destroy();
    expect((await bodyOf("bkt", "stream-unknown.txt")).toString()).toBe("0123456789abcdefghij");
  });

  it("keeps user metadata, content headers and storage class", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: "bkt",
        Key: "meta.txt",
        Body: "m",
        ContentType: "text/markdown; charset=utf-8",
        CacheControl: "max-age=60",
        ContentDisposition: 'attachment; filename="x.md"',
        Metadata: { owner: "ops", "mixed-case": "Value With Spaces" },
        StorageClass: "STANDARD_IA",
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "meta.txt" }));
    expect(head.Metadata).toEqual({ owner: "ops", "mixed-case": "Value With Spaces" });
    expect(head.ContentType).toBe("text/markdown; charset=utf-8");
    expect(head.CacheControl).toBe("max-age=60");
    expect(head.ContentDisposition).toBe('attachment; filename="x.md"');
    expect(head.StorageClass).toBe("STANDARD_IA");
  });
});

describe("GetObject", () => {
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "digits.txt", Body: "0123456789" }));
  });

  it("serves byte ranges, suffix ranges and open ranges as 206 with Content-Range", async () => {
    const ranged = await s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "digits.txt", Range: "bytes=2-5", ChecksumMode: "ENABLED" }));
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe("bytes 2-5/10");
    expect(await ranged.Body!.transformToString()).toBe("2345");
    expect((await bodyOf("bkt", "digits.txt", { Range: "bytes=-3" })).toString()).toBe("789");
    expect((await bodyOf("bkt", "digits.txt", { Range: "bytes=7-" })).toString()).toBe("789");
    expect((await bodyOf("bkt", "digits.txt", { Range: "bytes=8-100" })).toString()).toBe("89");
  });

  it("answers 416 InvalidRange for a range past the end", async () => {
    const err = await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "digits.txt", Range: "bytes=10-20" })));
    expect(err.name).toBe("InvalidRange");
    expect(err.$metadata.httpStatusCode).toBe(416);
  });

  it("applies response-* overrides and reports NoSuchKey / NoSuchBucket", async () => {
    const res = await s3.send(
      new GetObjectCommand({ Bucket: "bkt", Key: "digits.txt", ResponseContentType: "application/x-test", ResponseContentDisposition: "inline" }),
    );
    expect(res.ContentType).toBe("application/x-test");
    expect(res.ContentDisposition).toBe("inline");
    await res.Body!.transformToString();
    expect((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "missing" })))).name).toBe("NoSuchKey");
    expect((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "nope-bucket", Key: "x" })))).name).toBe("NoSuchBucket");
    expect((await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "missing" })))).name).toBe("NotFound");
  });
});

describe("multipart upload by hand with the SDK commands", () => {
  it("uploads parts with CRC32 checksums, completes, and reads back the whole object", async () => {
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(1024 * 1024)];
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: "bkt", Key: "mpu/big.bin", ChecksumAlgorithm: "CRC32" }));
    expect(created.ChecksumAlgorithm).toBe("CRC32");
    const uploaded = [];
    for (const [i, part] of parts.entries()) {
      const res = await s3.send(
        new UploadPartCommand({ Bucket: "bkt", Key: "mpu/big.bin", UploadId: created.UploadId, PartNumber: i + 1, Body: part, ChecksumAlgorithm: "CRC32" }),
      );
      expect(res.ChecksumCRC32).toBe(checksumOf("CRC32", part));
      uploaded.push({ PartNumber: i + 1, ETag: res.ETag, ChecksumCRC32: res.ChecksumCRC32 });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: "bkt", Key: "mpu/big.bin", UploadId: created.UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const get = await s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "mpu/big.bin", ChecksumMode: "ENABLED" }));
    expect(Buffer.from(await get.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });

  it("copies a part from an existing object and aborts an upload", async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: "bkt", Key: "mpu/copied.bin" }));
    const part = await s3.send(
      new UploadPartCopyCommand({ Bucket: "bkt", Key: "mpu/copied.bin", UploadId: created.UploadId, PartNumber: 1, CopySource: "bkt/digits.txt", CopySourceRange: "bytes=0-3" }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "bkt",
        Key: "mpu/copied.bin",
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult!.ETag }] },
      }),
    );
    expect((await bodyOf("bkt", "mpu/copied.bin")).toString()).toBe("0123");
    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: "bkt", Key: "mpu/aborted.bin" }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "bkt", Key: "mpu/aborted.bin", UploadId: aborted.UploadId }));
    const err = await s3ErrorOf(
      s3.send(new UploadPartCommand({ Bucket: "bkt", Key: "mpu/aborted.bin", UploadId: aborted.UploadId, PartNumber: 1, Body: "x" })),
    );
    expect(err.name).toBe("NoSuchUpload");
  });
});

describe("copy and delete", () => {
  it("copies from a CopySource with a raw space and plus (as the SDK sends it), COPY and REPLACE", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "dir/a b+c.txt", Body: "copy me", ContentType: "text/plain", Metadata: { a: "1" } }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket: "bkt", Key: "copy.txt", CopySource: "bkt/dir/a b+c.txt" }));
    expect(copied.CopyObjectResult?.ETag).toBe(`"${createHash("md5").update("copy me").digest("hex")}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "copy.txt" }));
    expect(head.Metadata).toEqual({ a: "1" });
    expect(head.ContentType).toBe("text/plain");
    await s3.send(
      new CopyObjectCommand({ Bucket: "bkt", Key: "copy2.txt", CopySource: "bkt/dir/a%20b%2Bc.txt", MetadataDirective: "REPLACE", Metadata: { b: "2" } }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "copy2.txt" }));
    expect(replaced.Metadata).toEqual({ b: "2" });
    expect((await bodyOf("bkt", "copy2.txt")).toString()).toBe("copy me");
    const self = await s3ErrorOf(s3.send(new CopyObjectCommand({ Bucket: "bkt", Key: "copy.txt", CopySource: "bkt/copy.txt" })));
    expect(self.name).toBe("InvalidRequest");
  });

  it("deletes many keys, verbose and quiet, hostile names included", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "del" }));
    const keys = ["a.txt", "dir/b c+d.txt", "amp&lt<gt>", "cr\rlf\n", "emoji 😀", " spaced "];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "del", Key, Body: Key }));
    const verbose = await s3.send(
      new DeleteObjectsCommand({ Bucket: "del", Delete: { Objects: keys.slice(0, 3).map((Key) => ({ Key })), Quiet: false } }),
    );
    expect(byteOrder((verbose.Deleted ?? []).map((d) => d.Key!))).toEqual(byteOrder(keys.slice(0, 3)));
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: "del", Delete: { Objects: keys.slice(3).map((Key) => ({ Key })), Quiet: true } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(quiet.Errors ?? []).toEqual([]);
    const left = await listAllV2({ Bucket: "del" }, 1000);
    expect(left.keys).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket: "del" }));
  });
});

describe("presigned URLs fetched with plain fetch", () => {
  it("serves a presigned GET, and rejects one signed with the wrong secret or already expired", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "dir/presigned me+.txt", Body: "presigned body" }));
    const command = new GetObjectCommand({ Bucket: "bkt", Key: "dir/presigned me+.txt" });
    const ok = await fetch(await getSignedUrl(s3, command, { expiresIn: 300 }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("presigned body");

    const forged = sdkClient(sandbox, { credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: "not-the-secret" } });
    const bad = await fetch(await getSignedUrl(forged, command, { expiresIn: 300 }));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    forged.destroy();

    const expired = await fetch(await getSignedUrl(s3, command, { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60 * 1000) }));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  });

  it("accepts a presigned PUT whose query carries the SDK's empty-body CRC32 (not enforced)", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "bkt", Key: "presigned-put.txt" }), { expiresIn: 300 });
    const put = await fetch(url, { method: "PUT", body: "uploaded through a presigned URL" });
    expect(put.status).toBe(200);
    expect((await bodyOf("bkt", "presigned-put.txt")).toString()).toBe("uploaded through a presigned URL");
  });
});

describe("listings", () => {
  // Byte order differs from JS string order for astral characters vs U+E000..U+FFFF.
  const keys = [
    "a", "a/b", "a/b/c", "a/c", "a b", "a+b", "a%2Fb", "b/\u00e9", "b/\uE000", "b/\uFFFD", "b/😀", "b/𝄞", "c/", "c//d", "d\u0001ctrl", "e\rcr", "f&<>\"'",
    ...Array.from({ length: 23 }, (_, i) => `n/${String(i).padStart(3, "0")}`),
  ];

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lst" }));
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "lst", Key, Body: Key }));
  });

  it("pages ListObjectsV2 key-for-key in UTF-8 byte order, whatever the page size", async () => {
    for (const pageSize of [1, 3, 7, 1000]) {
      const { keys: listed, pages } = await listAllV2({ Bucket: "lst" }, pageSize);
      expect(listed).toEqual(byteOrder(keys));
      expect(pages).toBe(Math.ceil(keys.length / pageSize));
    }
  });

  it("rolls up CommonPrefixes with a delimiter and honours StartAfter and Prefix", async () => {
    const top = await listAllV2({ Bucket: "lst", Delimiter: "/" }, 2);
    expect(top.keys).toEqual(byteOrder(keys.filter((k) => !k.includes("/"))));
    expect(top.prefixes).toEqual(["a/", "b/", "c/", "n/"]);
    const after = await listAllV2({ Bucket: "lst", StartAfter: "b/\uFFFD" }, 5);
    expect(after.keys).toEqual(byteOrder(keys).filter((k) => Buffer.compare(Buffer.from(k), Buffer.from("b/\uFFFD")) > 0));
    const under = await listAllV2({ Bucket: "lst", Prefix: "c/", Delimiter: "/" }, 10);
    expect(under).toMatchObject({ keys: ["c/"], prefixes: ["c//"] });
  });

  it("returns LastModified at whole seconds, quoted ETags, sizes and STANDARD storage class", async () => {
    const page = await s3.send(new ListObjectsCommand({ Bucket: "lst", Prefix: "a", MaxKeys: 2 }));
    expect(page.IsTruncated).toBe(true);
    const first = page.Contents![0]!;
    expect(first.LastModified!.getMilliseconds()).toBe(0);
    expect(first.ETag).toBe(`"${createHash("md5").update(first.Key!).digest("hex")}"`);
    expect(first.Size).toBe(Buffer.byteLength(first.Key!));
    expect(first.StorageClass).toBe("STANDARD");
    expect(first.Owner?.ID).toBeTruthy();
  });

  it("lists versions and delete markers newest first, and versioning round-trips", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "ver" }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "ver" }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: "ver", VersioningConfiguration: { Status: "Enabled" } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "ver" }))).Status).toBe("Enabled");
    const v1 = await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "k", Body: "one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "k", Body: "two" }));
    expect(v1.VersionId).toBeTruthy();
    const del = await s3.send(new DeleteObjectCommand({ Bucket: "ver", Key: "k" }));
    expect(del.DeleteMarker).toBe(true);
    expect((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "ver", Key: "k" })))).name).toBe("NoSuchKey");
    expect((await bodyOf("ver", "k", { VersionId: v1.VersionId })).toString()).toBe("one");
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "ver", Prefix: "k" }));
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2.VersionId, false],
      [v1.VersionId, false],
    ]);
    const copy = await s3.send(new CopyObjectCommand({ Bucket: "bkt", Key: "from-version.txt", CopySource: `ver/k?versionId=${v1.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect((await bodyOf("bkt", "from-version.txt")).toString()).toBe("one");
  });
});

describe("buckets", () => {
  it("creates with and without CreateBucketConfiguration, heads, locates, lists and deletes", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "with-config", CreateBucketConfiguration: {} }));
    await s3.send(new HeadBucketCommand({ Bucket: "with-config" }));
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: "with-config" }))).LocationConstraint).toBeUndefined();
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    expect(names).toContain("with-config");
    // us-east-1 answers 200 to re-creating your own bucket (legacy behaviour); other regions 409.
    await s3.send(new CreateBucketCommand({ Bucket: "with-config" }));
    await s3.send(new PutObjectCommand({ Bucket: "with-config", Key: "x", Body: "x" }));
    expect((await s3ErrorOf(s3.send(new DeleteBucketCommand({ Bucket: "with-config" })))).name).toBe("BucketNotEmpty");
    await s3.send(new DeleteObjectCommand({ Bucket: "with-config", Key: "x" }));
    await s3.send(new DeleteBucketCommand({ Bucket: "with-config" }));
    expect((await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: "with-config" })))).$metadata.httpStatusCode).toBe(404);
  });
});
