import { describe, expect, it } from "vitest";
import { DEMO_INVENTORY, seedDemo, seedDemoInventory, seedLarge, UNICODE_DEMO_KEYS } from "../seed";
import type { ListVersionsResult, SandboxStore } from "../store-types";
import { byteSorted, listAllV2, listV2, tempStore } from "./test-support";

function versionsOf(store: SandboxStore, bucket: string): ListVersionsResult {
  return store.listObjectVersions(bucket, { prefix: "", delimiter: "", maxKeys: 1000, keyMarker: "", versionIdMarker: "" });
}

describe("seedDemo", () => {
  it("creates demo, photos, unicode and versioned, and a second run changes nothing", () => {
    const handle = tempStore();
    seedDemo(handle.store);
    const before = handle.store.listBuckets().map((b) => [b.name, listAllV2(handle.store, b.name).keys.length]);
    expect(before.map(([name]) => name)).toEqual(["demo", "photos", "unicode", "versioned"]);
    const reopened = handle.reopen();
    seedDemo(reopened);
    expect(reopened.listBuckets().map((b) => [b.name, listAllV2(reopened, b.name).keys.length])).toEqual(before);
  });

  it("has an inventory of photos dated the day before seeding, listing one photo deleted since; photos itself unchanged", async () => {
    const handle = tempStore();
    seedDemo(handle.store);
    const photos = listAllV2(handle.store, "photos").keys;
    const now = Date.UTC(2025, 5, 10, 12, 34, 56);
    await seedDemoInventory(handle.store, now);
    expect(listAllV2(handle.store, "photos").keys).toEqual(photos);
    const written = listAllV2(handle.store, DEMO_INVENTORY.bucket).keys;
    expect(written).toContain(`${DEMO_INVENTORY.prefix}/photos/${DEMO_INVENTORY.configId}/2025-06-09T12-34Z/manifest.json`);
    const manifest = JSON.parse(handle.store.getObject(DEMO_INVENTORY.bucket, `${DEMO_INVENTORY.prefix}/photos/${DEMO_INVENTORY.configId}/2025-06-09T12-34Z/manifest.json`).body.toString("utf8")) as { creationTimestamp: string };
    expect(manifest.creationTimestamp).toBe(String(Date.UTC(2025, 5, 9, 12, 34)));
    expect(photos).not.toContain(DEMO_INVENTORY.deletedSince);
    // A second run leaves it as it is.
    await seedDemoInventory(handle.store, now + 3600_000);
    expect(listAllV2(handle.store, DEMO_INVENTORY.bucket).keys).toEqual(written);
  });

  it("demo holds obj_0000..obj_2999 at the top level: three full pages", () => {
    const { store } = tempStore();
    seedDemo(store);
    const pass = listAllV2(store, "demo");
    expect(pass.pages.map((p) => p.keyCount)).toEqual([1000, 1000, 1000]);
    expect(pass.keys[0]).toBe("obj_0000");
    expect(pass.keys.at(-1)).toBe("obj_2999");
    expect(listV2(store, "demo", { delimiter: "/" }).commonPrefixes).toEqual([]);
  });

  it("photos has nested folders, varied sizes, dates and storage classes, under 20 MB", () => {
    const { store } = tempStore();
    seedDemo(store);
    const objects = store.snapshotPrefix("photos", "");
    const total = objects.reduce((sum, o) => sum + o.size, 0);
    expect(total).toBeLessThan(20 * 1024 * 1024);
    expect(Math.max(...objects.map((o) => o.size))).toBeGreaterThan(1024 * 1024);
    expect(Math.min(...objects.map((o) => o.size))).toBe(0);
    expect(new Set(objects.map((o) => o.storageClass)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(objects.map((o) => o.lastModified.getUTCFullYear())).size).toBeGreaterThanOrEqual(5);
    expect(listV2(store, "photos", { delimiter: "/" }).commonPrefixes).toEqual(["2019/", "2021/", "2023/", "2024/", "2025/", "raw/", "thumbnails/"]);
    expect(listV2(store, "photos", { prefix: "2023/summer/", delimiter: "/" }).commonPrefixes).toEqual(["2023/summer/beach/", "2023/summer/mountains/"]);
  });

  it("unicode holds every hostile key, listed in byte order", () => {
    const { store } = tempStore();
    seedDemo(store);
    expect(listAllV2(store, "unicode", { maxKeys: 7 }).keys).toEqual(byteSorted(UNICODE_DEMO_KEYS));
    expect(UNICODE_DEMO_KEYS.some((k) => Buffer.byteLength(k) === 1024)).toBe(true);
    const order = listV2(store, "unicode", { prefix: "order/", delimiter: "/" });
    expect(order.contents.map((c) => c.key)).toEqual(["order/a b", "order/a.b", "order/\uFF21", "order/\u{1F600}"]);
    expect(order.commonPrefixes).toEqual(["order/a/"]);
  });

  it("versioned has a known history with markers, a gap and a pre-versioning null version", () => {
    const { store } = tempStore();
    seedDemo(store);
    expect(store.getBucket("versioned").versioning).toBe("Enabled");
    const entries = versionsOf(store, "versioned").entries;
    const summary = (key: string) =>
      entries.filter((e) => e.key === key).map((e) => `${e.isDeleteMarker ? "marker" : "object"}@${e.lastModified.toISOString().slice(0, 10)}`);
    expect(summary("report.csv")).toEqual(["object@2024-04-30", "object@2024-03-20", "object@2024-02-14", "object@2024-01-10"]);
    expect(summary("notes.txt")).toEqual(["marker@2024-02-01", "object@2024-01-12"]);
    expect(summary("config.json")).toEqual(["object@2024-03-15", "marker@2024-03-01", "object@2024-01-15"]);
    expect(summary("draft.md")).toEqual(["object@2024-03-25", "object@2024-01-20"]);
    expect(summary("photos/cat.jpg")).toEqual(["object@2024-01-25"]);
    expect(summary("ghost.txt")).toEqual(["marker@2024-03-03"]);
    expect(entries.filter((e) => e.key === "legacy.txt").map((e) => e.versionId).at(-1)).toBe("null");
    expect(listV2(store, "versioned").contents.map((c) => c.key)).toEqual([
      "config.json",
      "draft.md",
      "legacy.txt",
      "logs/2024-01.log",
      "logs/2024-02.log",
      "photos/cat.jpg",
      "report.csv",
    ]);
  });
});

describe("seedLarge", () => {
  it("writes n zero-padded keys sharing one body, once", () => {
    const { store } = tempStore();
    seedLarge(store, "large", 2500);
    const pass = listAllV2(store, "large");
    expect(pass.keys).toHaveLength(2500);
    expect(pass.keys[0]).toBe("k/0000000");
    expect(pass.keys.at(-1)).toBe("k/0002499");
    expect(store.getObject("large", "k/0001234").body.toString()).toBe("x\n");
    seedLarge(store, "large", 2500);
    expect(listAllV2(store, "large").keys).toHaveLength(2500);
  });
});
