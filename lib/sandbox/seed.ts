import { S3Error } from "./errors";
import { writeInventory } from "./inventory";
import type { ObjectMeta, SandboxStore } from "./store-types";

// Demo data for a fresh sandbox. Everything is deterministic (fixed dates, a seeded PRNG), so the
// same data dir content comes out of every first start and tests can rely on it.

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const at = (iso: string) => new Date(iso);

function meta(contentType: string, storageClass = "STANDARD", userMetadata: Record<string, string> = {}): ObjectMeta {
  return { contentType, userMetadata, storageClass };
}

function bucketExists(store: SandboxStore, name: string): boolean {
  try {
    store.getBucket(name);
    return true;
  } catch (error) {
    if (error instanceof S3Error && error.code === "NoSuchBucket") return false;
    throw error;
  }
}

/** xorshift32: reproducible pseudo-random numbers for sizes, dates and body bytes. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

function bodyOf(size: number, magic: readonly number[], random: () => number): Buffer {
  const body = Buffer.allocUnsafe(size);
  let word = 0;
  for (let i = 0; i < size; i++) {
    if ((i & 3) === 0) word = Math.floor(random() * 0x1_0000_0000);
    body[i] = (word >>> ((i & 3) * 8)) & 0xff;
  }
  Buffer.from(magic).copy(body, 0, 0, Math.min(magic.length, size));
  return body;
}

/** Creates the demo buckets that do not exist yet: demo, photos, unicode, versioned. */
export function seedDemo(store: SandboxStore): void {
  if (!bucketExists(store, "demo")) seedDemoBucket(store);
  if (!bucketExists(store, "photos")) seedPhotos(store);
  if (!bucketExists(store, "unicode")) seedUnicode(store);
  if (!bucketExists(store, "versioned")) seedVersioned(store);
}

/** 3000 keys obj_0000..obj_2999 at the top level: the classic "why do I only get 1000?" bucket. */
function seedDemoBucket(store: SandboxStore): void {
  const start = day("2024-06-01").getTime();
  store.writeAt(new Date(start), () => {
    store.createBucket("demo");
    for (let i = 0; i < 3000; i++) {
      const key = `obj_${String(i).padStart(4, "0")}`;
      store.writeAt(new Date(start + i * 60_000), () =>
        store.putObject({ bucket: "demo", key, body: Buffer.from(`${key}\n`), meta: meta("text/plain") }),
      );
    }
  });
}

const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TIFF = [0x4d, 0x4d, 0x00, 0x2a];

/** Nested folders, sizes from 0 bytes to a few MB (about 10 MB in all), dates over years, every storage class. */
function seedPhotos(store: SandboxStore): void {
  const random = prng(20240501);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const between = (from: Date, to: Date) => new Date(from.getTime() + Math.floor(random() * (to.getTime() - from.getTime())));

  interface Photo {
    key: string;
    size: number;
    magic: readonly number[];
    contentType: string;
    storageClass: string;
    lastModified: Date;
  }
  const photos: Photo[] = [];
  const albums: [folder: string, count: number, from: string, to: string][] = [
    ["2019/paris", 6, "2019-04-12", "2019-04-20"],
    ["2021/wedding/ceremony", 9, "2021-09-18", "2021-09-19"],
    ["2021/wedding/party", 12, "2021-09-18", "2021-09-20"],
    ["2023/summer/beach", 14, "2023-07-02", "2023-07-16"],
    ["2023/summer/mountains", 10, "2023-08-05", "2023-08-12"],
    ["2023/winter", 7, "2023-12-20", "2024-01-03"],
    ["2024/spring/city", 11, "2024-04-01", "2024-05-15"],
    ["2024/family", 16, "2024-01-10", "2024-12-24"],
    ["2025/january", 5, "2025-01-02", "2025-01-30"],
  ];
  const imageClasses = ["STANDARD", "STANDARD", "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR"];
  for (const [folder, count, from, to] of albums) {
    for (let i = 1; i <= count; i++) {
      const key = `${folder}/IMG_${String(i).padStart(4, "0")}.jpg`;
      photos.push({
        key,
        size: 8_000 + Math.floor(random() * 90_000),
        magic: JPEG,
        contentType: "image/jpeg",
        storageClass: pick(imageClasses),
        lastModified: between(day(from), day(to)),
      });
      if (i % 4 === 0) {
        photos.push({
          key: `thumbnails/${folder}/IMG_${String(i).padStart(4, "0")}.png`,
          size: 200 + Math.floor(random() * 3_000),
          magic: PNG,
          contentType: "image/png",
          storageClass: "INTELLIGENT_TIERING",
          lastModified: between(day(from), day("2025-03-01")),
        });
      }
    }
  }
  const rawClasses = ["GLACIER", "DEEP_ARCHIVE", "GLACIER", "STANDARD_IA"];
  for (let i = 1; i <= 4; i++) {
    photos.push({
      key: `raw/2023/summer/DSC_${String(i).padStart(4, "0")}.NEF`,
      size: 900_000 + Math.floor(random() * 1_200_000),
      magic: TIFF,
      contentType: "image/x-nikon-nef",
      storageClass: rawClasses[i - 1] ?? "GLACIER",
      lastModified: between(day("2023-07-02"), day("2023-08-12")),
    });
  }
  photos.push(
    { key: "raw/README.txt", size: 1, magic: [0x0a], contentType: "text/plain", storageClass: "REDUCED_REDUNDANCY", lastModified: day("2018-11-30") },
    { key: "2023/", size: 0, magic: [], contentType: "application/x-directory", storageClass: "STANDARD", lastModified: day("2023-01-01") },
    { key: "albums.json", size: 640, magic: [0x7b], contentType: "application/json", storageClass: "STANDARD", lastModified: day("2025-02-14") },
  );

  store.writeAt(day("2018-11-01"), () => {
    store.createBucket("photos");
    for (const photo of photos) {
      store.writeAt(photo.lastModified, () =>
        store.putObject({
          bucket: "photos",
          key: photo.key,
          body: bodyOf(photo.size, photo.magic, random),
          meta: meta(photo.contentType, photo.storageClass, { camera: photo.key.startsWith("raw/") ? "nikon-z6" : "phone" }),
        }),
      );
    }
  });
}

/** Keys that break naive URL, XML, sorting and shell handling. */
export const UNICODE_DEMO_KEYS: readonly string[] = [
  "with space.txt",
  "plus+sign.txt",
  "percent%sign.txt",
  "literal%20not-a-space.txt",
  "hash#fragment.txt",
  "question?mark.txt",
  "amp&ersand.txt",
  "<&>.xml",
  "quotes'single\"double.txt",
  "emoji-\u{1F600}.txt",
  "fullwidth-\uFF21.txt",
  "caf\u00E9-precomposed.txt",
  "cafe\u0301-decomposed.txt",
  "line\nbreak.txt",
  "carriage\rreturn.txt",
  "tab\there.txt",
  "double//slash.txt",
  "/leading-slash.txt",
  "folder-marker/",
  "folder-marker/inside.txt",
  "日本語/ファイル.txt",
  "ελληνικά.txt",
  // Byte order differs from JS string order: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80).
  "order/\u{1F600}",
  "order/\uFF21",
  "order/a b",
  "order/a.b",
  "order/a/b",
  // Exactly 1024 UTF-8 bytes, the longest key S3 accepts: 20 + 502 × 2.
  "long-key-1024-bytes-" + "\u00E9".repeat(502),
];

function seedUnicode(store: SandboxStore): void {
  store.writeAt(day("2024-02-29"), () => {
    store.createBucket("unicode");
    UNICODE_DEMO_KEYS.forEach((key, i) => {
      store.writeAt(new Date(day("2024-02-29").getTime() + i * 3_600_000), () =>
        store.putObject({
          bucket: "unicode",
          key,
          body: Buffer.from(`key: ${JSON.stringify(key)}\n`),
          meta: meta("text/plain; charset=utf-8"),
        }),
      );
    });
  });
}

/**
 * Versioning Enabled with a known history (all 2024, UTC): overwrites, delete markers, a re-create,
 * an undelete, a permanently deleted version and an object from before versioning ("null").
 */
function seedVersioned(store: SandboxStore): void {
  const put = (when: string, key: string, text: string) =>
    store.writeAt(at(when), () =>
      store.putObject({ bucket: "versioned", key, body: Buffer.from(text), meta: meta("text/plain") }),
    ).versionId;
  const remove = (when: string, key: string, versionId?: string) =>
    store.writeAt(at(when), () => store.deleteObject("versioned", key, versionId));

  store.writeAt(at("2024-01-02T09:00:00Z"), () => {
    store.createBucket("versioned");
    put("2024-01-03T10:00:00Z", "legacy.txt", "written before versioning was enabled\n");
    store.writeAt(at("2024-01-05T08:00:00Z"), () => store.setVersioning("versioned", "Enabled"));

    put("2024-01-10T09:15:00Z", "report.csv", "month,total\njan,100\n");
    put("2024-02-14T09:15:00Z", "report.csv", "month,total\njan,100\nfeb,140\n");
    put("2024-03-20T09:15:00Z", "report.csv", "month,total\njan,100\nfeb,140\nmar,90\n");
    put("2024-04-30T09:15:00Z", "report.csv", "month,total\njan,100\nfeb,140\nmar,90\napr,180\n");

    put("2024-01-12T14:00:00Z", "notes.txt", "buy milk\n");
    remove("2024-02-01T18:30:00Z", "notes.txt");

    put("2024-01-15T11:00:00Z", "config.json", '{"debug":false}\n');
    remove("2024-03-01T12:00:00Z", "config.json");
    put("2024-03-15T12:00:00Z", "config.json", '{"debug":true}\n');

    put("2024-01-20T16:45:00Z", "draft.md", "# Draft 1\n");
    const draft2 = put("2024-02-20T16:45:00Z", "draft.md", "# Draft 2 (leaked a secret)\n");
    put("2024-03-25T16:45:00Z", "draft.md", "# Draft 3\n");
    remove("2024-04-01T07:00:00Z", "draft.md", draft2);

    put("2024-02-10T10:30:00Z", "legacy.txt", "rewritten after versioning was enabled\n");

    put("2024-01-25T20:00:00Z", "photos/cat.jpg", "not really a cat\n");
    const catMarker = remove("2024-02-05T20:00:00Z", "photos/cat.jpg").versionId;
    remove("2024-02-06T08:00:00Z", "photos/cat.jpg", catMarker);

    put("2024-01-31T23:59:00Z", "logs/2024-01.log", "january\n");
    put("2024-02-29T23:59:00Z", "logs/2024-02.log", "february\n");
    put("2024-03-01T00:10:00Z", "logs/2024-02.log", "february, late entries\n");
    put("2024-03-31T23:59:00Z", "logs/2024-03.log", "march\n");
    remove("2024-04-15T06:00:00Z", "logs/2024-03.log");

    remove("2024-03-03T03:03:00Z", "ghost.txt");
  });
}

export const DEMO_INVENTORY = {
  bucket: "inventory-reports",
  prefix: "reports",
  configId: "photos-daily",
  /** In the report, deleted from photos after it was made: the report lags behind the bucket. */
  deletedSince: "2025/january/IMG_0006.jpg",
} as const;

/**
 * An S3 Inventory report of photos (CSV) in a bucket of its own, dated the day before seeding, so
 * a fresh sandbox can show an inventory beside a live pass. One photo is in the report and deleted
 * from the bucket after it: keys a report has and a live listing lacks are what its eventual
 * consistency looks like. photos itself ends as seedDemo left it.
 */
export async function seedDemoInventory(store: SandboxStore, now = Date.now()): Promise<void> {
  if (bucketExists(store, DEMO_INVENTORY.bucket) || !bucketExists(store, "photos")) return;
  // S3 names a report by its minute (YYYY-MM-DDTHH-MMZ): the seeded one begins on a whole minute.
  const reportAt = new Date(Math.floor((now - 24 * 3600_000) / 60_000) * 60_000);
  store.writeAt(reportAt, () => store.createBucket(DEMO_INVENTORY.bucket));
  store.writeAt(day("2025-01-31"), () =>
    store.putObject({ bucket: "photos", key: DEMO_INVENTORY.deletedSince, body: bodyOf(42_000, JPEG, prng(6)), meta: meta("image/jpeg") }),
  );
  try {
    await writeInventory(
      store,
      { bucket: "photos", destinationBucket: DEMO_INVENTORY.bucket, destinationPrefix: DEMO_INVENTORY.prefix, configId: DEMO_INVENTORY.configId, format: "CSV", createdAt: reportAt.toISOString() },
      { objectsAt: reportAt },
    );
  } finally {
    store.deleteObject("photos", DEMO_INVENTORY.deletedSince);
  }
}

/**
 * A bucket of `n` keys `k/0000000`… (zero padded, byte order = numeric order) sharing one stored
 * body, for benchmarks and flat-cost checks. Skipped when its last key already exists.
 */
export function seedLarge(store: SandboxStore, bucket: string, n: number): void {
  if (!bucketExists(store, bucket)) store.createBucket(bucket);
  const width = Math.max(7, String(Math.max(0, n - 1)).length);
  const keyAt = (i: number) => `k/${String(i).padStart(width, "0")}`;
  if (n <= 0) return;
  try {
    store.headObject(bucket, keyAt(n - 1));
    return;
  } catch (error) {
    if (!(error instanceof S3Error && error.code === "NoSuchKey")) throw error;
  }
  function* keys() {
    for (let i = 0; i < n; i++) yield keyAt(i);
  }
  store.seedObjects({ bucket, keys: keys(), body: Buffer.from("x\n"), meta: meta("text/plain") });
}
