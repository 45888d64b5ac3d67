import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { entriesWindowSchema, type PagedEntry } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import { setTimeMode, type Browser } from "@/scripts/testing/browser";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";
import { passHref } from "./search-params";

// The pass view in Chromium against the built app (as `npm start` runs it) and a seeded sandbox.

let stack: Stack | undefined;
let sandbox: Sandbox;
let app: RunningApp;
let passes: ReturnType<typeof passApi>;
let browser: Browser;
let page: Page;
const shots: string[] = [];

beforeAll(async () => {
  stack = await startStack("pass-ui");
  ({ sandbox, app, browser, page } = stack);
  passes = passApi(app.url);
});

afterAll(async () => {
  await stack?.close();
  if (shots.length > 0) console.log(`screenshots:\n  ${shots.join("\n  ")}`);
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

afterEach(() => {
  sandbox.faults.clear();
});

const url = (href: string) => `${app.url}${href}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function shot(name: string) {
  shots.push(await browser.screenshot(name));
}

async function allEntries(id: string): Promise<PagedEntry[]> {
  const out: PagedEntry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const w = await passes.api(`/api/passes/${id}/entries?offset=${offset}&limit=1000`, entriesWindowSchema);
    out.push(...w.entries);
    if (offset + 1000 >= w.total) return out;
  }
}

async function stat(name: string): Promise<number> {
  const text = await page.locator(`[data-testid="stat-${name}"]`).innerText();
  return Number(text.replaceAll(",", ""));
}

async function status(): Promise<string | null> {
  return page.locator('[data-testid="pass-view"]').getAttribute("data-status");
}

async function waitForStatus(s: string, timeout = 30_000) {
  await page.locator(`[data-testid="pass-view"][data-status="${s}"]`).waitFor({ timeout });
}

/** Rows drawn in the whole-pass table: virtual row index and key. */
async function rowsShown(): Promise<{ row: number; key: string | null }[]> {
  return page.$$eval('[data-testid="key-row"]', (els) =>
    els.map((el) => ({ row: Number(el.getAttribute("data-row")), key: el.getAttribute("data-key") })),
  );
}

/** The keys of the rows drawn just before and after a page's band (document order); pages numbered from 1. */
async function aroundBand(pageNumber: number): Promise<(string | null)[]> {
  return page.evaluate((i) => {
    const band = document.querySelector(`[data-testid="page-band"][data-page-number="${i}"]`);
    if (band === null) return [];
    const rows = [...document.querySelectorAll('[data-testid="key-row"], [data-testid="page-band"]')];
    const at = rows.indexOf(band);
    const keyOf = (el: Element | undefined) => (el?.getAttribute("data-testid") === "key-row" ? el.getAttribute("data-key") : null);
    return [keyOf(rows[at - 1]), keyOf(rows[at + 1])];
  }, pageNumber);
}

async function lastModifiedHeader(): Promise<string | null> {
  return page.getByTestId("keys-table").locator('[role="row"] > span', { hasText: "Last modified" }).textContent();
}

async function scrollKeysTo(position: "top" | "bottom") {
  await page.locator('[data-testid="keys-viewport"]').evaluate((el, where) => {
    el.scrollTop = where === "top" ? 0 : el.scrollHeight;
  }, position);
}

describe("a running pass", () => {
  it("shows pages arriving while it runs, then 30 pages and 3000 keys", async () => {
    sandbox.faults.configure({ latencyMs: 150, bucket: "demo" });
    await page.goto(url("/passes"));
    await shot("pass-list-empty");
    const form = page.locator('[data-testid="new-pass-form"]');
    await form.locator('select[name="connection"]').selectOption("sandbox");
    await form.locator('input[name="bucket"]').fill("demo");
    await form.locator('input[name="pageSize"]').fill("100");
    await page.locator('[data-testid="start-pass"]').click();
    await page.waitForURL(/\/passes\/[A-Za-z0-9_-]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="stat-pages"]').waitFor();

    const seen: number[] = [];
    let shotTaken = false;
    while ((await status()) === "running") {
      const n = await stat("pages");
      if (seen.at(-1) !== n) seen.push(n);
      if (!shotTaken && n >= 12) {
        await shot("pass-live-running");
        shotTaken = true;
      }
      await sleep(80);
    }
    // Grew step by step while running, never past the end.
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(Math.max(...seen)).toBeLessThanOrEqual(30);

    await waitForStatus("complete");
    expect(await stat("pages")).toBe(30);
    expect(await stat("keys")).toBe(3000);
    await page.locator('[data-testid="keys-count"][data-total="3000"]').waitFor();
    await shot("pass-complete-keys");

    await page.locator('[data-testid="tab-pages"]').click();
    // Page 20 is obj_1900 … obj_1999 at page size 100, as in the bucket browser.
    const page20 = page.locator('[data-testid="pages-table"] [role="row"][data-page-number="20"]');
    expect(await page20.getAttribute("data-first-key")).toBe("obj_1900");
    await page.locator('[data-testid="pages-table"] [role="row"][data-page-number="4"]').click();
    expect(new URL(page.url()).searchParams.get("page")).toBe("4");
    await page.locator('[data-testid="page-detail"]').getByText("Page 4", { exact: true }).waitFor();
    expect(await page.locator('[data-testid="pages-table"] [role="row"][data-page-number="4"] span').first().textContent()).toBe("4");
    await shot("pass-pages-tab");

    await page.goto(url("/passes"));
    await page.locator('[data-testid="pass-list"] tr[data-pass]').first().waitFor();
    await shot("pass-list");
  });

  it("is cancelled and resumed from the page, ending with every key once", async () => {
    sandbox.faults.configure({ latencyMs: 250, bucket: "demo" });
    const id = await passes.startPass({ bucket: "demo", pageSize: 100 });
    await page.goto(url(passHref(id)));
    await page.locator('[data-testid="cancel-pass"]').waitFor();
    while ((await stat("pages")) < 4) await sleep(50);
    await page.locator('[data-testid="cancel-pass"]').click();
    await waitForStatus("cancelled");
    await page.locator('[data-testid="pass-explanation"]').getByText("Cancelled before the listing reached its end").waitFor();
    const pagesAtCancel = await stat("pages");
    expect(pagesAtCancel).toBeGreaterThanOrEqual(4);
    expect(pagesAtCancel).toBeLessThan(30);
    await shot("pass-cancelled");

    sandbox.faults.configure({ latencyMs: 20 });
    await page.locator('[data-testid="resume-pass"]').click();
    await waitForStatus("complete");
    expect(await stat("keys")).toBe(3000);
    await page.getByText("2 runs").waitFor();
    const keys = (await allEntries(id)).map((e) => e.key);
    expect(keys).toEqual(Array.from({ length: 3000 }, (_, i) => `obj_${String(i).padStart(4, "0")}`));
    await page.locator('[data-testid="keys-count"][data-total="3000"]').waitFor();
    await shot("pass-resumed-complete");
  });
});

describe("a parallel pass", () => {
  it("is started with cursors from the form and the bucket browser; its view says how many and why fewer, draws bands in key order, and explains a fallback", async () => {
    sandbox.faults.configure({ latencyMs: 60, bucket: "demo" });
    await page.goto(url("/passes"));
    const form = page.locator('[data-testid="new-pass-form"]');
    await form.locator('select[name="connection"]').selectOption("sandbox");
    await form.locator('input[name="bucket"]').fill("demo");
    await form.locator('input[name="pageSize"]').fill("100");
    await form.locator('[data-testid="concurrency"]').selectOption("8");
    await shot("pass-parallel-form");
    await page.locator('[data-testid="start-pass"]').click();
    await page.waitForURL(/\/passes\/[A-Za-z0-9_-]+$/, { timeout: 30_000 });
    const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await page.locator('[data-testid="pass-concurrency"]').getByText("8 cursors").waitFor();
    await page.locator('[data-testid="parallel-explanation"]').waitFor();
    // While it runs, a lane per busy cursor, each with the ranges it has listed so far.
    await page.locator('[data-testid="cursor-lane"][data-lane="2"]').waitFor();
    if ((await status()) === "running") await shot("pass-parallel-running");
    await waitForStatus("complete");
    await page.locator('[data-testid="parallel-explanation"]').getByText("Listed with up to 8 cursors").waitFor();
    await page.locator('[data-testid="keys-count"][data-total="3000"]').waitFor();
    const keys = Array.from({ length: 3000 }, (_, i) => `obj_${String(i).padStart(4, "0")}`);
    expect((await allEntries(id)).map((e) => e.key)).toEqual(keys);
    // A band sits just before its page's first key, whatever order the pages came in.
    const summary = await passes.settled(id);
    expect(summary.parallel?.ranges.total).toBeGreaterThan(1);
    const records = (await fetch(url(`/api/passes/${id}/events`)).then((r) => r.text()))
      .split("\n")
      .filter((l) => l.startsWith('{"type":"page"'))
      .map((l) => (JSON.parse(l) as { page: { index: number; firstKey: string | null; entryCount: number; cursor?: { range: number } } }).page);
    // Lanes account for every page and key, never more lanes than cursors; split points are where ranges meet.
    const lanes = page.locator('[data-testid="cursor-lanes"]');
    expect(Number(await lanes.getAttribute("data-ranges"))).toBe(summary.parallel?.ranges.total);
    const laneFacts = await page.locator('[data-testid="cursor-lane"]').evaluateAll((els) => els.map((e) => [Number(e.getAttribute("data-pages")), Number(e.getAttribute("data-keys"))]));
    expect(laneFacts.length).toBeGreaterThan(1);
    expect(laneFacts.length).toBeLessThanOrEqual(8);
    expect(laneFacts.reduce((n, [p]) => n + (p ?? 0), 0)).toBe(records.length);
    expect(laneFacts.reduce((n, [, k]) => n + (k ?? 0), 0)).toBe(3000);
    const splits = page.locator('[data-testid="split-points"]');
    expect(Number(await splits.getAttribute("data-count"))).toBe((summary.parallel?.ranges.total ?? 0) - 1);
    const firstOfRange1 = records.find((r) => r.cursor?.range === 1);
    await page.locator('[data-testid="lane-range"][data-range="1"]').click();
    // The URL numbers pages from 1; the records count from 0.
    await page.waitForURL(new RegExp(`[?&]page=${(firstOfRange1?.index ?? -1) + 1}(&|$)`));
    const later = records.filter((r) => (r.cursor?.range ?? 0) > 0 && r.entryCount > 0).slice(0, 3);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) {
      await page.goto(url(passHref(id, { page: r.index })));
      await page.locator(`[data-testid="page-band"][data-page-number="${r.index + 1}"]`).waitFor();
      // The band can be drawn before the key window after it has loaded; the scroll must not land
      // before every page of the ranges ahead of it has replayed (it did, on the first pages' layout).
      await expect.poll(async () => (await aroundBand(r.index + 1))[1], { timeout: 15_000 }).toBe(r.firstKey);
    }
    for (const width of [800, 1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await shot(`pass-parallel-complete-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });

    sandbox.faults.configure({ ignoreStartAfter: true });
    const fallback = await passes.startPass({ bucket: "demo", pageSize: 100, concurrency: 8 });
    await page.goto(url(passHref(fallback)));
    await waitForStatus("complete");
    const explained = page.locator('[data-testid="parallel-explanation"]');
    await explained.getByText("Fell back to one cursor").waitFor();
    await explained.getByText(/ignores StartAfter/).waitFor();
    await shot("pass-parallel-fallback");
    sandbox.faults.clear();

    await page.goto(url("/b/sandbox/photos"));
    await page.locator('select[aria-label="Cursors for the recorded listing"]').selectOption("4");
    await page.getByRole("button", { name: "Record a pass" }).click();
    await page.waitForURL(/\/passes\/[A-Za-z0-9_-]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="pass-concurrency"]').getByText("4 cursors").waitFor();
  });
});

describe("the whole-pass table", () => {
  it("draws page bands where pages begin, searches the whole pass and exports it", async () => {
    const id = await passes.startPass({ bucket: "demo", pageSize: 1000 });
    await passes.settled(id);
    await page.goto(url(passHref(id)));
    await waitForStatus("complete");
    await page.locator('[data-testid="keys-count"][data-total="3000"]').waitFor();
    await page.locator('[data-testid="key-row"][data-key="obj_0000"]').waitFor();
    // Bands come from the page records (the events stream), rows from the entries query: either may land first.
    await expect.poll(() => aroundBand(1)).toEqual([null, "obj_0000"]);
    // A finished pass has a rate, not "—", and the one word for its duration.
    expect(await page.getByTestId("stat-rate").innerText()).toMatch(/^[\d,]+$/);
    expect(await page.getByTestId("live-stats").textContent()).toMatch(/Listing time/);
    expect(await page.getByTestId("live-stats").textContent()).not.toMatch(/Elapsed|—/);

    // A selected page (a link, ?page= numbered from 1) scrolls its band into view.
    for (const [p, before, after] of [
      [2, "obj_0999", "obj_1000"],
      [3, "obj_1999", "obj_2000"],
    ] as const) {
      await page.goto(url(`/passes/${id}?page=${p}`));
      await page.locator(`[data-testid="key-row"][data-key="${after}"]`).waitFor();
      await page.locator(`[data-testid="key-row"][data-key="${before}"]`).waitFor();
      await expect.poll(() => aroundBand(p)).toEqual([before, after]);
      expect(await page.locator(`[data-testid="page-band"][data-page-number="${p}"] b`).textContent()).toBe(`Page ${p}`);
    }
    // The Page column counts from 1 too: obj_2999 came on page 3.
    await scrollKeysTo("bottom");
    await expect.poll(() => page.locator('[data-testid="key-row"][data-key="obj_2999"] [data-testid="key-page"]').textContent()).toBe("3");
    await shot("pass-band-selected");

    await page.goto(url(passHref(id)));
    await page.locator('[data-testid="key-row"][data-key="obj_0000"]').waitFor();
    await page.locator('[data-testid="keys-search"]').fill("obj_11");
    await page.locator('[data-testid="keys-count"][data-total="100"]').waitFor();
    await page.waitForURL(/[?&]q=obj_11/);
    await page.locator('[data-testid="key-row"][data-row="0"][data-key="obj_1100"]').waitFor();
    await shot("pass-keys-search");
    await scrollKeysTo("bottom");
    await page.locator('[data-testid="key-row"][data-row="99"][data-key="obj_1199"]').waitFor();
    const matched = await rowsShown();
    expect(matched.every((r) => r.key?.includes("obj_11"))).toBe(true);
    expect(Math.max(...matched.map((r) => r.row))).toBe(99);
    expect(await page.locator('[data-testid="page-band"]').count()).toBe(0);

    const csv = page.waitForEvent("download");
    await page.locator('[data-testid="export-csv"]').click();
    const download = await csv;
    expect(download.suggestedFilename()).toBe(`demo-${id}.csv`);
    const lines = readFileSync(await download.path(), "utf8").split("\r\n");
    expect(lines[0]).toBe("key,size,last_modified,etag,storage_class,page_number");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(1, -1)).toHaveLength(3000);
    expect(lines[1]?.startsWith("obj_0000,9,")).toBe(true);
    expect(lines[1]?.endsWith(",1")).toBe(true);
    expect(lines[3000]?.endsWith(",3")).toBe(true);

    const ndjson = page.waitForEvent("download");
    await page.locator('[data-testid="export-ndjson"]').click();
    const ndLines = readFileSync(await (await ndjson).path(), "utf8").trimEnd().split("\n");
    expect(ndLines).toHaveLength(3000);
    expect(JSON.parse(ndLines[2999] ?? "{}")).toMatchObject({ key: "obj_2999", page: 2 });
  });

  it("sorts photos by size and LastModified across the whole pass", async () => {
    const id = await passes.startPass({ bucket: "photos", pageSize: 17 });
    await passes.settled(id);
    const entries = await allEntries(id);
    const largest = entries.reduce((a, b) => (b.size > a.size ? b : a));
    const newest = [...entries].sort((a, b) => ((a.lastModified ?? "") < (b.lastModified ?? "") ? 1 : -1))[0];
    const oldest = [...entries].sort((a, b) => ((a.lastModified ?? "") < (b.lastModified ?? "") ? -1 : 1))[0];

    await page.goto(url(passHref(id)));
    await waitForStatus("complete");
    await page.locator('[data-testid="key-row"][data-row="0"][data-key]').waitFor();
    await page.locator('[data-testid="keys-sort"]').selectOption("size:desc");
    await page.waitForURL(/sort=size&order=desc/);
    await page.locator(`[data-testid="key-row"][data-row="0"][data-key="${largest.key}"]`).waitFor();
    await shot("pass-sorted-size");
    const sizes = await page.$$eval('[data-testid="key-row"]', (els) => els.map((el) => el.querySelector("[title$=' bytes']")?.getAttribute("title") ?? ""));
    const bytes = sizes.map((t) => Number(t.replace(/[^0-9]/g, "")));
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));

    await page.locator('[data-testid="keys-sort"]').selectOption("lastModified:desc");
    await page.locator(`[data-testid="key-row"][data-row="0"][data-key="${newest?.key}"]`).waitFor();
    await page.goto(url(passHref(id, { sort: "lastModified", order: "asc" })));
    await page.locator(`[data-testid="key-row"][data-row="0"][data-key="${oldest?.key}"]`).waitFor();
    await page.goBack();
    await page.locator(`[data-testid="key-row"][data-row="0"][data-key="${newest?.key}"]`).waitFor();

    await page.goto(url(passHref(id, { tab: "prefixes", depth: 2 })));
    await page.locator('[data-testid="prefixes-depth-2"] tr[data-prefix="2021/wedding/"]').waitFor();
    const wedding = await page.locator('[data-testid="prefixes-depth-2"] tr[data-prefix="2021/wedding/"] td').nth(1).innerText();
    expect(wedding).toBe("21");
    await page.locator('[data-testid="prefixes-depth-1"] tr[data-prefix="thumbnails/"]').waitFor();
    await shot("pass-prefixes");
  });

  it("opens a prefix of the Prefixes tab as a prefix filter with the same count it showed", async () => {
    const id = await passes.startPass({ bucket: "photos", pageSize: 17 });
    await passes.settled(id);
    await page.goto(url(passHref(id, { tab: "prefixes" })));
    const row = page.locator('[data-testid="prefixes-depth-1"] tr[data-prefix="2019/"]');
    await row.waitFor();
    const counted = await row.getByTestId("prefix-keys").innerText();
    // thumbnails/2019/… also contains "2019/": a substring search would find one key more.
    expect(counted).toBe("6");
    await row.getByRole("link").click();
    await page.waitForURL((u) => u.searchParams.get("prefix") === "2019/" && u.searchParams.get("tab") === null);
    const count = page.getByTestId("keys-count");
    await page.locator(`[data-testid="keys-count"][data-total="${counted}"]`).waitFor();
    expect(await count.innerText()).toMatch(/^6 keys begin with “2019\/” · of \d+$/);
    expect(await page.getByTestId("keys-prefix").textContent()).toMatch(/^begins with 2019\/×$/);
    await expect.poll(async () => (await rowsShown()).map((r) => r.key)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `2019/paris/IMG_000${i}.jpg`));
    await shot("pass-prefix-filter");
    // The filter is a link, and clearing it shows every key again.
    await page.reload();
    await page.locator(`[data-testid="keys-count"][data-total="${counted}"]`).waitFor();
    await page.getByTestId("keys-prefix").getByRole("button").click();
    await page.waitForURL((u) => !u.searchParams.has("prefix"));
    await expect.poll(() => count.getAttribute("data-total")).not.toBe(counted);
  });
});

describe("times", () => {
  it("shows every time with its zone, switches the whole app between local and UTC, and remembers it", async () => {
    const id = await passes.startPass({ bucket: "demo", pageSize: 1000 });
    const summary = await passes.settled(id);
    await page.goto(url(passHref(id)));
    const started = page.getByTestId("pass-started");
    // The browser runs in Europe/Berlin: local times say so (GMT+1 in winter, GMT+2 in summer).
    await expect.poll(() => started.textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+[12]$/);
    expect(await started.getAttribute("title")).toMatch(/ UTC$/);
    expect(await lastModifiedHeader()).toBe("Last modified (Berlin)");
    const switcher = page.getByTestId("time-zone-switch");
    expect(await switcher.inputValue()).toBe("local");
    await shot("times-local");

    await switcher.selectOption("utc");
    const utc = new Date(summary.createdAt).toISOString().slice(0, 19).replace("T", " ");
    await expect.poll(() => started.textContent()).toBe(`${utc} UTC`);
    expect(await lastModifiedHeader()).toBe("Last modified (UTC)");
    await page.locator('[data-testid="key-row"][data-key="obj_0000"]').waitFor();
    expect(await page.locator('[data-testid="key-row"][data-key="obj_0000"] time').textContent()).toBe("2024-06-01 00:00:00");
    await shot("times-utc");

    // Remembered, and rendered so by the server: the page arrives in UTC, no flash of local time.
    await page.reload();
    expect(await page.getByTestId("time-zone-switch").inputValue()).toBe("utc");
    expect(await started.textContent()).toBe(`${utc} UTC`);
    const cookies = await browser.context.cookies(app.url);
    const header = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const html = await (await fetch(url(passHref(id)), { headers: { cookie: header } })).text();
    expect(html).toContain(`data-testid="pass-started">${utc} UTC</time>`);
    await setTimeMode(browser.context, app.url, "local");
  });
});

describe("bad input", () => {
  it("explains an unknown pass and unusable link settings in place, and the API answers 4xx in one shape", async () => {
    const unknown = await page.goto(url("/passes/no-such-pass"));
    expect(unknown?.status()).toBe(404);
    await page.locator('[data-testid="unknown-pass"]').getByText("There is no pass with id “no-such-pass”").waitFor();
    await shot("pass-unknown");

    const id = await passes.startPass({ bucket: "demo", pageSize: 1000 });
    await passes.settled(id);
    await page.goto(url(`/passes/${id}?sort=colour&page=x&depth=99`));
    await page.locator('[data-testid="view-problems"]').waitFor();
    expect(await page.locator('[data-testid="view-problems"]').innerText()).toMatch(/sort must be one of key, size, lastModified/);
    await page.locator('[data-testid="key-row"][data-key="obj_0000"]').waitFor();
    await shot("pass-bad-params");

    for (const [href, code, status] of [
      [`/api/passes/${id}/entries?offset=-1`, "bad_request", 400],
      [`/api/passes/${id}/entries?sort=colour`, "bad_request", 400],
      [`/api/passes/${id}/entries?offset=0&after=obj_0001`, "bad_request", 400],
      [`/api/passes/${id}/prefixes?delimiter=ab`, "bad_request", 400],
      [`/api/passes/${id}/export?format=xlsx`, "bad_request", 400],
      ["/api/passes/nope/export", "unknown_pass", 404],
      ["/api/passes/nope/prefixes", "unknown_pass", 404],
      ["/api/passes/nope/entries?offset=0", "unknown_pass", 404],
    ] as const) {
      const res = await fetch(url(href));
      expect(res.status, href).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code, href).toBe(code);
    }
    // The keyset form of the entries API is unchanged.
    const keyset = (await (await fetch(url(`/api/passes/${id}/entries?after=obj_0997&limit=2`))).json()) as { entries: { key: string }[]; nextAfter: string | null };
    expect(keyset.entries.map((e) => e.key)).toEqual(["obj_0998", "obj_0999"]);
    expect(keyset.nextAfter).toBe("obj_0999");
  });
});
