import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compareKeys } from "@/lib/wire";
import type { Sandbox } from "@/lib/sandbox";
import type { PageEvent, PassSummary } from "@/lib/wire";
import type { PassService } from "./service";
import { bucketKeys, collect, passKeys, putKeys, serviceFor, startTestSandbox } from "./testing/harness";
import { seededRandom } from "@/lib/random";

// Parallel passes against the real sandbox over HTTP: whatever the keys and however the ranges fall,
// a parallel pass records exactly the keys (and common prefixes) a sequential pass does, once each.

let sandbox: Sandbox;
let service: PassService;

const AWKWARD = ["a", "b", "z", "/", "0", "9", "-", ".", " ", "+", "%", "#", "?", "&", "\t", "\n", "\r", "\u0001", "é", "ß", "\uFFFD", "\uE000", "😀", "𝄞"];

function randomKeys(seed: number, n: number, prefix = ""): string[] {
  const random = seededRandom(seed);
  const keys = new Set<string>();
  while (keys.size < n) {
    let k = prefix;
    const len = 1 + Math.floor(random() * 8);
    for (let i = 0; i < len; i++) k += AWKWARD[Math.floor(random() * AWKWARD.length)];
    keys.add(k);
  }
  return [...keys];
}

let bucketCount = 0;
function bucketWith(keys: string[]): string {
  const bucket = `par-${++bucketCount}`;
  sandbox.store.createBucket(bucket);
  putKeys(sandbox, bucket, keys);
  return bucket;
}

interface Listed {
  pass: PassSummary;
  keys: string[];
  prefixes: string[];
  pages: PageEvent[];
}

async function list(bucket: string, opts: { concurrency: number; pageSize: number; prefix?: string; delimiter?: string; startAfter?: string }): Promise<Listed> {
  const id = await service.create({ connection: "sandbox", bucket, prefix: opts.prefix ?? "", pageSize: opts.pageSize, concurrency: opts.concurrency, delimiter: opts.delimiter, startAfter: opts.startAfter });
  const pass = await service.settled(id);
  const events = await collect(service.events(id, new AbortController().signal));
  const pages = events.filter((e): e is PageEvent => e.type === "page");
  return { pass, keys: passKeys(service, id), prefixes: pages.flatMap((p) => p.commonPrefixes).sort(compareKeys), pages };
}

/** The pass is complete, found exactly these keys once each, and did list with several ranges. */
function expectExact(listed: Listed, keys: string[], opts: { parallel?: boolean } = {}): void {
  expect(listed.pass.status).toBe("complete");
  expect(listed.pass.totals.anomalies).toBe(0);
  expect(listed.keys).toEqual([...keys].sort(compareKeys));
  expect(listed.pass.totals.keys).toBe(keys.length);
  if (opts.parallel !== false) expect(listed.pass.parallel?.ranges.total).toBeGreaterThan(1);
  for (const p of listed.pages) {
    expect(p.page.cursor).toBeDefined();
    const { after, through } = p.page.cursor ?? { after: null, through: null };
    for (const e of p.entries) {
      if (after !== null) expect(compareKeys(e.key, after)).toBeGreaterThan(0);
      if (through !== null) expect(compareKeys(e.key, through)).toBeLessThanOrEqual(0);
    }
  }
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  service = serviceFor(sandbox);
});
afterEach(() => {
  sandbox.faults.clear();
});
afterAll(async () => {
  await service.close();
  await sandbox.close();
});

describe("a parallel pass lists exactly what a sequential one does", () => {
  it("over random keys of awkward characters (astral, control, prefixes of each other), at several page sizes and concurrencies", async () => {
    sandbox.faults.configure({ latencyMs: 2 });
    for (const [seed, pageSize, concurrency] of [
      [1, 7, 8],
      [2, 3, 16],
      [3, 25, 4],
    ] as const) {
      const keys = randomKeys(seed, 400);
      const listed = await list(bucketWith(keys), { concurrency, pageSize });
      expectExact(listed, keys);
    }
  });

  it("when 90% of the keys sit under one prefix", async () => {
    sandbox.faults.configure({ latencyMs: 2 });
    const keys = Array.from({ length: 900 }, (_, i) => `hot/${String(i * 7).padStart(6, "0")}`).concat(randomKeys(4, 100));
    expectExact(await list(bucketWith(keys), { concurrency: 8, pageSize: 20 }), keys);
  });

  it("when keys are prefixes of one another and equal the points the splitter picks (block ends)", async () => {
    sandbox.faults.configure({ latencyMs: 2 });
    const keys: string[] = [];
    for (let i = 0; i < 300; i++) keys.push(`k/${String(i).padStart(4, "0")}`);
    for (let k = "x"; k.length < 12; k += k.length % 2 === 0 ? "/" : "x") keys.push(k);
    keys.push("k/\u{10FFFF}", "k/0\u{10FFFF}", "k/00\u{10FFFF}", "k\u{10FFFF}", "\u{10FFFF}", "k/0", "k/00", "k/000", "k/0000/", "k/\u0000", "k");
    expectExact(await list(bucketWith(keys), { concurrency: 16, pageSize: 9 }), keys);
  });

  it("over the sandbox's hostile unicode bucket, one key a page", async () => {
    const keys = bucketKeys(sandbox, "unicode");
    expectExact(await list("unicode", { concurrency: 8, pageSize: 1 }), keys);
  });

  it("under a prefix and after a start-after key", async () => {
    sandbox.faults.configure({ latencyMs: 2 });
    const keys = [...randomKeys(5, 300, "in/"), ...randomKeys(6, 50, "out/"), "in", "in/", "im/z"];
    const bucket = bucketWith(keys);
    const inside = keys.filter((k) => k.startsWith("in/") && compareKeys(k, "in/b") > 0);
    const l = await list(bucket, { concurrency: 8, pageSize: 6, prefix: "in/", startAfter: "in/b" });
    expectExact(l, inside);
  });

  it("with a delimiter: the fan-out runs over common prefixes, each listed once, as a sequential pass has them", async () => {
    sandbox.faults.configure({ latencyMs: 2 });
    const keys: string[] = [];
    for (let f = 0; f < 60; f++) for (let i = 0; i < 3 + (f % 5); i++) keys.push(`logs/${String(f).padStart(3, "0")}/part-${i}`);
    for (let i = 0; i < 80; i++) keys.push(`logs/top-${String(i).padStart(3, "0")}.txt`);
    keys.push("logs/😀/x", "logs/\u0001/y", "logs//z", "logs/");
    const bucket = bucketWith(keys);
    const sequential = await list(bucket, { concurrency: 1, pageSize: 5, prefix: "logs/", delimiter: "/" });
    const parallel = await list(bucket, { concurrency: 8, pageSize: 5, prefix: "logs/", delimiter: "/" });
    expect(sequential.pass.parallel).toBeNull();
    expect(parallel.pass.parallel?.ranges.total).toBeGreaterThan(1);
    expect(parallel.prefixes).toEqual(sequential.prefixes);
    expect(new Set(parallel.prefixes).size).toBe(parallel.prefixes.length);
    expect(parallel.prefixes).toHaveLength(63);
    expect(parallel.keys).toEqual(sequential.keys);
    expect(parallel.pass.totals.prefixes).toBe(63);
  });
});
