import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumOf } from "./checksums";
import { byteOrder, sdkClient, startTestSandbox, type TestSandbox } from "./test-helpers";

// awscli v2 (Debian's /usr/bin/aws) against a real sandbox: s3 cp/ls, s3api listings with every
// pagination option, presign, checksums. awscli always lists with encoding-type=url and decodes it.

const AWS = "/usr/bin/aws";
/** More hostile keys than the seeded `unicode` bucket holds (controls, private use, astral, U+FFFD). */
const HOSTILE_KEYS = [
  "plain.txt",
  "with space.txt",
  "plus+sign.txt",
  "percent%20literal.txt",
  "amp&lt<gt>\"quote'.txt",
  "question?hash#.txt",
  "tilde~star*.txt",
  "dir/nested/deep.txt",
  "dir//double-slash.txt",
  "trailing-slash/",
  "/leading-slash.txt",
  "ctrl\u0001char.txt",
  "cr\rinside.txt",
  "lf\ninside.txt",
  "tab\tinside.txt",
  " leading-space.txt",
  "trailing-space.txt ",
  "é-precomposed.txt",
  "e\u0301-decomposed.txt",
  "日本語/ファイル.txt",
  "emoji-😀.txt",
  "private-use-\uE000.txt",
  "replacement-\uFFFD.txt",
  "astral-𝄞.txt",
];

let sandbox: TestSandbox;
let s3: S3Client;
let home: string;
let unicodeKeys: string[];

function awsEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    PYTHONIOENCODING: "utf-8",
    AWS_ACCESS_KEY_ID: sandbox.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sandbox.secretAccessKey,
    AWS_DEFAULT_REGION: sandbox.region,
    AWS_CONFIG_FILE: path.join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    NODE_ENV: "test",
  };
}

function aws(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(AWS, ["--endpoint-url", sandbox.endpoint, ...args], { env: awsEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`aws ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function awsJson<T>(...args: string[]): Promise<T> {
  const out = await aws(...args, "--output", "json");
  return (out.trim() === "" ? {} : JSON.parse(out)) as T;
}

interface ListV2Output {
  Contents?: { Key: string; Size: number; ETag: string; LastModified: string }[];
  CommonPrefixes?: { Prefix: string }[];
  NextToken?: string;
}

async function sdkKeys(bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) keys.push(o.Key!);
  }
  return keys;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

beforeAll(async () => {
  if (!existsSync(AWS)) {
    throw new Error(`${AWS} is missing: awscli v2 is required for these tests. Run scripts/ensure-test-deps.sh (it installs Debian's awscli).`);
  }
  home = mkdtempSync(path.join(tmpdir(), "bucketscope-awscli-home-"));
  sandbox = await startTestSandbox({ seed: true });
  s3 = sdkClient(sandbox);
  await s3.send(new CreateBucketCommand({ Bucket: "hostile" }));
  for (const Key of HOSTILE_KEYS) await s3.send(new PutObjectCommand({ Bucket: "hostile", Key, Body: Key }));
  // Ground truth, straight from the store.
  unicodeKeys = sandbox.store.snapshotPrefix("unicode", "").map((o) => o.key);
  expect(unicodeKeys.length).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("aws s3 cp --recursive, up and down", () => {
  const files: Record<string, Buffer> = {
    "a b.txt": Buffer.from("space in the name\n"),
    "plus+sign.txt": Buffer.from("plus\n"),
    "percent%41.txt": Buffer.from("percent\n"),
    "ünïcödé/ファイル.txt": Buffer.from("unicode\n"),
    "nested/deep/er/x.json": Buffer.from('{"x":1}\n'),
    "empty.txt": Buffer.alloc(0),
    "big.bin": randomBytes(20 * 1024 * 1024),
  };

  it("uploads a tree (the 20 MiB file as an 8 MiB-part multipart upload) and downloads it identically", async () => {
    const up = path.join(home, "up");
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(up, name)), { recursive: true });
      writeFileSync(path.join(up, name), data);
    }
    await aws("s3", "mb", "s3://cli-up");
    await aws("s3", "cp", "--recursive", "--only-show-errors", up, "s3://cli-up/tree/");

    const expectedKeys = byteOrder(Object.keys(files).map((n) => `tree/${n}`));
    expect(await sdkKeys("cli-up")).toEqual(expectedKeys);
    const big = await s3.send(new HeadObjectCommand({ Bucket: "cli-up", Key: "tree/big.bin" }));
    expect(big.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(big.ContentLength).toBe(20 * 1024 * 1024);
    const small = await s3.send(new GetObjectCommand({ Bucket: "cli-up", Key: "tree/a b.txt" }));
    expect(small.ContentType).toBe("text/plain");
    expect(await small.Body!.transformToString()).toBe("space in the name\n");

    const down = path.join(home, "down");
    await aws("s3", "cp", "--recursive", "--only-show-errors", "s3://cli-up/tree/", down);
    for (const [name, data] of Object.entries(files)) expect(sha256(readFileSync(path.join(down, name))), name).toBe(sha256(data));
  }, 180_000);

  it("lists the same keys with aws s3 ls --recursive", async () => {
    const out = await aws("s3", "ls", "--recursive", "s3://cli-up/");
    const listed = out
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => /^\S+ \S+\s+\d+ (.*)$/.exec(l)![1]!);
    expect(listed).toEqual(byteOrder(Object.keys(files).map((n) => `tree/${n}`)));
  });
});

describe("aws s3api list-objects-v2 on hostile keys", () => {
  it("returns every key exactly, in byte order, identical to the SDK's listing and the store", async () => {
    for (const bucket of ["unicode", "hostile"]) {
      const truth = sandbox.store.snapshotPrefix(bucket, "").map((o) => o.key);
      const all = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", bucket);
      const cliKeys = (all.Contents ?? []).map((c) => c.Key);
      expect(cliKeys, bucket).toEqual(byteOrder(truth));
      expect(cliKeys, bucket).toEqual(truth);
      expect(await sdkKeys(bucket), bucket).toEqual(cliKeys);
    }
    expect(sandbox.store.snapshotPrefix("hostile", "").map((o) => o.key)).toEqual(byteOrder(HOSTILE_KEYS));
  });

  it("pages with --page-size and resumes with --max-items / --starting-token", async () => {
    const paged = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", "unicode", "--page-size", "2");
    expect((paged.Contents ?? []).map((c) => c.Key)).toEqual(unicodeKeys);

    // max-items not a multiple of page-size: the token must also carry a position inside a page.
    const third = Math.max(4, Math.ceil(unicodeKeys.length / 3));
    const maxItems = String(third % 3 === 0 ? third + 1 : third);
    const collected: string[] = [];
    let token: string | undefined;
    for (let round = 0; round < 100; round++) {
      const args = ["s3api", "list-objects-v2", "--bucket", "unicode", "--page-size", "3", "--max-items", maxItems];
      if (token) args.push("--starting-token", token);
      const page = await awsJson<ListV2Output>(...args);
      collected.push(...(page.Contents ?? []).map((c) => c.Key));
      token = page.NextToken;
      if (!token) break;
    }
    expect(collected).toEqual(unicodeKeys);
  }, 120_000);

  it("honours --start-after, --prefix and --delimiter", async () => {
    const pivot = unicodeKeys[Math.floor(unicodeKeys.length / 2)]!;
    const after = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", "unicode", "--start-after", pivot, "--page-size", "5");
    expect((after.Contents ?? []).map((c) => c.Key)).toEqual(unicodeKeys.slice(unicodeKeys.indexOf(pivot) + 1));

    const top = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", "unicode", "--delimiter", "/");
    const expectedPrefixes = [...new Set(unicodeKeys.filter((k) => k.includes("/")).map((k) => k.slice(0, k.indexOf("/") + 1)))];
    expect((top.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(byteOrder(expectedPrefixes));
    expect((top.Contents ?? []).map((c) => c.Key)).toEqual(unicodeKeys.filter((k) => !k.includes("/")));

    const someDir = expectedPrefixes[0];
    if (someDir !== undefined) {
      const under = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", "unicode", "--prefix", someDir);
      expect((under.Contents ?? []).map((c) => c.Key)).toEqual(unicodeKeys.filter((k) => k.startsWith(someDir)));
    }
  }, 60_000);

  it("with an explicit --encoding-type url, returns S3's form-encoded keys (awscli leaves them encoded)", async () => {
    const encoded = await awsJson<ListV2Output>("s3api", "list-objects-v2", "--bucket", "unicode", "--encoding-type", "url");
    const raw = (encoded.Contents ?? []).map((c) => c.Key);
    expect(raw.every((k) => /^[A-Za-z0-9\-_.*/%+]*$/.test(k))).toBe(true);
    expect(raw.map((k) => decodeURIComponent(k.replace(/\+/g, " ")))).toEqual(unicodeKeys);
  });
});

describe("aws s3api, other operations", () => {
  it("lists versions and delete markers with list-object-versions", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "cli-ver" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "cli-ver", VersioningConfiguration: { Status: "Enabled" } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: "cli-ver", Key: "doc v.txt", Body: "one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: "cli-ver", Key: "doc v.txt", Body: "two!" }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: "cli-ver", Key: "doc v.txt" }));
    const out = await awsJson<{
      Versions?: { Key: string; VersionId: string; IsLatest: boolean; Size: number }[];
      DeleteMarkers?: { Key: string; VersionId: string; IsLatest: boolean }[];
    }>("s3api", "list-object-versions", "--bucket", "cli-ver");
    expect(out.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual([
      ["doc v.txt", v2.VersionId, false, 4],
      ["doc v.txt", v1.VersionId, false, 3],
    ]);
    expect(out.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([["doc v.txt", marker.VersionId, true]]);
  });

  it("presigns a URL that plain HTTP can fetch", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "cli-presign" }));
    await s3.send(new PutObjectCommand({ Bucket: "cli-presign", Key: "dir/a b+c.txt", Body: "presigned by awscli" }));
    const url = (await aws("s3", "presign", "s3://cli-presign/dir/a b+c.txt", "--expires-in", "300")).trim();
    expect(url).toContain("X-Amz-Signature=");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("presigned by awscli");
  });

  it("uploads with put-object --checksum-algorithm CRC32 and Content-MD5 framing", async () => {
    const file = path.join(home, "small.txt");
    writeFileSync(file, "this is a small file\n");
    await aws("s3", "mb", "s3://cli-sum");
    const put = await awsJson<{ ETag: string; ChecksumCRC32?: string }>(
      "s3api", "put-object", "--bucket", "cli-sum", "--key", "small.txt", "--body", file, "--checksum-algorithm", "CRC32",
    );
    expect(put.ChecksumCRC32).toBe("qbe0Rg==");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "cli-sum", Key: "small.txt", ChecksumMode: "ENABLED" }));
    expect(head.ChecksumCRC32).toBe(checksumOf("CRC32", Buffer.from("this is a small file\n")));
    await aws("s3api", "put-object", "--bucket", "cli-sum", "--key", "plain.txt", "--body", file);
    await aws("s3api", "delete-objects", "--bucket", "cli-sum", "--delete", JSON.stringify({ Objects: [{ Key: "plain.txt" }, { Key: "small.txt" }] }));
    expect(await sdkKeys("cli-sum")).toEqual([]);
  }, 60_000);
});
