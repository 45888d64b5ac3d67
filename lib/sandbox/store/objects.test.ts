import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASE_FILE } from "./sqlite-store";
import { s3ErrorOf, TEXT_META, tempStore } from "./test-support";

function patterned(size: number): Buffer {
  const body = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
  return body;
}

describe("objects", () => {
  it("stores the body and a quoted MD5 ETag", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    const body = patterned(1000);
    const put = store.putObject({ bucket: "objs", key: "k", body, meta: { ...TEXT_META, userMetadata: { color: "blue" } } });
    expect(put.etag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    const got = store.getObject("objs", "k");
    expect(got.body.equals(body)).toBe(true);
    expect(got.version.meta.userMetadata).toEqual({ color: "blue" });
    expect(store.headObject("objs", "k")).toMatchObject({ size: 1000, etag: put.etag });
  });

  it("reads byte ranges, including across stored chunk boundaries and past the end", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    const body = patterned(2.5 * 1024 * 1024);
    const version = store.putObject({ bucket: "objs", key: "big", body, meta: TEXT_META });
    const mib = 1024 * 1024;
    for (const [start, end] of [
      [0, 0],
      [10, 99],
      [mib - 5, mib + 5],
      [mib - 1, 2 * mib + 10],
      [body.length - 3, body.length + 100],
    ] as const) {
      expect(store.readRange(version, start, end).equals(body.subarray(start, end + 1))).toBe(true);
    }
    // A plain copy of the version (no store internals) works too.
    expect(store.readRange({ ...version, meta: version.meta }, 5, 9).equals(body.subarray(5, 10))).toBe(true);
  });

  it("stores empty bodies", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    store.putObject({ bucket: "objs", key: "empty", body: Buffer.alloc(0), meta: TEXT_META });
    expect(store.getObject("objs", "empty").body.length).toBe(0);
    expect(store.headObject("objs", "empty").etag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
  });

  it("accepts keys up to 1024 UTF-8 bytes and rejects longer or empty ones", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    const exactly1024 = "é".repeat(511) + "xx";
    expect(Buffer.byteLength(exactly1024)).toBe(1024);
    store.putObject({ bucket: "objs", key: exactly1024, body: Buffer.from("x"), meta: TEXT_META });
    expect(store.headObject("objs", exactly1024).key).toBe(exactly1024);
    const tooLong = "é".repeat(512) + "x";
    expect(s3ErrorOf(() => store.putObject({ bucket: "objs", key: tooLong, body: Buffer.from("x"), meta: TEXT_META }))).toMatchObject({
      code: "KeyTooLongError",
      status: 400,
    });
    expect(s3ErrorOf(() => store.putObject({ bucket: "objs", key: "", body: Buffer.from("x"), meta: TEXT_META })).code).toBe(
      "InvalidArgument",
    );
  });

  it("reports NoSuchBucket and NoSuchKey", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    expect(s3ErrorOf(() => store.getObject("nope", "k"))).toMatchObject({ code: "NoSuchBucket", details: { BucketName: "nope" } });
    expect(s3ErrorOf(() => store.getObject("objs", "k"))).toMatchObject({ code: "NoSuchKey", details: { Key: "k" } });
    expect(s3ErrorOf(() => store.listObjectsV2("nope", { prefix: "", delimiter: "", maxKeys: 1, startAfter: "", continuationToken: undefined })).code).toBe(
      "NoSuchBucket",
    );
  });

  it("copies with the source metadata or new metadata", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    const source = store.putObject({ bucket: "objs", key: "src", body: Buffer.from("payload"), meta: { ...TEXT_META, userMetadata: { a: "1" } } });
    const copied = store.copyObject({ bucket: "objs", key: "src" }, { bucket: "objs", key: "dst" }, "COPY");
    expect(copied).toMatchObject({ key: "dst", etag: source.etag, size: 7 });
    expect(store.getObject("objs", "dst").version.meta.userMetadata).toEqual({ a: "1" });
    const replaced = store.copyObject({ bucket: "objs", key: "src" }, { bucket: "objs", key: "dst2" }, { ...TEXT_META, storageClass: "GLACIER" });
    expect(replaced.storageClass).toBe("GLACIER");
    expect(store.getObject("objs", "dst2").body.toString()).toBe("payload");
    // The shared body outlives the deleted source.
    store.deleteObject("objs", "src");
    expect(store.getObject("objs", "dst").body.toString()).toBe("payload");
  });

  it("refuses to copy an object onto itself without changes, or from a delete marker", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    store.setVersioning("objs", "Enabled");
    store.putObject({ bucket: "objs", key: "k", body: Buffer.from("x"), meta: TEXT_META });
    expect(s3ErrorOf(() => store.copyObject({ bucket: "objs", key: "k" }, { bucket: "objs", key: "k" }, "COPY")).code).toBe("InvalidRequest");
    const marker = store.deleteObject("objs", "k").versionId ?? "";
    expect(s3ErrorOf(() => store.copyObject({ bucket: "objs", key: "k" }, { bucket: "objs", key: "k2" }, "COPY")).code).toBe("NoSuchKey");
    expect(
      s3ErrorOf(() => store.copyObject({ bucket: "objs", key: "k", versionId: marker }, { bucket: "objs", key: "k2" }, "COPY")).code,
    ).toBe("InvalidRequest");
  });

  it("snapshotPrefix returns every latest live object under the prefix", () => {
    const { store } = tempStore();
    store.createBucket("objs");
    store.setVersioning("objs", "Enabled");
    for (const key of ["p/a", "p/b", "p/c", "q/a"]) store.putObject({ bucket: "objs", key, body: Buffer.from(key), meta: TEXT_META });
    store.putObject({ bucket: "objs", key: "p/a", body: Buffer.from("newer"), meta: TEXT_META });
    store.deleteObject("objs", "p/b");
    const snapshot = store.snapshotPrefix("objs", "p/");
    expect(snapshot.map((v) => [v.key, v.size])).toEqual([
      ["p/a", 5],
      ["p/c", 3],
    ]);
  });

  it("drops bodies no version refers to any more", () => {
    const { store, dataDir } = tempStore();
    store.createBucket("objs");
    for (let i = 0; i < 3; i++) store.putObject({ bucket: "objs", key: "k", body: patterned(100 + i), meta: TEXT_META });
    store.copyObject({ bucket: "objs", key: "k" }, { bucket: "objs", key: "copy" }, "COPY");
    store.deleteObject("objs", "k");
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM bodies").get()).toEqual({ n: 1 });
      expect(db.prepare("SELECT count(*) AS n FROM body_chunks").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
