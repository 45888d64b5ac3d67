import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// `npm run bench:inventory`: S3 Inventory in and out at 1M rows. The sandbox, in its own process,
// holds a bucket of N keys and writes a report of it in CSV (gzip) and in Parquet (its own writer:
// not measured, only reported); this process then
//   1. imports each report as a pass (download, MD5, parse, record): rows/s, CPU per 1000-row page,
//      peak RSS over the RSS before (nothing of a report is held in memory but a page and the
//      download buffer, so it must stay flat as rows grow), disk used by the pass;
//   2. exports a 1M-key pass (the imported one: the same store rows as a list pass) as a report in
//      each format into the sandbox: seconds, bytes written, rows/s, peak RSS growth.
// Run it on a quiet machine; CPU time is the steadier figure on a shared one.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The modules are marked `server-only`; outside Next that package throws unless the react-server
// export condition is on, so the benchmark re-runs itself with it.
if (process.env.BUCKETSCOPE_BENCH_CHILD !== "1") {
  const res = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", "--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  process.exit(res.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    /** Comma-separated: CSV, Parquet. */
    formats: { type: "string", default: "CSV,Parquet" },
    "data-dir": { type: "string" },
  },
});
const ROWS = Number(args.rows);
const FORMATS = args.formats.split(",") as ("CSV" | "Parquet")[];
const BUCKET = `inv-${ROWS}`;
const ACCESS_KEY_ID = "bucketscope";
const SECRET_ACCESS_KEY = "bucketscope-sandbox-secret";
const REGION = "us-east-1";

const { CreateBucketCommand } = await import("@aws-sdk/client-s3");
const { ConnectionRegistry } = await import("@/lib/connections");
const { PassService } = await import("@/lib/passes");

async function startSandboxChild(dataDir: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "lib", "sandbox", "cli.ts"), "--port", "0", "--data-dir", dataDir, "--no-seed", "--seed-large", String(ROWS), "--seed-large-bucket", BUCKET],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: undefined } },
  );
  let out = "";
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited (${code}):\n${out}`)));
  });
  const seeded = /seeded .*/.exec(out)?.[0];
  if (seeded !== undefined) console.log(`sandbox: ${seeded}`);
  return { endpoint, child };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(Math.abs(n) < 10 * 1024 * 1024 ? 1 : 0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString("en");

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.statSync(p);
    total += st.isDirectory() ? dirBytes(p) : st.size;
  }
  return total;
}

interface Measured<T> {
  value: T;
  ms: number;
  cpuMs: number;
  before: number;
  peak: number;
  /** RSS when a fifth, two fifths, … of the rows were done: flat when nothing grows with the rows. */
  byProgress: string[];
  /** JS heap still in use after a full GC at the end, over the heap before: what the work kept. */
  heapKept: number;
}

/** Runs `work` while sampling RSS (and, given `done()`, RSS by rows done); wall and CPU time. */
async function measured<T>(work: () => Promise<T>, done?: () => number): Promise<Measured<T>> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const before = process.memoryUsage().rss;
  let peak = before;
  const byProgress: string[] = [];
  let nextMark = 1;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    const rows = done?.() ?? 0;
    while (nextMark <= 5 && rows >= (ROWS * nextMark) / 5) {
      byProgress.push(`${nextMark * 20}%=${mb(rss)}`);
      nextMark++;
    }
  }, 20);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    const value = await work();
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage().rss);
    global.gc?.();
    return { value, ms, cpuMs: (c.user + c.system) / 1000, before, peak, byProgress, heapKept: process.memoryUsage().heapUsed - heapBefore };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const dataDir = path.resolve(args["data-dir"] ?? path.join(root, ".data", "bench-inventory"));
  fs.mkdirSync(dataDir, { recursive: true });
  const passDir = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-bench-inventory-"));
  const children: ChildProcess[] = [];
  process.on("exit", () => {
    for (const c of children) c.kill("SIGTERM");
    fs.rmSync(passDir, { recursive: true, force: true });
  });

  console.log(`sandbox data in ${dataDir} (seeding happens once; delete it to reseed)`);
  const sandbox = await startSandboxChild(path.join(dataDir, "sandbox"));
  children.push(sandbox.child);
  const settings = { endpoint: sandbox.endpoint, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION };
  const registry = new ConnectionRegistry({ sandbox: settings, extra: [], probeAws: false, env: {} });
  const client = (await registry.get("sandbox")).client;
  for (const Bucket of ["reports", "exports"]) await client.send(new CreateBucketCommand({ Bucket })).catch(() => undefined);
  const service = new PassService({ dataDir: passDir, connections: registry });

  const reports: Record<string, string> = {};
  for (const format of FORMATS) {
    const t0 = performance.now();
    const res = await fetch(`${sandbox.endpoint}/_bucketscope/inventory`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET_ACCESS_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ bucket: BUCKET, destinationBucket: "reports", configId: `bench-${format}-${Date.now()}`, format, rowsPerFile: ROWS }),
    });
    const body = (await res.json()) as { manifestKey: string; files: { size: number }[]; rows: number; error?: string };
    if (res.status !== 200) throw new Error(`the sandbox could not write the ${format} report: ${body.error ?? res.status}`);
    reports[format] = body.manifestKey;
    const bytes = body.files.reduce((s, f) => s + f.size, 0);
    console.log(`sandbox wrote a ${format} report of ${body.rows.toLocaleString("en")} rows: ${body.files.length} data file(s), ${mb(bytes)}, in ${secs(performance.now() - t0)} (its own writer, another process)`);
  }

  console.log(`\n1) import a ${ROWS.toLocaleString("en")}-row report as a pass`);
  let imported: string | null = null;
  for (const format of FORMATS) {
    const dbBefore = dirBytes(passDir);
    let id: string | null = null;
    const run = await measured(
      async () => {
        id = await service.create({ kind: "inventory", connection: "sandbox", bucket: BUCKET, prefix: "", pageSize: 1000, inventory: { bucket: "reports", manifestKey: reports[format] ?? "" } });
        return service.settled(id);
      },
      () => (id !== null ? (service.summary(id).totals.keys) : 0),
    );
    const pass = run.value;
    if (pass.status !== "complete" || pass.totals.keys !== ROWS) throw new Error(`the ${format} import ended ${pass.status} with ${pass.totals.keys} keys: ${pass.error?.message ?? ""}`);
    imported = pass.id;
    console.log(
      `   ${format.padEnd(7)} ${secs(run.ms)}, ${perSec(ROWS, run.ms)} rows/s, CPU ${secs(run.cpuMs)} (${(run.cpuMs / pass.totals.pages).toFixed(2)} ms per 1000-row page), ` +
        `RSS before ${mb(run.before)}, peak ${mb(run.peak)} (+${mb(run.peak - run.before)}), disk +${mb(dirBytes(passDir) - dbBefore)}`,
    );
    console.log(`           RSS by rows recorded: ${run.byProgress.join(", ")}; JS heap kept after GC ${mb(run.heapKept)}`);
  }

  console.log(`\n2) export a ${ROWS.toLocaleString("en")}-key pass as a report into the sandbox`);
  for (const format of FORMATS) {
    if (imported === null) break;
    const id = imported;
    const run = await measured(() => service.exportInventory(id, { connection: "sandbox", bucket: "exports", prefix: `bench-${Date.now()}`, configId: "bench", format }));
    console.log(
      `   ${format.padEnd(7)} ${secs(run.ms)}, ${perSec(run.value.rows, run.ms)} rows/s, ${mb(run.value.bytes)} in ${run.value.files.length} data file(s) ` +
        `(${(run.value.bytes / run.value.rows).toFixed(1)} bytes/row), CPU ${secs(run.cpuMs)}, RSS peak +${mb(run.peak - run.before)}, JS heap kept after GC ${mb(run.heapKept)}`,
    );
  }
  console.log(`\nmachine load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  await service.close();
}

await main();
process.exit(0);
