import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Page } from "playwright-core";
import { SANDBOX_DEFAULTS } from "../lib/config/index";
import { startApp, type RunningApp } from "./testing/app";
import { launchBrowser, type Browser } from "./testing/browser";
import buildIfStale from "./testing/build-app";

// `npm run bench:ui`, three sections (`--only pass,browser,compare`):
// - pass: the pass view in Chromium on a 1M-key pass (`--keys`). Times the first rows after the
//   first page event (while the pass runs, and again on the finished pass), a scroll to the last row,
//   a search, and reads the page's JS heap; long tasks are recorded while scrolling.
//   Goals: first rows <= 300 ms after the first page, heap <= 300 MB, no long task > 200 ms scrolling.
// - browser: the bucket browser on one folder of 100k keys (`--folder-keys`): long tasks while the
//   folder streams in and while it is scrolled (wheel, jumps). Goal: no long task > 50 ms scrolling.
// - compare: two passes of a 10M-key bucket (`--compare-keys`) that differ at its end, compared in
//   Chromium: time to the first rows, a jump to the last row, long tasks while scrolling, heap.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    "folder-keys": { type: "string", default: "100000" },
    "compare-keys": { type: "string", default: "10000000" },
    only: { type: "string", default: "pass,browser,compare" },
    "data-dir": { type: "string" },
    search: { type: "string", default: "12345" },
  },
});
const KEYS = Number(args.keys);
const BUCKET = `large-${KEYS}`;
const SECTIONS = new Set(args.only.split(","));
const FIRST_PAGE_MARK = "bucketscope:first-page";
const GOALS = { firstRowsMs: 300, heapMb: 300, longTaskMs: 200 };

async function startSandboxChild(dataDir: string, keys = KEYS, bucket = BUCKET): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "lib", "sandbox", "cli.ts"), "--port", "0", "--data-dir", dataDir, "--no-seed", "--seed-large", String(keys), "--seed-large-bucket", bucket],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: process.env },
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

/**
 * Runs in every page before its scripts: records long tasks, and the first frame in which a key row
 * with data exists. A string, not a function: tsx would wrap a function's inner helpers in a
 * `__name` call that does not exist in the page.
 */
const INSTRUMENT = `
  window.__bench = { longTasks: [], firstRowsAt: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  const look = () => {
    if (document.querySelector('[data-testid="key-row"][data-key]') !== null) window.__bench.firstRowsAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
`;

interface PageTimings {
  firstPageAt: number;
  firstRowsAt: number;
}

async function firstRows(page: Page): Promise<PageTimings> {
  try {
    await page.waitForFunction(
      (mark) => performance.getEntriesByName(mark).length > 0 && (window as unknown as { __bench: { firstRowsAt: number | null } }).__bench.firstRowsAt !== null,
      FIRST_PAGE_MARK,
      { timeout: 120_000, polling: 50 },
    );
  } catch (err) {
    const state = await page.evaluate((mark) => ({ marks: performance.getEntriesByName(mark).length, bench: JSON.stringify((window as unknown as { __bench?: unknown }).__bench) }), FIRST_PAGE_MARK);
    console.error(`no first rows: ${JSON.stringify(state)}; see ${await page.screenshot({ path: path.join(root, "test-results", "bench-ui-failure.png") }).then(() => "test-results/bench-ui-failure.png")}`);
    throw err;
  }
  return await page.evaluate((mark) => {
    const first = performance.getEntriesByName(mark)[0];
    return { firstPageAt: first?.startTime ?? Number.NaN, firstRowsAt: (window as unknown as { __bench: { firstRowsAt: number } }).__bench.firstRowsAt };
  }, FIRST_PAGE_MARK);
}

async function heapMb(page: Page): Promise<{ used: number; afterGc: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? Number.NaN) / 1024 / 1024;
  };
  const used = await read();
  await cdp.send("HeapProfiler.collectGarbage");
  const afterGc = await read();
  await cdp.detach();
  return { used, afterGc };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");

interface Bench {
  /** The app's data directory (its passes) and the sandbox's. */
  appDir: string;
  sandboxDir: string;
  app: RunningApp;
  browser: Browser;
  page: Page;
  sandboxEndpoint: string;
}

const dataDir = path.resolve(args["data-dir"] ?? path.join(root, ".data", "bench-ui"));
const children: ChildProcess[] = [];
const appDirs: string[] = [];
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  for (const d of appDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A sandbox child seeded with `keys` keys in `bucket` (kept under the data dir between runs), the app on it, Chromium. */
async function withBench(keys: number, bucket: string, run: (b: Bench) => Promise<void>): Promise<void> {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-bench-ui-"));
  appDirs.push(appDir);
  const sandboxDir = path.join(dataDir, keys === KEYS && bucket === BUCKET ? "sandbox" : `sandbox-${bucket}`);
  console.log(`\n${keys.toLocaleString("en-US")} keys in bucket "${bucket}" (sandbox data in ${sandboxDir})`);
  const t0 = performance.now();
  const sandbox = await startSandboxChild(sandboxDir, keys, bucket);
  children.push(sandbox.child);
  console.log(`sandbox ready in ${ms(performance.now() - t0)}`);
  const app = await startApp({
    dataDir: appDir,
    sandbox: { endpoint: sandbox.endpoint, accessKeyId: SANDBOX_DEFAULTS.accessKeyId, secretAccessKey: SANDBOX_DEFAULTS.secretAccessKey, region: SANDBOX_DEFAULTS.region },
    env: { BUCKETSCOPE_AWS: "off" },
  });
  const browser = await launchBrowser();
  await browser.page.addInitScript({ content: INSTRUMENT });
  try {
    await run({ appDir, sandboxDir, app, browser, page: browser.page, sandboxEndpoint: sandbox.endpoint });
  } finally {
    await browser.close();
    await app.stop();
    sandbox.child.kill("SIGTERM");
    fs.rmSync(appDir, { recursive: true, force: true });
  }
}

async function benchPass({ app, browser, page }: Bench): Promise<void> {
  // 1. Live: the view opens as the pass starts.
  const created = await fetch(`${app.url}/api/passes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket: BUCKET, pageSize: 1000 }),
  });
  if (!created.ok) throw new Error(`starting the pass: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const passUrl = `${app.url}/passes/${encodeURIComponent(id)}`;
  await page.goto(passUrl);
  const live = await firstRows(page);
  const liveFirstRows = live.firstRowsAt - live.firstPageAt;
  console.log(
    `live pass:     first rows ${ms(liveFirstRows)} after the first page event (page event at ${ms(live.firstPageAt)}, rows at ${ms(live.firstRowsAt)} after navigation; a negative figure means the rows came first, from the summary the page loaded with)`,
  );

  const listStart = performance.now();
  await page.locator('[data-testid="pass-view"][data-status="complete"]').waitFor({ timeout: 600_000 });
  const summary = (await (await fetch(`${app.url}/api/passes/${id}`)).json()) as { activeMs: number; totals: { keys: number; pages: number } };
  console.log(
    `pass complete: ${summary.totals.keys.toLocaleString("en-US")} keys, ${summary.totals.pages} pages, listed in ${ms(summary.activeMs)} (watched for ${ms(performance.now() - listStart)} more)`,
  );
  const liveHeap = await heapMb(page);

  // 2. The finished pass opened afresh: its pages are replayed from the store.
  await page.goto(passUrl);
  const done = await firstRows(page);
  const doneFirstRows = done.firstRowsAt - done.firstPageAt;
  console.log(`finished pass: first rows ${ms(doneFirstRows)} after the first page event (page event at ${ms(done.firstPageAt)}, rows at ${ms(done.firstRowsAt)} after navigation)`);
  await page.locator(`[data-testid="keys-count"][data-total="${summary.totals.keys}"]`).waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="pass-view"][data-stream="done"]').waitFor({ timeout: 300_000 });
  const replayed = await page.evaluate((mark) => performance.now() - (performance.getEntriesByName(mark)[0]?.startTime ?? 0), FIRST_PAGE_MARK);
  console.log(`               all ${summary.totals.pages} page records replayed ${ms(replayed)} after the first`);

  // 3. Scrolling: wheel through rows, then jump to the last row; long tasks recorded meanwhile.
  const viewport = page.locator('[data-testid="keys-viewport"]');
  const box = await viewport.boundingBox();
  if (box === null) throw new Error("the keys table is not on screen");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const scrollFrom = await page.evaluate(() => performance.now());
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, 1200);
    await page.waitForTimeout(16);
  }
  const wheelEnd = await page.evaluate(() => performance.now());
  const lastRow = summary.totals.keys - 1;
  const jumpStart = await page.evaluate(() => performance.now());
  await viewport.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.locator(`[data-testid="key-row"][data-row="${lastRow}"][data-key]`).waitFor({ timeout: 60_000 });
  const scrollEnd = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
  const lastKey = await page.locator(`[data-testid="key-row"][data-row="${lastRow}"]`).getAttribute("data-key");
  const scrollToEnd = scrollEnd - jumpStart;
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, -900);
    await page.waitForTimeout(16);
  }
  const scrollTo = await page.evaluate(() => performance.now());
  const longTasks = await page.evaluate(
    ([from, to]) => (window as unknown as { __bench: { longTasks: { start: number; duration: number }[] } }).__bench.longTasks.filter((t) => t.start >= (from as number) && t.start <= (to as number)),
    [scrollFrom, scrollTo],
  );
  const worstLongTask = Math.max(0, ...longTasks.map((t) => t.duration));
  console.log(`scroll:        wheel ${ms(wheelEnd - scrollFrom)} (60 steps), jump to row ${lastRow.toLocaleString("en-US")} (${lastKey}) painted in ${ms(scrollToEnd)}`);
  console.log(`               ${longTasks.length} long tasks while scrolling, longest ${ms(worstLongTask)}`);

  // 4. Search over the whole pass.
  const searchStart = await page.evaluate(() => performance.now());
  await page.locator('[data-testid="keys-search"]').fill(args.search);
  await page.locator(`[data-testid="keys-table"][data-view="key:asc:${args.search}"] [data-testid="key-row"][data-row="0"][data-key]`).waitFor({ timeout: 60_000 });
  const searchEnd = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
  const matches = await page.locator('[data-testid="keys-count"]').getAttribute("data-total");
  console.log(`search:        "${args.search}" → ${matches} keys, rows painted ${ms(searchEnd - searchStart)} after typing (250 ms of it is the input debounce)`);

  // 5. Sorts over the whole pass: the first ranks the finished pass in SQLite, later ones read the ranking.
  await page.locator('[data-testid="keys-search"]').fill("");
  await page.locator(`[data-testid="keys-count"][data-total="${summary.totals.keys}"]`).waitFor({ timeout: 60_000 });
  for (const [choice, label] of [
    ["size:desc", "size, largest first"],
    ["lastModified:desc", "LastModified, newest first"],
    ["size:asc", "size, smallest first (ranked already)"],
  ] as const) {
    const sortStart = await page.evaluate(() => performance.now());
    await page.locator('[data-testid="keys-sort"]').selectOption(choice);
    await page.locator(`[data-testid="keys-table"][data-view="${choice}:"] [data-testid="key-row"][data-row="0"][data-key]`).waitFor({ timeout: 120_000 });
    const sortEnd = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
    console.log(`sort:          by ${label}: first rows painted ${ms(sortEnd - sortStart)} after choosing it`);
  }

  // 6. Server side: the prefix summary and the export of the whole pass.
  for (const depth of [1, 2]) {
    const t = performance.now();
    const res = await fetch(`${app.url}/api/passes/${id}/prefixes?depth=${depth}`);
    const body = (await res.json()) as { groupCount: number };
    console.log(`prefixes:      depth ${depth}: ${body.groupCount} groups in ${ms(performance.now() - t)}`);
  }
  for (const format of ["csv", "ndjson"] as const) {
    const t = performance.now();
    const res = await fetch(`${app.url}/api/passes/${id}/export?format=${format}`);
    let bytes = 0;
    for await (const chunk of res.body ?? []) bytes += (chunk as Uint8Array).byteLength;
    console.log(`export:        ${format}: ${(bytes / 1024 / 1024).toFixed(1)} MB streamed in ${ms(performance.now() - t)}`);
  }

  const heap = await heapMb(page);
  console.log(`heap:          ${heap.used.toFixed(1)} MB used (${heap.afterGc.toFixed(1)} MB after GC); while watching the live pass ${liveHeap.used.toFixed(1)} MB`);
  const worstHeap = Math.max(heap.used, liveHeap.used);

  console.log("\ngoals:");
  console.log(`  first rows <= ${GOALS.firstRowsMs} ms after the first page: live ${ms(liveFirstRows)}, finished ${ms(doneFirstRows)}  ${verdict(Math.max(liveFirstRows, doneFirstRows) <= GOALS.firstRowsMs)}`);
  console.log(`  heap <= ${GOALS.heapMb} MB: ${worstHeap.toFixed(1)} MB  ${verdict(worstHeap <= GOALS.heapMb)}`);
  console.log(`  no long task > ${GOALS.longTaskMs} ms while scrolling: longest ${ms(worstLongTask)}  ${verdict(worstLongTask <= GOALS.longTaskMs)}`);
  await browser.screenshot("bench-ui-search");
}

async function main(): Promise<void> {
  buildIfStale();
  fs.mkdirSync(dataDir, { recursive: true });
  console.log(`bench:ui: ${[...SECTIONS].join(", ")}`);
  if (SECTIONS.has("pass")) await withBench(KEYS, BUCKET, benchPass);
  if (SECTIONS.has("browser")) await withBench(Number(args["folder-keys"]), `folder-${args["folder-keys"]}`, benchBrowser);
  if (SECTIONS.has("compare")) await withBench(Number(args["compare-keys"]), `large-${args["compare-keys"]}`, benchCompare);
}


const now = (page: Page) => page.evaluate(() => performance.now());
const nextFrame = (page: Page) => page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))));

async function longTasksBetween(page: Page, from: number, to: number): Promise<{ count: number; longest: number }> {
  const tasks = await page.evaluate(
    ([a, b]) => (window as unknown as { __bench: { longTasks: { start: number; duration: number }[] } }).__bench.longTasks.filter((t) => t.start >= (a as number) && t.start <= (b as number)),
    [from, to],
  );
  return { count: tasks.length, longest: Math.max(0, ...tasks.map((t) => t.duration)) };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

interface TaskCosts {
  /** Tasks of the page's main thread longer than 50 ms of wall time. */
  long: number;
  /** The longest task: wall time, and the CPU time its thread really ran (what load does not inflate). */
  worstWall: number;
  worstCpu: number;
  /** The task with the most CPU time. */
  maxCpu: number;
  /** CPU time of the main thread in tasks, and of it in script, style and layout, over the whole run. */
  cpu: number;
  script: number;
  style: number;
  layout: number;
}

/**
 * Runs `work` under a Chromium trace and sums the renderer main thread's tasks. A long task's wall
 * time includes the time the OS gave the CPU to others (a loaded machine makes 20 ms of work a
 * 200 ms task); its thread time (tdur) is what our code cost.
 */
async function traceTasks(page: Page, work: () => Promise<void>): Promise<TaskCosts> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  await cdp.send("Tracing.start", {
    traceConfig: { includedCategories: ["devtools.timeline", "disabled-by-default-devtools.timeline"], recordMode: "recordAsMuchAsPossible" },
    transferMode: "ReportEvents",
  });
  try {
    await work();
  } finally {
    const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
    await cdp.send("Tracing.end");
    await complete;
    await cdp.detach();
  }
  const main = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const onMain = events.filter((e) => e.ph === "X" && main.has(`${e.pid}:${e.tid}`));
  const sum = (names: string[]) => onMain.filter((e) => names.includes(e.name)).reduce((n, e) => n + (e.tdur ?? e.dur ?? 0) / 1000, 0);
  const tasks = onMain.filter((e) => e.name === "RunTask");
  let worst = { wall: 0, cpu: 0 };
  let maxCpu = 0;
  for (const t of tasks) {
    const wall = (t.dur ?? 0) / 1000;
    const cpu = (t.tdur ?? t.dur ?? 0) / 1000;
    if (wall > worst.wall) worst = { wall, cpu };
    maxCpu = Math.max(maxCpu, cpu);
  }
  return {
    long: tasks.filter((t) => (t.dur ?? 0) > 50_000).length,
    worstWall: worst.wall,
    worstCpu: worst.cpu,
    maxCpu,
    cpu: tasks.reduce((n, t) => n + (t.tdur ?? t.dur ?? 0) / 1000, 0),
    // Outermost script events only (a timer's or an event's script is a FunctionCall inside it).
    script: sum(["FunctionCall", "EvaluateScript", "RunMicrotasks"]),
    style: sum(["UpdateLayoutTree", "RecalculateStyles"]),
    layout: sum(["Layout"]),
  };
}

/** Scroll steps scrollAround takes: wheel steps, jumps, the end, wheel steps back. */
const SCROLL_STEPS = 60 + 8 + 1 + 30;

/** Wheel steps, jumps of the thumb to places across the list, the end, and back up: what a user does in a long list. */
async function scrollAround(page: Page, scroller: string, lastRow: string, atEnd: () => Promise<void> = async () => {}): Promise<{ from: number; to: number; toEnd: number; lastItem: string | null }> {
  const box = await page.locator(scroller).boundingBox();
  if (box === null) throw new Error(`${scroller} is not on screen`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const from = await now(page);
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, 1200);
    await page.waitForTimeout(16);
  }
  for (const at of [0.9, 0.1, 0.5, 0.75, 0.25, 0.6, 0.33, 0.05]) {
    await page.locator(scroller).evaluate((el, f) => {
      el.scrollTop = f * (el.scrollHeight - el.clientHeight);
    }, at);
    await nextFrame(page);
  }
  const jump = await now(page);
  await page.locator(scroller).evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.locator(lastRow).waitFor({ timeout: 120_000 });
  const toEnd = (await nextFrame(page)) - jump;
  const lastItem = await page.locator(lastRow).getAttribute("data-item");
  await atEnd();
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, -900);
    await page.waitForTimeout(16);
  }
  return { from, to: await nextFrame(page), toEnd, lastItem };
}

const keyAt = (n: number, i: number) => `k/${String(i).padStart(Math.max(7, String(Math.max(0, n - 1)).length), "0")}`;

async function benchBrowser({ app, browser, page }: Bench): Promise<void> {
  const keys = Number(args["folder-keys"]);
  const t0 = performance.now();
  await page.goto(`${app.url}/b/sandbox/folder-${keys}?prefix=${encodeURIComponent("k/")}`);
  await page.locator('[data-testid="listing-status"][data-phase="complete"]').waitFor({ timeout: 900_000 });
  const listed = await now(page);
  const streaming = await longTasksBetween(page, 0, listed);
  console.log(`folder:        ${keys.toLocaleString("en-US")} objects in k/ listed in the browser in ${ms(performance.now() - t0)}; while they streamed in: ${streaming.count} long tasks, longest ${ms(streaming.longest)}`);
  let scrolled = { from: 0, to: 0, toEnd: 0 };
  const load0 = os.loadavg()[0] ?? 0;
  const costs = await traceTasks(page, async () => {
    scrolled = await scrollAround(page, '[data-testid="listing-scroller"]', `[data-testid="object-row"][data-key="${keyAt(keys, keys - 1)}"]`);
  });
  const load = Math.max(load0, os.loadavg()[0] ?? 0);
  const scrolling = await longTasksBetween(page, scrolled.from, scrolled.to);
  const steps = SCROLL_STEPS;
  console.log(`scroll:        60 wheel steps, 8 jumps, the end (last row painted ${ms(scrolled.toEnd)} after the jump), 30 steps back: ${scrolling.count} long tasks, longest ${ms(scrolling.longest)} (PerformanceObserver 'longtask')`);
  console.log(
    `               trace of the page's main thread: ${costs.long} tasks over 50 ms; the longest ${ms(costs.worstWall)} of wall time of which ${ms(costs.worstCpu)} on the CPU; the most CPU any task took ${ms(costs.maxCpu)}`,
  );
  console.log(
    `               main-thread CPU ${ms(costs.cpu)} for ${steps} scroll steps (${(costs.cpu / steps).toFixed(1)} ms a step): script ${ms(costs.script)}, style ${ms(costs.style)}, layout ${ms(costs.layout)}; load average ${load.toFixed(1)} on ${os.cpus().length} CPUs`,
  );
  const heap = await heapMb(page);
  console.log(`heap:          ${heap.used.toFixed(1)} MB used (${heap.afterGc.toFixed(1)} MB after GC)`);
  console.log(
    `goal:          no task > 50 ms while scrolling: longest ${ms(scrolling.longest)} observed ${verdict(scrolling.longest <= 50)}; the most CPU a task took ${ms(costs.maxCpu)} ${verdict(costs.maxCpu <= 50)}` +
      (load > os.cpus().length ? ` (the machine is loaded: wall times carry waits for the CPU, the CPU figure does not)` : ""),
  );
  await browser.screenshot("bench-ui-browser");
}

async function recordPass(app: RunningApp, bucket: string): Promise<{ id: string; activeMs: number; keys: number }> {
  const created = await fetch(`${app.url}/api/passes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ connection: "sandbox", bucket, pageSize: 1000 }) });
  if (!created.ok) throw new Error(`starting the pass: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  for (;;) {
    const s = (await (await fetch(`${app.url}/api/passes/${id}`)).json()) as { status: string; activeMs: number; totals: { keys: number } };
    if (s.status !== "running") {
      if (s.status !== "complete") throw new Error(`pass ${id} ended ${s.status}`);
      return { id, activeMs: s.activeMs, keys: s.totals.keys };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Bytes under a directory. */
function diskBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

/** Peak RSS (VmHWM) of a process and its descendants, summed, from /proc (Linux); null elsewhere. */
function peakRssTree(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    let total = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter((c) => c !== "")) total += peakRssTree(Number(child)) ?? 0;
    }
    return total;
  } catch {
    return null;
  }
}

const mb = (n: number | null) => (n === null ? "?" : `${(n / 1024 / 1024).toFixed(0)} MB`);

async function benchCompare({ appDir, sandboxDir, app, browser, page, sandboxEndpoint }: Bench): Promise<void> {
  const started = performance.now();
  const keys = Number(args["compare-keys"]);
  const bucket = `large-${keys}`;
  const s3 = new S3Client({
    endpoint: sandboxEndpoint,
    region: SANDBOX_DEFAULTS.region,
    forcePathStyle: true,
    credentials: { accessKeyId: SANDBOX_DEFAULTS.accessKeyId, secretAccessKey: SANDBOX_DEFAULTS.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  const a = await recordPass(app, bucket);
  console.log(`pass A:        ${a.keys.toLocaleString("en-US")} keys listed in ${ms(a.activeMs)}`);
  // B differs at the bucket's end: one key after all others, so the comparison's last row is known.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "zz-last", Body: "new\n" }));
  try {
    const b = await recordPass(app, bucket);
    console.log(`pass B:        ${b.keys.toLocaleString("en-US")} keys listed in ${ms(b.activeMs)} (zz-last added)`);
    const t0 = performance.now();
    const summary = (await (await fetch(`${app.url}/api/diff/summary?a=${a.id}&b=${b.id}`)).json()) as { counts: { added: number; unchanged: number } };
    const t1 = performance.now();
    const probe = (await (await fetch(`${app.url}/api/diff/rows?a=${a.id}&b=${b.id}&only=all&offset=0&limit=200`)).json()) as { total: number };
    console.log(`diff:          summary in ${ms(t1 - t0)} (added ${summary.counts.added}, unchanged ${summary.counts.unchanged.toLocaleString("en-US")}); first window (builds the aligned runs) in ${ms(performance.now() - t1)}: ${probe.total.toLocaleString("en-US")} items, ${(probe.total * 26 / 1e6).toFixed(1)}M px at 26 px a row`);
    const openStart = performance.now();
    await page.goto(`${app.url}/compare?a=${a.id}&b=${b.id}`);
    await page.locator('[data-testid="diff-row"][data-key]').first().waitFor({ timeout: 300_000 });
    console.log(`compare view:  first rows ${ms(performance.now() - openStart)} after navigation`);
    const scrollHeight = await page.getByTestId("compare-scroller").evaluate((el) => el.scrollHeight);
    let rowsText = "";
    const { from, to, toEnd, lastItem } = await scrollAround(page, '[data-testid="compare-scroller"]', '[data-testid="diff-row"][data-key="zz-last"]', async () => {
      // The toolbar settles on the rows in view after the scroll: wait for it to name the last one.
      const total = (probe.total).toLocaleString("en-US");
      await page.waitForFunction((t) => (document.querySelector('[data-testid="compare-position"]')?.textContent ?? "").includes(`–${t} of ${t}`), total, { timeout: 30_000 }).catch(() => undefined);
      rowsText = (await page.getByTestId("compare-position").textContent()) ?? "";
    });
    const scrolling = await longTasksBetween(page, from, to);
    console.log(`scroll:        box ${(scrollHeight / 1e6).toFixed(1)}M px; last row (item ${lastItem} of ${probe.total}) painted ${ms(toEnd)} after the jump to the end`);
    console.log(`               60 wheel steps, 8 jumps, the end, 30 steps back: ${scrolling.count} long tasks, longest ${ms(scrolling.longest)}`);
    const heap = await heapMb(page);
    console.log(`heap:          ${heap.used.toFixed(1)} MB used (${heap.afterGc.toFixed(1)} MB after GC)`);
    console.log(`rows shown:    "${rowsText.trim()}" after the jump to the end`);
    console.log(
      `machine:       app data ${mb(diskBytes(appDir))} on disk (two passes), sandbox data ${mb(diskBytes(sandboxDir))}; app peak RSS ${mb(peakRssTree(app.pid))} (its processes summed); ` +
        `section took ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${(os.loadavg()[0] ?? 0).toFixed(1)} on ${os.cpus().length} CPUs`,
    );
    console.log(`goal:          the last row of ${keys.toLocaleString("en-US")} keys reached: ${verdict(lastItem === String(probe.total - 1))}`);
    await browser.screenshot("bench-ui-compare");
  } finally {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "zz-last" }));
    s3.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
