import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { S3Client } from "@aws-sdk/client-s3";

// `npm run bench:pass`: the cost of recording a pass (SQLite, one viewer streaming NDJSON) over a
// bare SDK paging loop, on the sandbox running in its own process; then a 1M-key pass for keys/s and
// peak RSS over time (which must stay flat: nothing of a pass is held in memory but the page at hand);
// then a snapshot pass (ListObjectVersions folded as of T) over keys with 3 versions each against a
// bare SDK ListObjectVersions loop; then (`--only parallel`) parallel passes against a sequential one
// with 80 ms of injected listing latency, and at 0 ms.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The pass engine's modules are marked `server-only`; outside Next that package throws unless the
// react-server export condition is on, so the benchmark re-runs itself with it.
if (process.env.BUCKETSCOPE_BENCH_CHILD !== "1") {
  const res = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  process.exit(res.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    keys: { type: "string", default: "100000" },
    large: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "3" },
    "snapshot-keys": { type: "string", default: "100000" },
    "parallel-keys": { type: "string", default: "200000" },
    "parallel-latency": { type: "string", default: "80" },
    /** Comma-separated: compare, large, snapshot, parallel. */
    only: { type: "string", default: "compare,large,snapshot" },
    "data-dir": { type: "string" },
  },
});
const COMPARE_KEYS = Number(args.keys);
const LARGE_KEYS = Number(args.large);
const ROUNDS = Number(args.rounds);
const SNAPSHOT_KEYS = Number(args["snapshot-keys"]);
const PARALLEL_KEYS = Number(args["parallel-keys"]);
const PARALLEL_LATENCY_MS = Number(args["parallel-latency"]);
const VERSIONS_PER_KEY = 3;
const SECTIONS = new Set(args.only.split(","));

const { ListObjectsV2Command, ListObjectVersionsCommand } = await import("@aws-sdk/client-s3");
const { createStore } = await import("@/lib/sandbox/store");
const { ConnectionRegistry } = await import("@/lib/connections");
const { PassService } = await import("@/lib/passes");
const { ndjsonLine } = await import("@/lib/http");

interface SandboxChild {
  endpoint: string;
  child: ChildProcess;
}

const ACCESS_KEY_ID = "bucketscope";
const SECRET_ACCESS_KEY = "bucketscope-sandbox-secret";
const REGION = "us-east-1";

async function startSandboxChild(dataDir: string, bucket: string, seed: number): Promise<SandboxChild> {
  const seedArgs = seed > 0 ? ["--seed-large", String(seed), "--seed-large-bucket", bucket] : [];
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "lib", "sandbox", "cli.ts"), "--port", "0", "--data-dir", dataDir, "--no-seed", ...seedArgs],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: undefined } },
  );
  let out = "";
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      // Seeding (skipped when the bucket is already full) is reported before the listening banner.
      if (m?.[1] !== undefined && (seed === 0 || out.includes("seeded "))) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited (${code}):\n${out}`)));
  });
  return { endpoint, child };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function bareLoop(client: S3Client, bucket: string): Promise<{ ms: number; cpu: number; keys: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let token: string | undefined;
  let keys = 0;
  do {
    const res = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000, ContinuationToken: token, EncodingType: "url" }),
    );
    for (const o of res.Contents ?? []) if (o.Key !== undefined) keys++;
    token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { ms: performance.now() - t0, cpu: cpuMs(c0), keys };
}

interface PassRun {
  ms: number;
  cpu: number;
  keys: number;
  bytesStreamed: number;
  rssSamples: { keys: number; rss: number }[];
  peakRss: number;
}

/**
 * A versioned bucket of `n` keys written `VERSIONS_PER_KEY` times a day apart (each version a new
 * body size), straight into the sandbox's store before its server starts. Skipped when already there.
 */
function seedVersions(dataDir: string, bucket: string, n: number): void {
  const store = createStore(dataDir);
  try {
    const width = Math.max(7, String(n - 1).length);
    const keyAt = (i: number) => `k/${String(i).padStart(width, "0")}`;
    if (store.listBuckets().some((b) => b.name === bucket)) {
      const last = store.listObjectVersions(bucket, { prefix: keyAt(n - 1), delimiter: "", maxKeys: 10, keyMarker: "", versionIdMarker: "" });
      if (last.entries.length === VERSIONS_PER_KEY) return;
      throw new Error(`bucket ${bucket} in ${dataDir} is partly seeded: delete that directory and run again`);
    }
    const t0 = performance.now();
    store.createBucket(bucket);
    store.setVersioning(bucket, "Enabled");
    const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };
    for (let v = 0; v < VERSIONS_PER_KEY; v++) {
      function* keys() {
        for (let i = 0; i < n; i++) yield keyAt(i);
      }
      store.writeAt(new Date(Date.UTC(2024, 0, 1 + v)), () => store.seedObjects({ bucket, keys: keys(), body: Buffer.from(`version ${v}\n`.repeat(v + 1)), meta }));
    }
    console.log(`   seeded ${n.toLocaleString("en")} keys x ${VERSIONS_PER_KEY} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    store.close();
  }
}

async function bareVersionsLoop(client: S3Client, bucket: string): Promise<{ ms: number; cpu: number; keys: number; versions: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let keys = 0;
  let versions = 0;
  let lastKey: string | undefined;
  for (;;) {
    const res = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, EncodingType: "url" }),
    );
    for (const v of [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])]) {
      versions++;
      if (v.Key !== lastKey) {
        keys++;
        lastKey = v.Key;
      }
    }
    if (res.IsTruncated !== true) break;
    keyMarker = res.NextKeyMarker;
    versionIdMarker = res.NextVersionIdMarker;
  }
  return { ms: performance.now() - t0, cpu: cpuMs(c0), keys, versions };
}

/** `crossCheckMs`: from the walk's last page to the end of the ListObjectsV2 cross-check, included in `ms`. */
async function snapshotPass(service: InstanceType<typeof PassService>, bucket: string): Promise<{ ms: number; cpu: number; keys: number; versions: number; crossCheckMs: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const id = await service.create({ kind: "snapshot", connection: "sandbox", bucket, prefix: "", pageSize: 1000 });
  let keys = 0;
  let lastPageAt = "";
  for await (const e of service.events(id, new AbortController().signal)) {
    if (e.type === "page") {
      keys += e.entries.length;
      lastPageAt = e.page.receivedAt;
    }
    if (e.type === "end" && e.status !== "complete") throw new Error(`snapshot pass ended ${e.status}: ${JSON.stringify(e.error)}`);
  }
  const ms = performance.now() - t0;
  const info = service.summary(id).snapshot;
  const crossCheckMs = info?.crossCheck != null ? Date.parse(info.crossCheck.checkedAt) - Date.parse(lastPageAt) : NaN;
  return { ms, cpu: cpuMs(c0), keys, versions: (info?.versions ?? 0) + (info?.deleteMarkers ?? 0), crossCheckMs };
}

async function recordedPass(service: InstanceType<typeof PassService>, bucket: string, concurrency = 1): Promise<PassRun & { id: string }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const rssSamples: PassRun["rssSamples"] = [];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const id = await service.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1000, concurrency });
  let keys = 0;
  let bytesStreamed = 0;
  for await (const e of service.events(id, new AbortController().signal)) {
    bytesStreamed += ndjsonLine(e).byteLength;
    if (e.type === "page") {
      keys += e.entries.length;
      if (e.page.index % 100 === 0) rssSamples.push({ keys, rss: process.memoryUsage().rss });
    }
    if (e.type === "end" && e.status !== "complete") throw new Error(`pass ended ${e.status}: ${JSON.stringify(e.error)}`);
  }
  const ms = performance.now() - t0;
  const cpu = cpuMs(c0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { id, ms, cpu, keys, bytesStreamed, rssSamples, peakRss };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const dataDir = path.resolve(args["data-dir"] ?? path.join(root, ".data", "bench"));
  fs.mkdirSync(dataDir, { recursive: true });
  const passDir = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-bench-passes-"));
  const children: ChildProcess[] = [];
  process.on("exit", () => {
    for (const c of children) c.kill("SIGTERM");
    fs.rmSync(passDir, { recursive: true, force: true });
  });

  console.log(`sandbox data in ${dataDir} (seeding happens once per bucket; delete it to reseed)`);
  const settings = { endpoint: "", accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION };
  if (SECTIONS.has("compare")) await compare(dataDir, passDir, children, settings);
  if (SECTIONS.has("large")) await large(dataDir, passDir, children, settings);
  if (SECTIONS.has("snapshot")) await snapshot(dataDir, passDir, children, settings);
  if (SECTIONS.has("parallel")) await parallel(dataDir, passDir, children, settings);
}

interface Settings {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

async function compare(dataDir: string, passDir: string, children: ChildProcess[], base: Settings): Promise<void> {
  const small = await startSandboxChild(path.join(dataDir, "sandbox-compare"), `bench-${COMPARE_KEYS}`, COMPARE_KEYS);
  children.push(small.child);
  const settings = { ...base, endpoint: small.endpoint };
  const registry = new ConnectionRegistry({ sandbox: settings, extra: [], probeAws: false, env: {} });
  const service = new PassService({ dataDir: passDir, connections: registry });
  const bare = (await registry.get("sandbox")).client;

  console.log(`\n1) ${COMPARE_KEYS.toLocaleString("en")} keys, page size 1000, ${ROUNDS} rounds (after one warm-up of each)`);
  await bareLoop(bare, `bench-${COMPARE_KEYS}`);
  await recordedPass(service, `bench-${COMPARE_KEYS}`);
  const bareMs: number[] = [];
  const passMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await bareLoop(bare, `bench-${COMPARE_KEYS}`);
    const p = await recordedPass(service, `bench-${COMPARE_KEYS}`);
    if (b.keys !== COMPARE_KEYS || p.keys !== COMPARE_KEYS) throw new Error(`key counts differ: bare ${b.keys}, pass ${p.keys}`);
    bareMs.push(b.ms);
    passMs.push(p.ms);
    console.log(
      `   round ${r + 1}: bare SDK loop ${b.ms.toFixed(0)} ms (client CPU ${b.cpu.toFixed(0)} ms), recorded pass + NDJSON viewer ${p.ms.toFixed(0)} ms (client CPU ${p.cpu.toFixed(0)} ms)`,
    );
  }
  const ratio = median(passMs) / median(bareMs);
  const best = Math.min(...passMs) / Math.min(...bareMs);
  console.log(
    `   median: bare ${median(bareMs).toFixed(0)} ms, recorded ${median(passMs).toFixed(0)} ms, ratio ${ratio.toFixed(3)} (goal <= 1.15) ${ratio <= 1.15 ? "OK" : "OVER"}`,
  );
  console.log(`   best:   bare ${Math.min(...bareMs).toFixed(0)} ms, recorded ${Math.min(...passMs).toFixed(0)} ms, ratio ${best.toFixed(3)}`);
  console.log(`   machine load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  await service.close();
  registry.close();
  small.child.kill("SIGTERM");
}

async function large(dataDir: string, passDir: string, children: ChildProcess[], settings: Settings): Promise<void> {
  console.log(`\n2) one pass over ${LARGE_KEYS.toLocaleString("en")} keys with one NDJSON viewer`);
  const large = await startSandboxChild(path.join(dataDir, "sandbox-large"), `bench-${LARGE_KEYS}`, LARGE_KEYS);
  children.push(large.child);
  const registry2 = new ConnectionRegistry({ sandbox: { ...settings, endpoint: large.endpoint }, extra: [], probeAws: false, env: {} });
  const service2 = new PassService({ dataDir: passDir, connections: registry2 });
  const before = process.memoryUsage().rss;
  const run = await recordedPass(service2, `bench-${LARGE_KEYS}`);
  if (run.keys !== LARGE_KEYS) throw new Error(`expected ${LARGE_KEYS} keys, got ${run.keys}`);
  console.log(
    `   time ${(run.ms / 1000).toFixed(1)} s, ${Math.round(run.keys / (run.ms / 1000)).toLocaleString("en")} keys/s, client CPU ${(run.cpu / 1000).toFixed(1)} s, ${mb(run.bytesStreamed)} of NDJSON`,
  );
  console.log(`   RSS before ${mb(before)}, peak ${mb(run.peakRss)}`);
  console.log(`   RSS by keys recorded: ${run.rssSamples.map((s) => `${(s.keys / 1000).toFixed(0)}k=${mb(s.rss)}`).join(", ")}`);
  await service2.close();
  registry2.close();
  large.child.kill("SIGTERM");
}

async function snapshot(dataDir: string, passDir: string, children: ChildProcess[], settings: Settings): Promise<void> {
  const bucket = `bench-versions-${SNAPSHOT_KEYS}`;
  console.log(`\n3) snapshot pass over ${SNAPSHOT_KEYS.toLocaleString("en")} keys x ${VERSIONS_PER_KEY} versions, page size 1000, ${ROUNDS} rounds (after one warm-up of each)`);
  const dir = path.join(dataDir, "sandbox-versions");
  seedVersions(dir, bucket, SNAPSHOT_KEYS);
  const sb = await startSandboxChild(dir, bucket, 0);
  children.push(sb.child);
  const registry = new ConnectionRegistry({ sandbox: { ...settings, endpoint: sb.endpoint }, extra: [], probeAws: false, env: {} });
  const service = new PassService({ dataDir: passDir, connections: registry });
  const bare = (await registry.get("sandbox")).client;
  await bareVersionsLoop(bare, bucket);
  await snapshotPass(service, bucket);
  const bareMs: number[] = [];
  const snapMs: number[] = [];
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString("en");
  for (let r = 0; r < ROUNDS; r++) {
    const b = await bareVersionsLoop(bare, bucket);
    const p = await snapshotPass(service, bucket);
    const want = SNAPSHOT_KEYS * VERSIONS_PER_KEY;
    if (b.keys !== SNAPSHOT_KEYS || p.keys !== SNAPSHOT_KEYS || b.versions !== want || p.versions !== want) {
      throw new Error(`counts differ: bare ${b.keys} keys/${b.versions} versions, snapshot ${p.keys} keys/${p.versions} versions`);
    }
    bareMs.push(b.ms);
    snapMs.push(p.ms);
    console.log(
      `   round ${r + 1}: bare ListObjectVersions loop ${b.ms.toFixed(0)} ms (${rate(b.keys, b.ms)} keys/s, ${rate(b.versions, b.ms)} versions/s, client CPU ${b.cpu.toFixed(0)} ms), ` +
        `snapshot pass + NDJSON viewer ${p.ms.toFixed(0)} ms (${rate(p.keys, p.ms)} keys/s, ${rate(p.versions, p.ms)} versions/s, client CPU ${p.cpu.toFixed(0)} ms, ` +
        `of which the ListObjectsV2 cross-check ${p.crossCheckMs.toFixed(0)} ms)`,
    );
  }
  const bareMedian = median(bareMs);
  const snapMedian = median(snapMs);
  const versions = SNAPSHOT_KEYS * VERSIONS_PER_KEY;
  console.log(`   median: bare ${bareMedian.toFixed(0)} ms (${rate(SNAPSHOT_KEYS, bareMedian)} keys/s, ${rate(versions, bareMedian)} versions/s)`);
  console.log(
    `           snapshot ${snapMedian.toFixed(0)} ms (${rate(SNAPSHOT_KEYS, snapMedian)} keys/s, ${rate(versions, snapMedian)} versions/s), ratio ${(snapMedian / bareMedian).toFixed(3)}`,
  );
  console.log(`   machine load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  await service.close();
  registry.close();
  sb.child.kill("SIGTERM");
}

/** CPU time (ms) a child process has used so far, from /proc (Linux); null elsewhere. */
function childCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / 100 : null;
  } catch {
    return null;
  }
}

/** A digest of every key of a pass in key order, read back from its store: equal digests, equal listings. */
function keysDigest(service: InstanceType<typeof PassService>, id: string): { count: number; digest: string } {
  const hash = createHash("sha256");
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const res = service.entries(id, { after, limit: 1000 });
    for (const e of res.entries) {
      hash.update(e.key).update("\n");
      count++;
    }
    if (res.nextAfter === null) return { count, digest: hash.digest("hex").slice(0, 16) };
    after = res.nextAfter;
  }
}

async function parallel(dataDir: string, passDir: string, children: ChildProcess[], base: Settings): Promise<void> {
  const bucket = `bench-${PARALLEL_KEYS}`;
  console.log(`\n4) parallel passes over ${PARALLEL_KEYS.toLocaleString("en")} keys, page size 1000, the sandbox in its own process, one NDJSON viewer each`);
  const sb = await startSandboxChild(path.join(dataDir, "sandbox-parallel"), bucket, PARALLEL_KEYS);
  children.push(sb.child);
  const registry = new ConnectionRegistry({ sandbox: { ...base, endpoint: sb.endpoint }, extra: [], probeAws: false, env: {} });
  const service = new PassService({ dataDir: passDir, connections: registry });
  const setLatency = async (latencyMs: number) => {
    const res = await fetch(`${sb.endpoint}/_bucketscope/faults`, {
      method: "PUT",
      headers: { authorization: `Bearer ${SECRET_ACCESS_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ latencyMs }),
    });
    if (!res.ok) throw new Error(`could not set the sandbox's latency: ${res.status}`);
  };
  let reference: { count: number; digest: string } | null = null;
  const run = async (latencyMs: number, concurrency: number, sequentialMs: number | null) => {
    await setLatency(latencyMs);
    const server0 = childCpuMs(sb.child.pid);
    const r = await recordedPass(service, bucket, concurrency);
    const serverCpu = server0 === null ? null : (childCpuMs(sb.child.pid) ?? server0) - server0;
    const s = service.summary(r.id);
    const listed = keysDigest(service, r.id);
    reference ??= listed;
    if (listed.count !== PARALLEL_KEYS || listed.digest !== reference.digest) {
      throw new Error(`concurrency ${concurrency} listed ${listed.count} keys (digest ${listed.digest}), expected ${PARALLEL_KEYS} (${reference.digest})`);
    }
    const pages = s.totals.pages + s.totals.failedPages;
    const seq = service.store.row(r.id)?.seq ?? -1;
    let beyond = 0;
    for (const record of service.store.db.prepare<[number], string>(`SELECT record FROM pages WHERE pass = ?`).pluck().all(seq)) {
      beyond += (JSON.parse(record) as { cursor?: { beyond: number } }).cursor?.beyond ?? 0;
    }
    const ranges = s.parallel !== null ? `, ${s.parallel.ranges.total} ranges, ${s.totals.requests} requests, ${beyond.toLocaleString("en")} keys past a range's end parsed and dropped` : "";
    const fallback = s.parallel?.fallback !== null && s.parallel?.fallback !== undefined ? ` FALLBACK: ${s.parallel.fallback.message}` : "";
    const speedup = sequentialMs !== null ? `, ${(sequentialMs / r.ms).toFixed(2)}x sequential` : "";
    console.log(
      `   ${String(latencyMs).padStart(3)} ms, concurrency ${String(concurrency).padStart(2)}: ${(r.ms / 1000).toFixed(2)} s, ${Math.round(r.keys / (r.ms / 1000)).toLocaleString("en")} keys/s${speedup}; ` +
        `${pages} pages${ranges}; client CPU ${(r.cpu / pages).toFixed(1)} ms/page, sandbox CPU ${serverCpu === null ? "?" : (serverCpu / pages).toFixed(1)} ms/page; peak RSS ${mb(r.peakRss)}; same keys (${listed.digest})${fallback}`,
    );
    await service.remove(r.id);
    return r.ms;
  };
  console.log(`   with ${PARALLEL_LATENCY_MS} ms injected latency per listing request:`);
  const sequential = await run(PARALLEL_LATENCY_MS, 1, null);
  const speedups = new Map<number, number>();
  for (const c of [4, 16, 32]) speedups.set(c, sequential / (await run(PARALLEL_LATENCY_MS, c, sequential)));
  console.log("   with no injected latency:");
  const fast = await run(0, 1, null);
  const fast16 = await run(0, 16, fast);
  const at16 = speedups.get(16) ?? 0;
  console.log(`   concurrency 16 at ${PARALLEL_LATENCY_MS} ms: ${at16.toFixed(2)}x sequential (goal >= 8) ${at16 >= 8 ? "OK" : "UNDER"}`);
  console.log(`   concurrency 16 at 0 ms: ${(fast / fast16).toFixed(2)}x sequential (goal >= 1, no slower) ${fast16 <= fast ? "OK" : "SLOWER"}`);
  console.log(`   machine load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs (the team shares it: times are noisy)`);
  await service.close();
  registry.close();
  sb.child.kill("SIGTERM");
}

await main();
