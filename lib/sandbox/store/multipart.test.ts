import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checksumOf } from "../checksums";
import type { SandboxStore } from "../store-types";
import { MIN_PART_BYTES } from "./sqlite-store";
import { s3ErrorOf, TEXT_META, tempStore } from "./test-support";

const md5 = (data: Buffer) => createHash("md5").update(data).digest();

function setup(): { store: SandboxStore; uploadId: string; reopen: () => SandboxStore } {
  const handle = tempStore();
  handle.store.createBucket("mpu");
  const initiatedAt = new Date("2022-02-02T02:02:02.000Z");
  const { uploadId } = handle.store.writeAt(initiatedAt, () => handle.store.createMultipartUpload("mpu", "big.bin", { ...TEXT_META, userMetadata: { kind: "mpu" } }));
  return { store: handle.store, uploadId, reopen: () => handle.reopen() };
}

const part1 = Buffer.alloc(MIN_PART_BYTES, 1);
const part2 = Buffer.alloc(MIN_PART_BYTES + 7, 2);
const part3 = Buffer.from("tail");

describe("multipart uploads", () => {
  it("complete into one object whose ETag is the MD5 of the part MD5s plus -<count>", () => {
    const { store, uploadId } = setup();
    const parts = [part1, part2, part3].map((body, i) => store.uploadPart(uploadId, i + 1, body));
    const version = store.completeMultipartUpload(uploadId, parts.map(({ partNumber, etag }) => ({ partNumber, etag })));
    const expected = createHash("md5").update(Buffer.concat([md5(part1), md5(part2), md5(part3)])).digest("hex");
    expect(version.etag).toBe(`"${expected}-3"`);
    expect(version.size).toBe(part1.length + part2.length + part3.length);
    // LastModified of a multipart object is when the upload was initiated.
    expect(version.lastModified).toEqual(new Date("2022-02-02T02:02:02.000Z"));
    const got = store.getObject("mpu", "big.bin");
    expect(got.body.equals(Buffer.concat([part1, part2, part3]))).toBe(true);
    expect(got.version.meta.userMetadata).toEqual({ kind: "mpu" });
    expect(s3ErrorOf(() => store.getMultipartUpload(uploadId)).code).toBe("NoSuchUpload");
  });

  it("accepts ETags with or without quotes and lets a part be uploaded again", () => {
    const { store, uploadId } = setup();
    store.uploadPart(uploadId, 1, Buffer.from("first try"));
    const part = store.uploadPart(uploadId, 1, Buffer.from("second"));
    const version = store.completeMultipartUpload(uploadId, [{ partNumber: 1, etag: part.etag.replace(/"/g, "") }]);
    expect(store.getObject("mpu", "big.bin").body.toString()).toBe("second");
    expect(version.etag).toMatch(/-1"$/);
  });

  it("rejects parts out of order or repeated (InvalidPartOrder)", () => {
    const { store, uploadId } = setup();
    const p1 = store.uploadPart(uploadId, 1, part1);
    const p2 = store.uploadPart(uploadId, 2, part3);
    for (const order of [[p2, p1], [p1, p1]]) {
      expect(s3ErrorOf(() => store.completeMultipartUpload(uploadId, order.map(({ partNumber, etag }) => ({ partNumber, etag }))))).toMatchObject({
        code: "InvalidPartOrder",
      });
    }
  });

  it("rejects a missing part or a wrong ETag (InvalidPart)", () => {
    const { store, uploadId } = setup();
    const p1 = store.uploadPart(uploadId, 1, part1);
    expect(s3ErrorOf(() => store.completeMultipartUpload(uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p1.etag }])).code).toBe(
      "InvalidPart",
    );
    expect(s3ErrorOf(() => store.completeMultipartUpload(uploadId, [{ partNumber: 1, etag: '"0123"' }])).code).toBe("InvalidPart");
  });

  it("rejects a part below 5 MiB unless it is the last (EntityTooSmall)", () => {
    const { store, uploadId } = setup();
    const small = store.uploadPart(uploadId, 1, part3);
    const last = store.uploadPart(uploadId, 2, part3);
    expect(
      s3ErrorOf(() => store.completeMultipartUpload(uploadId, [small, last].map(({ partNumber, etag }) => ({ partNumber, etag })))),
    ).toMatchObject({ code: "EntityTooSmall", details: { PartNumber: "1", MinSizeAllowed: String(MIN_PART_BYTES) } });
  });

  it("rejects part numbers outside 1..10000 and unknown uploads", () => {
    const { store, uploadId } = setup();
    for (const n of [0, 10001, 1.5]) expect(s3ErrorOf(() => store.uploadPart(uploadId, n, part3)).code).toBe("InvalidArgument");
    expect(s3ErrorOf(() => store.uploadPart("nope", 1, part3)).code).toBe("NoSuchUpload");
    expect(s3ErrorOf(() => store.completeMultipartUpload(uploadId, [])).code).toBe("MalformedXML");
    store.abortMultipartUpload(uploadId);
    expect(s3ErrorOf(() => store.abortMultipartUpload(uploadId)).code).toBe("NoSuchUpload");
  });

  it("gives a composite checksum when every part carried one", () => {
    const { store, uploadId } = setup();
    const bodies = [part1, part3];
    const parts = bodies.map((body, i) => store.uploadPart(uploadId, i + 1, body, { algorithm: "SHA256", value: checksumOf("SHA256", body) }));
    const version = store.completeMultipartUpload(uploadId, parts.map(({ partNumber, etag }) => ({ partNumber, etag })));
    const composite = checksumOf("SHA256", Buffer.concat(bodies.map((b) => Buffer.from(checksumOf("SHA256", b), "base64"))));
    expect(version.meta.checksum).toEqual({ algorithm: "SHA256", value: `${composite}-2` });
    expect(version).toMatchObject({ checksumAlgorithm: "SHA256", checksumType: "COMPOSITE" });
  });

  it("keep uploads and parts across a restart", () => {
    const { store, uploadId, reopen } = setup();
    const p1 = store.uploadPart(uploadId, 1, part3);
    const reopened = reopen();
    expect(reopened.getMultipartUpload(uploadId)).toMatchObject({ bucket: "mpu", key: "big.bin" });
    reopened.completeMultipartUpload(uploadId, [{ partNumber: 1, etag: p1.etag }]);
    expect(reopened.getObject("mpu", "big.bin").body.toString()).toBe("tail");
  });
});
