import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Entry } from "../lib/wire/index";
import { syntheticPageRecord } from "./bench-page-record";

// `npm run bench:diff`: two passes of N keys (1M by default) that differ in 1% of their keys (a third
// removed, a third added, a third overwritten), written straight into a pass store page by page as a
// recorded pass would be; then, in a fresh process so that its RSS is the diff's alone:
//   1. the counts (the streaming merge: what the history timeline needs),
//   2. the changes as NDJSON rows (GET /api/diff),
//   3. the runs built for the compare view, and a window in the middle of the aligned view,
//   4. for reference, the same merge by the strategies used when changes are dense (differences) and
//      for passes with anomalies or mixed delimiters (keys).
// Wall time, CPU time (this machine is shared: CPU time is the steadier figure) and peak RSS growth
// over the process's RSS before each step. Goals: <= 2 s and <= 100 MB of RSS growth.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The modules are marked `server-only`; outside Next that package throws unless the react-server
// export condition is on, so the benchmark re-runs itself with it.
if (process.env.BUCKETSCOPE_BENCH_CHILD === undefined) {
  const res = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: "fill", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  process.exit(res.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    "data-dir": { type: "string" },
  },
});
const KEYS = Number(args.keys);
const PAGE_SIZE = 1000;
const dataDir = args["data-dir"] ?? path.join(os.tmpdir(), `bucketscope-bench-diff-${KEYS}`);
const A_ID = "bench-diff-a";
const B_ID = "bench-diff-b";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const keyAt = (i: number) => `data/${String(i).padStart(7, "0")}.bin`;

/** Keys i with i % 300 == 0 are gone from B, == 100 are overwritten, == 200 get a new neighbour: 1%. */
function* entriesOf(which: "a" | "b"): Generator<Entry> {
  for (let i = 0; i < KEYS; i++) {
    const key = keyAt(i);
    const r = i % 300;
    if (which === "b" && r === 0) continue;
    const changed = which === "b" && r === 100;
    yield {
      key,
      size: changed ? 4097 : 4096,
      etag: changed ? `"${i.toString(16).padStart(32, "f")}"` : `"${i.toString(16).padStart(32, "0")}"`,
      lastModified: changed ? "2025-02-01T00:00:00.000Z" : "2025-01-01T00:00:00.000Z",
      storageClass: "STANDARD",
    };
    if (which === "b" && r === 200) {
      yield { key: `${key}.new`, size: 10, etag: '"added"', lastModified: "2025-02-01T00:00:00.000Z", storageClass: "STANDARD" };
    }
  }
}

async function fill(): Promise<void> {
  const { PassStore } = await import("@/lib/passes");
  fs.mkdirSync(dataDir, { recursive: true });
  const store = new PassStore(path.join(dataDir, "bucketscope.db"));
  const ready = [A_ID, B_ID].every((id) => store.summary(id)?.status === "complete");
  if (ready) {
    console.log(`passes found in ${dataDir} (delete it to write them again)`);
    store.close();
    return;
  }
  for (const id of [A_ID, B_ID]) {
    const old = store.row(id);
    if (old !== undefined) store.delete(old.seq);
  }
  const t0 = performance.now();
  for (const [id, which] of [
    [A_ID, "a"],
    [B_ID, "b"],
  ] as const) {
    store.create({ id, connection: "sandbox", bucket: "bench", prefix: "", delimiter: null, pageSize: PAGE_SIZE, startAfter: null });
    const seq = store.row(id)?.seq as number;
    let page: Entry[] = [];
    let index = 0;
    const flush = (last: boolean) => {
      store.recordPage(seq, { record: syntheticPageRecord(index++, page, last, PAGE_SIZE), entries: page, commonPrefixes: [] });
      page = [];
    };
    for (const e of entriesOf(which)) {
      if (page.length === PAGE_SIZE) flush(false);
      page.push(e);
    }
    flush(true);
    store.finish(id, "complete", null);
  }
  console.log(`wrote two passes of ${KEYS.toLocaleString("en")} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${dataDir}`);
  store.close();
}

interface Measured<T> {
  value: T;
  wallMs: number;
  cpuMs: number;
  rssGrowth: number;
}

async function measure<T>(work: () => Promise<T>): Promise<Measured<T>> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000, rssGrowth: peak - before };
}

function line(label: string, m: Measured<unknown>, extra = ""): void {
  const verdict = m.wallMs <= 2000 && m.rssGrowth <= 100 * 1024 * 1024 ? "within goals" : "OVER a goal";
  console.log(
    `  ${label.padEnd(38)} wall ${(m.wallMs / 1000).toFixed(2)} s   CPU ${(m.cpuMs / 1000).toFixed(2)} s   peak RSS growth ${mb(m.rssGrowth).padStart(9)}   ${verdict}${extra}`,
  );
}

async function diffPhase(): Promise<void> {
  const { PassStore } = await import("@/lib/passes");
  const { DiffService, diffPasses } = await import("@/lib/diff");
  const store = new PassStore(path.join(dataDir, "bucketscope.db"));
  const diff = new DiffService(store);
  // Every step starts from nothing stored: this measures comparing, not reading a cache.
  store.db.exec("DELETE FROM diff_runs; DELETE FROM diffs;");
  const pair = { a: A_ID, b: B_ID, allowIncomplete: false, allowDifferentBuckets: false };
  console.log(`diff of two ${KEYS.toLocaleString("en")}-key passes differing in 1% of keys (RSS at start ${mb(process.memoryUsage().rss)})`);

  const counted = await measure(() => diff.summary(pair));
  const c = counted.value.counts;
  line("1. counts (streaming merge)", counted, `   +${c.added} -${c.removed} ~${c.changed} =${c.unchanged}`);

  const streamed = await measure(async () => {
    let rows = 0;
    let bytes = 0;
    for await (const e of diffPasses(store, A_ID, B_ID, { only: "changes" })) {
      bytes += JSON.stringify(e).length + 1;
      if (e.type === "row") rows++;
    }
    return { rows, bytes };
  });
  line("2. NDJSON of the changes", streamed, `   ${streamed.value.rows.toLocaleString("en")} rows, ${mb(streamed.value.bytes)}`);

  const built = await measure(() => diff.window({ ...pair, only: "all", offset: 0, limit: 200 }));
  const runs = store.db.prepare<[], number>("SELECT runs FROM diffs").pluck().get() ?? 0;
  line("3. runs for the compare view", built, `   ${runs.toLocaleString("en")} runs for ${built.value.total.toLocaleString("en")} items`);

  const middle = Math.floor(built.value.total / 2);
  const t0 = performance.now();
  const w = await diff.window({ ...pair, only: "all", offset: middle, limit: 200 });
  const t1 = performance.now();
  const changes = await diff.window({ ...pair, only: "changes", offset: 5000, limit: 200 });
  const t2 = performance.now();
  console.log(
    `  then a 200-item window at item ${middle.toLocaleString("en")}: ${(t1 - t0).toFixed(1)} ms (${w.items.length} items); ` +
      `in the changes view at 5,000: ${(t2 - t1).toFixed(1)} ms (${changes.items.length} items)`,
  );
  const { DiffReader, mergeRuns } = await import("@/lib/diff/merge");
  const { planDiff } = await import("@/lib/diff");
  for (const strategy of ["differences", "keys"] as const) {
    const m = await measure(() => {
      const reader = new DiffReader(store.file);
      try {
        let runs = 0;
        for (const _ of mergeRuns(reader, planDiff(store, A_ID, B_ID), strategy)) runs++;
        return Promise.resolve(runs);
      } finally {
        reader.close();
      }
    });
    line(`4. merge by the ${strategy} strategy`, m, `   (reference: ${m.value.toLocaleString("en")} runs)`);
  }
  console.log(`  peak RSS of the whole process (kernel): ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`  machine load average: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  store.close();
}

if (process.env.BUCKETSCOPE_BENCH_CHILD === "fill") {
  await fill();
  const res = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, BUCKETSCOPE_BENCH_CHILD: "diff" },
  });
  process.exit(res.status ?? 1);
} else {
  await diffPhase();
}
