import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { passSummarySchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The compare view reaches every row of a comparison taller than a browser lets an element be
// (Chromium: ~33.5M px, 1.29M rows). The page's box is capped at 100k px here instead of 8M, so a
// 20k-key comparison (~530k px of rows) takes the same path a 10M-key one takes at the real cap.

const CAP_PX = 100_000;
const KEYS = 20_000;
const BUCKET = "reach";
const keyAt = (i: number) => `k/${String(i).padStart(7, "0")}`;
const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };

let stack: Stack | undefined;
let app: RunningApp;
let page: Page;
let compareUrl = "";

async function recordPass(): Promise<string> {
  const res = await fetch(`${app.url}/api/passes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket: BUCKET, pageSize: 1000 }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const s = passSummarySchema.parse(await (await fetch(`${app.url}/api/passes/${id}`)).json());
    if (s.status !== "running") {
      expect(s.status).toBe("complete");
      return id;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  stack = await startStack("compare-reach", {
    prepare: (s) => {
      s.store.createBucket(BUCKET);
      s.store.seedObjects({ bucket: BUCKET, keys: Array.from({ length: KEYS }, (_, i) => keyAt(i)), body: Buffer.from("x\n"), meta });
    },
  });
  ({ app, page } = stack);
  const a = await recordPass();
  // B changes the key before the last and adds one after every other: the last row is "zz-last".
  stack.sandbox.store.putObject({ bucket: BUCKET, key: keyAt(KEYS - 2), body: Buffer.from("changed\n"), meta });
  stack.sandbox.store.putObject({ bucket: BUCKET, key: "zz-last", body: Buffer.from("new\n"), meta });
  const b = await recordPass();
  compareUrl = `${app.url}/compare?a=${a}&b=${b}`;
  await page.addInitScript({ content: `window.__BUCKETSCOPE_MAX_SCROLL_PX = ${CAP_PX};` });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

interface Position {
  first: number;
  last: number;
  total: number;
}

/** The toolbar's "rows first–last of total", numbered from 1. */
async function position(): Promise<Position> {
  const text = (await page.getByTestId("compare-position").textContent()) ?? "";
  const m = /rows ([\d,]+)–([\d,]+) of ([\d,]+)/.exec(text);
  if (m === null) throw new Error(`no position in "${text}"`);
  const n = (s: string | undefined) => Number((s ?? "").replaceAll(",", ""));
  return { first: n(m[1]), last: n(m[2]), total: n(m[3]) };
}

/** The row drawn for `key`, and whether it lies inside the scroller's visible box. */
async function visibleRow(key: string): Promise<{ item: number; visible: boolean }> {
  const row = page.locator(`[data-testid="diff-row"][data-key="${key}"]`);
  await row.waitFor({ timeout: 30_000 });
  const [box, scroller] = await Promise.all([row.boundingBox(), page.getByTestId("compare-scroller").boundingBox()]);
  if (box === null || scroller === null) throw new Error("no boxes");
  return { item: Number(await row.getAttribute("data-item")), visible: box.y >= scroller.y - 1 && box.y + box.height <= scroller.y + scroller.height + 1 };
}

describe("the compare view of a comparison taller than the browser's largest element", () => {
  it("keeps its box under the cap, and sending the thumb to the end shows the last row", async () => {
    await page.goto(compareUrl);
    await page.locator('[data-testid="diff-row"]').first().waitFor({ timeout: 60_000 });
    const total = (await position()).total;
    // 20,001 keys plus the page bands of both passes.
    expect(total).toBeGreaterThan(KEYS);
    const scrollHeight = await page.getByTestId("compare-scroller").evaluate((el) => el.scrollHeight);
    expect(scrollHeight).toBeLessThanOrEqual(CAP_PX + 2);
    expect(total * 26).toBeGreaterThan(5 * CAP_PX);

    await page.getByTestId("compare-scroller").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = await visibleRow("zz-last");
    expect(last).toEqual({ item: total - 1, visible: true });
    expect(await page.locator('[data-testid="diff-row"][data-key="zz-last"]').getAttribute("data-kind")).toBe("added");
    await expect.poll(async () => (await position()).last, { timeout: 10_000 }).toBe(total);
    // B's changed key, two rows and a band before.
    expect(await page.locator(`[data-testid="diff-row"][data-key="${keyAt(KEYS - 2)}"]`).getAttribute("data-kind")).toBe("changed");
    // The last row stays in view as the window narrows.
    for (const width of [1440, 1024, 800]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await visibleRow("zz-last")).visible).toBe(true);
      await stack?.browser.screenshot(`compare-reach-last-row-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it("maps the thumb's place onto the whole comparison, and the wheel moves rows one to one", async () => {
    const total = (await position()).total;
    await page.getByTestId("compare-scroller").evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    });
    await expect.poll(async () => Math.abs((await position()).first - total / 2), { timeout: 10_000 }).toBeLessThan(total / 50);
    const middle = await position();
    const key = keyAt(middle.first + 5);
    // A key near the middle is drawn with its data at its place in the list (not a placeholder).
    await page.locator(`[data-testid="diff-row"][data-key="${key}"]`).waitFor({ timeout: 30_000 });

    const box = await page.getByTestId("compare-scroller").boundingBox();
    if (box === null) throw new Error("no scroller");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 26 * 10);
    await expect.poll(async () => (await position()).first, { timeout: 10_000 }).toBeGreaterThanOrEqual(middle.first + 95);
    // At this cap a scaled scroll would move ~5 rows per 26 px; one to one moves 100 rows for 2600 px.
    expect((await position()).first).toBeLessThanOrEqual(middle.first + 105);
  });

  it("opens a deep link to the last row, and jumps from the first row to the far change with n", async () => {
    const total = (await position()).total;
    await page.goto(`${compareUrl}&row=${total - 1}`);
    expect(await visibleRow("zz-last")).toEqual({ item: total - 1, visible: true });
    await page.goto(`${compareUrl}&row=0`);
    await page.locator('[data-testid="diff-row"][data-item="1"]').waitFor({ timeout: 30_000 });
    await page.keyboard.press("n");
    await page.locator(`[data-testid="diff-row"][data-current="true"][data-key="${keyAt(KEYS - 2)}"]`).waitFor({ timeout: 30_000 });
    const changed = await visibleRow(keyAt(KEYS - 2));
    expect(changed.visible).toBe(true);
    // k/0019998, k/0019999, the band where B's page 21 begins, zz-last.
    expect(changed.item).toBe(total - 4);
  });
});
