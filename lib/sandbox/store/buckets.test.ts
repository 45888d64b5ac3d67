import { describe, expect, it } from "vitest";
import { isValidBucketName } from "./bucket-names";
import { s3ErrorOf, TEXT_META, tempStore } from "./test-support";

describe("bucket names follow the general purpose bucket rules", () => {
  it.each(["abc", "my-bucket", "my.bucket.2024", "a".repeat(63), "1bucket", "bucket9"])("accepts %s", (name) => {
    expect(isValidBucketName(name)).toBe(true);
  });

  it.each([
    ["too short", "ab"],
    ["too long", "a".repeat(64)],
    ["uppercase", "MyBucket"],
    ["underscore", "my_bucket"],
    ["starts with a hyphen", "-bucket"],
    ["ends with a dot", "bucket."],
    ["two adjacent dots", "my..bucket"],
    ["an IP address", "192.168.5.4"],
    ["prefix xn--", "xn--bucket"],
    ["prefix sthree-", "sthree-bucket"],
    ["suffix -s3alias", "bucket-s3alias"],
    ["suffix --ol-s3", "bucket--ol-s3"],
    ["a space", "my bucket"],
  ])("rejects %s (%s)", (_why, name) => {
    expect(isValidBucketName(name)).toBe(false);
  });
});

describe("buckets", () => {
  it("are created, listed by name and deleted", () => {
    const { store } = tempStore();
    store.createBucket("zeta");
    const alpha = store.createBucket("alpha");
    expect(alpha).toMatchObject({ name: "alpha", versioning: "Unversioned" });
    expect(alpha.createdAt).toBeInstanceOf(Date);
    expect(store.listBuckets().map((b) => b.name)).toEqual(["alpha", "zeta"]);
    store.deleteBucket("zeta");
    expect(store.listBuckets().map((b) => b.name)).toEqual(["alpha"]);
    expect(s3ErrorOf(() => store.getBucket("zeta")).code).toBe("NoSuchBucket");
  });

  it("reject an invalid name and a second create", () => {
    const { store } = tempStore();
    expect(s3ErrorOf(() => store.createBucket("Bad_Name"))).toMatchObject({ code: "InvalidBucketName", details: { BucketName: "Bad_Name" } });
    store.createBucket("mine");
    expect(s3ErrorOf(() => store.createBucket("mine")).code).toBe("BucketAlreadyOwnedByYou");
  });

  it("cannot be deleted while an object, a delete marker or an upload is left", () => {
    const { store } = tempStore();
    store.createBucket("full");
    store.setVersioning("full", "Enabled");
    store.putObject({ bucket: "full", key: "k", body: Buffer.from("x"), meta: TEXT_META });
    expect(s3ErrorOf(() => store.deleteBucket("full")).code).toBe("BucketNotEmpty");

    const [version] = store.listObjectVersions("full", { prefix: "", delimiter: "", maxKeys: 10, keyMarker: "", versionIdMarker: "" }).entries;
    store.deleteObject("full", "k", version?.versionId);
    const marker = store.deleteObject("full", "k").versionId;
    expect(s3ErrorOf(() => store.deleteBucket("full")).code).toBe("BucketNotEmpty");

    store.deleteObject("full", "k", marker);
    const upload = store.createMultipartUpload("full", "big", TEXT_META);
    expect(s3ErrorOf(() => store.deleteBucket("full")).code).toBe("BucketNotEmpty");

    store.abortMultipartUpload(upload.uploadId);
    store.deleteBucket("full");
    expect(store.listBuckets()).toEqual([]);
  });
});
