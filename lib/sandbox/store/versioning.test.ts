import { describe, expect, it } from "vitest";
import type { SandboxStore } from "../store-types";
import { DeleteMarkerError } from "./delete-marker-error";
import { s3ErrorOf, TEXT_META, tempStore } from "./test-support";

function bucket(status?: "Enabled" | "Suspended"): SandboxStore {
  const { store } = tempStore();
  store.createBucket("vers");
  if (status) store.setVersioning("vers", status);
  return store;
}

const put = (store: SandboxStore, key: string, body: string) =>
  store.putObject({ bucket: "vers", key, body: Buffer.from(body), meta: TEXT_META });

const read = (store: SandboxStore, key: string, versionId?: string) =>
  store.getObject("vers", key, versionId).body.toString();

function history(store: SandboxStore, key: string) {
  return store
    .listObjectVersions("vers", { prefix: key, delimiter: "", maxKeys: 1000, keyMarker: "", versionIdMarker: "" })
    .entries.filter((e) => e.key === key)
    .map((e) => ({ versionId: e.versionId, isLatest: e.isLatest, isDeleteMarker: e.isDeleteMarker }));
}

describe("versioning", () => {
  it("starts Unversioned and moves to Enabled and Suspended", () => {
    const store = bucket();
    expect(store.getBucket("vers").versioning).toBe("Unversioned");
    store.setVersioning("vers", "Enabled");
    expect(store.getBucket("vers").versioning).toBe("Enabled");
    store.setVersioning("vers", "Suspended");
    expect(store.getBucket("vers").versioning).toBe("Suspended");
  });

  it("Unversioned: an overwrite replaces the null version and a delete removes the key", () => {
    const store = bucket();
    expect(put(store, "k", "one").versionId).toBe("null");
    put(store, "k", "two");
    expect(history(store, "k")).toEqual([{ versionId: "null", isLatest: true, isDeleteMarker: false }]);
    expect(read(store, "k")).toBe("two");
    expect(store.deleteObject("vers", "k")).toEqual({ deleteMarker: false, versionId: undefined });
    expect(history(store, "k")).toEqual([]);
    expect(s3ErrorOf(() => store.headObject("vers", "k")).code).toBe("NoSuchKey");
  });

  it("Enabled: every put is a new version, older ones stay readable by id", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    const v2 = put(store, "k", "two").versionId;
    const v3 = put(store, "k", "three").versionId;
    expect(new Set([v1, v2, v3, "null"]).size).toBe(4);
    for (const id of [v1, v2, v3]) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(read(store, "k")).toBe("three");
    expect(read(store, "k", v1)).toBe("one");
    expect(store.headObject("vers", "k", v2)).toMatchObject({ isLatest: false, size: 3 });
    expect(history(store, "k").map((h) => h.versionId)).toEqual([v3, v2, v1]);
  });

  it("Enabled: a delete adds a delete marker that hides the object until the marker is removed", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    const deleted = store.deleteObject("vers", "k");
    expect(deleted.deleteMarker).toBe(true);
    const markerId = deleted.versionId ?? "";

    const latest = s3ErrorOf(() => store.getObject("vers", "k"));
    expect(latest).toBeInstanceOf(DeleteMarkerError);
    expect(latest).toMatchObject({ code: "NoSuchKey", headers: { "x-amz-delete-marker": "true", "x-amz-version-id": markerId } });
    expect(s3ErrorOf(() => store.headObject("vers", "k", markerId))).toMatchObject({ code: "MethodNotAllowed" });
    expect(read(store, "k", v1)).toBe("one");

    expect(store.deleteObject("vers", "k", markerId)).toEqual({ deleteMarker: true, versionId: markerId });
    expect(read(store, "k")).toBe("one");
    expect(history(store, "k")).toEqual([{ versionId: v1, isLatest: true, isDeleteMarker: false }]);
  });

  it("Enabled: deleting a key that never existed still writes a delete marker", () => {
    const store = bucket("Enabled");
    const result = store.deleteObject("vers", "never");
    expect(result.deleteMarker).toBe(true);
    expect(history(store, "never")).toEqual([{ versionId: result.versionId, isLatest: true, isDeleteMarker: true }]);
  });

  it("deleting the latest version by id permanently makes the previous one latest", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    const v2 = put(store, "k", "two").versionId;
    expect(store.deleteObject("vers", "k", v2)).toEqual({ deleteMarker: false, versionId: v2 });
    expect(read(store, "k")).toBe("one");
    expect(history(store, "k")).toEqual([{ versionId: v1, isLatest: true, isDeleteMarker: false }]);
    expect(s3ErrorOf(() => store.getObject("vers", "k", v2))).toMatchObject({ code: "NoSuchVersion" });
  });

  it("deleting a noncurrent version leaves the latest alone", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    const v2 = put(store, "k", "two").versionId;
    store.deleteObject("vers", "k", v1);
    expect(history(store, "k")).toEqual([{ versionId: v2, isLatest: true, isDeleteMarker: false }]);
  });

  it("an object written before versioning keeps the version id null", () => {
    const store = bucket();
    put(store, "k", "old");
    store.setVersioning("vers", "Enabled");
    const v1 = put(store, "k", "new").versionId;
    expect(history(store, "k")).toEqual([
      { versionId: v1, isLatest: true, isDeleteMarker: false },
      { versionId: "null", isLatest: false, isDeleteMarker: false },
    ]);
    expect(read(store, "k", "null")).toBe("old");
  });

  it("Suspended: puts replace only the null version; versions from Enabled stay", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    store.setVersioning("vers", "Suspended");
    expect(put(store, "k", "two").versionId).toBe("null");
    expect(put(store, "k", "three").versionId).toBe("null");
    expect(history(store, "k")).toEqual([
      { versionId: "null", isLatest: true, isDeleteMarker: false },
      { versionId: v1, isLatest: false, isDeleteMarker: false },
    ]);
    expect(read(store, "k", "null")).toBe("three");
  });

  it("Suspended: a delete writes a null delete marker in place of the null version", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    store.setVersioning("vers", "Suspended");
    put(store, "k", "two");
    expect(store.deleteObject("vers", "k")).toEqual({ deleteMarker: true, versionId: "null" });
    expect(history(store, "k")).toEqual([
      { versionId: "null", isLatest: true, isDeleteMarker: true },
      { versionId: v1, isLatest: false, isDeleteMarker: false },
    ]);
    // Re-enabling: new versions stack on top, the null marker becomes noncurrent.
    store.setVersioning("vers", "Enabled");
    const v3 = put(store, "k", "three").versionId;
    expect(history(store, "k").map((h) => h.versionId)).toEqual([v3, "null", v1]);
  });

  it("tells a malformed version id (InvalidArgument) from a missing one (NoSuchVersion)", () => {
    const store = bucket("Enabled");
    const v1 = put(store, "k", "one").versionId;
    expect(s3ErrorOf(() => store.getObject("vers", "k", "not-a-version"))).toMatchObject({
      code: "InvalidArgument",
      message: "Invalid version id specified",
    });
    expect(s3ErrorOf(() => store.getObject("vers", "other", v1))).toMatchObject({ code: "NoSuchVersion" });
    expect(s3ErrorOf(() => store.getObject("vers", "k", "null"))).toMatchObject({ code: "NoSuchVersion" });
    // Deleting a version that does not exist succeeds.
    expect(store.deleteObject("vers", "other", v1)).toEqual({ deleteMarker: false, versionId: v1 });
  });
});
