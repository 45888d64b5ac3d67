import { describe, expect, it } from "vitest";
import { listV2, TEXT_META, tempStore } from "./test-support";

describe("a restart keeps everything", () => {
  it("keeps buckets, versioning, every version, bodies, metadata and LastModified", () => {
    const handle = tempStore();
    const { store } = handle;
    const at = new Date("2020-05-06T07:08:09.123Z");
    const ids = store.writeAt(at, () => {
      store.createBucket("keep");
      store.setVersioning("keep", "Enabled");
      const v1 = store.putObject({ bucket: "keep", key: "k", body: Buffer.from("one"), meta: { ...TEXT_META, userMetadata: { n: "1" } } }).versionId;
      const v2 = store.putObject({ bucket: "keep", key: "k", body: Buffer.from("two"), meta: { ...TEXT_META, storageClass: "STANDARD_IA" } }).versionId;
      const marker = store.deleteObject("keep", "gone").versionId;
      return { v1, v2, marker };
    });

    const reopened = handle.reopen();
    expect(reopened.getBucket("keep")).toMatchObject({ versioning: "Enabled", createdAt: at });
    expect(reopened.getObject("keep", "k").body.toString()).toBe("two");
    expect(reopened.getObject("keep", "k", ids.v1).version.meta.userMetadata).toEqual({ n: "1" });
    expect(listV2(reopened, "keep").contents.map((c) => [c.key, c.storageClass, c.lastModified.getTime()])).toEqual([
      ["k", "STANDARD_IA", at.getTime()],
    ]);
    const versions = reopened.listObjectVersions("keep", { prefix: "", delimiter: "", maxKeys: 10, keyMarker: "", versionIdMarker: "" });
    expect(versions.entries.map((e) => e.versionId)).toEqual([ids.marker, ids.v2, ids.v1]);

    // New versions written after the restart still sort newest first.
    const v3 = reopened.putObject({ bucket: "keep", key: "k", body: Buffer.from("three"), meta: TEXT_META }).versionId;
    expect(reopened.headObject("keep", "k").versionId).toBe(v3);
    expect(reopened.listObjectVersions("keep", { prefix: "k", delimiter: "", maxKeys: 10, keyMarker: "", versionIdMarker: "" }).entries.map((e) => e.versionId)).toEqual([
      v3,
      ids.v2,
      ids.v1,
    ]);
  });
});
