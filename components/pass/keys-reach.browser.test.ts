import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { RunningApp } from "@/scripts/testing/app";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";
import { passHref } from "./search-params";

// The pass view's keys table reaches every row of a pass taller than a browser lets an element be
// (Chromium: ~33.5M px, about 1.2M rows of 28 px). The box is capped at 20k px here instead of 8M,
// so the demo bucket's 3000 keys and 3 page bands (~84k px of rows) take the path a 10M-key pass
// takes at the real cap.

const CAP_PX = 20_000;

let stack: Stack | undefined;
let app: RunningApp;
let page: Page;
let passId = "";

beforeAll(async () => {
  stack = await startStack("keys-reach");
  ({ app, page } = stack);
  const passes = passApi(app.url);
  passId = await passes.startPass({ bucket: "demo", pageSize: 1000 });
  await passes.settled(passId);
  await page.addInitScript({ content: `window.__BUCKETSCOPE_MAX_SCROLL_PX = ${CAP_PX};` });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

/** The row drawn for `key`: its row number (from 0) and whether it lies inside the table's visible box. */
async function visibleRow(key: string): Promise<{ row: number; visible: boolean }> {
  const row = page.locator(`[data-testid="key-row"][data-key="${key}"]`);
  await row.waitFor({ timeout: 30_000 });
  const [box, viewport] = await Promise.all([row.boundingBox(), page.getByTestId("keys-viewport").boundingBox()]);
  if (box === null || viewport === null) throw new Error("no boxes");
  return { row: Number(await row.getAttribute("data-row")), visible: box.y >= viewport.y - 1 && box.y + box.height <= viewport.y + viewport.height + 1 };
}

/** Row numbers (from 0) of the key rows inside the table's visible box. */
async function rowsInView(): Promise<number[]> {
  return page.evaluate(() => {
    const viewport = document.querySelector('[data-testid="keys-viewport"]')?.getBoundingClientRect();
    if (viewport === undefined) return [];
    return [...document.querySelectorAll('[data-testid="key-row"][data-key]')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= viewport.top - 1 && r.bottom <= viewport.bottom + 1;
      })
      .map((el) => Number(el.getAttribute("data-row")));
  });
}

describe("the pass view's keys table taller than the browser's largest element", () => {
  it("keeps its box under the cap, and sending the thumb to the end shows the last key", async () => {
    await page.goto(`${app.url}${passHref(passId)}`);
    await page.locator('[data-testid="keys-count"][data-total="3000"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="key-row"][data-key="obj_0000"]').waitFor();
    const scrollHeight = await page.getByTestId("keys-viewport").evaluate((el) => el.scrollHeight);
    expect(scrollHeight).toBeLessThanOrEqual(CAP_PX + 2);

    await page.getByTestId("keys-viewport").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    expect(await visibleRow("obj_2999")).toEqual({ row: 2999, visible: true });
    // Its page column says page 3, numbered from 1.
    expect(await page.locator('[data-testid="key-row"][data-key="obj_2999"] [data-testid="key-page"]').textContent()).toBe("3");
  });

  it("maps the thumb's place onto the whole pass, and the wheel moves rows one to one", async () => {
    const viewport = page.getByTestId("keys-viewport");
    await viewport.evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    });
    await expect.poll(async () => (await rowsInView()).length, { timeout: 10_000 }).toBeGreaterThan(3);
    const middle = await rowsInView();
    const centre = (Math.min(...middle) + Math.max(...middle)) / 2;
    // Half way through 3003 items (3 of them page bands): within 2 % of row 1500.
    expect(Math.abs(centre - 1500)).toBeLessThan(60);
    const top = Math.min(...middle);
    await viewport.hover();
    await page.mouse.wheel(0, 28 * 10);
    await expect.poll(async () => Math.min(...(await rowsInView())), { timeout: 10_000 }).toBe(top + 10);
  });

  it("jumps to a selected page's band however far down it is", async () => {
    await page.goto(`${app.url}/passes/${passId}?page=3`);
    expect((await visibleRow("obj_2000")).visible).toBe(true);
  });
});
