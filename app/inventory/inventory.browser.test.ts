import { execFileSync } from "node:child_process";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { DEMO_INVENTORY } from "@/lib/sandbox/seed";
import { INVENTORY_CAVEAT } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The seeded S3 Inventory report of photos in Chromium: found on the inventory page, imported, and
// compared with a live pass; the compare view says what a report is, and the photo deleted after
// the report was made carries the caveat. Then a pass is exported as a report from the pass view.

let stack: Stack | undefined;
let app: RunningApp;
let browser: Browser;
let page: Page;
let passes: ReturnType<typeof passApi>;
const shots: string[] = [];

beforeAll(async () => {
  stack = await startStack("inventory-ui");
  ({ app, browser, page } = stack);
  passes = passApi(app.url);
});

afterAll(async () => {
  await stack?.close();
  if (shots.length > 0) console.log(`screenshots:\n  ${shots.join("\n  ")}`);
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const url = (href: string) => `${app.url}${href}`;
/** What a person waits for on a loaded machine: the reports come from S3, the comparison is computed. */
const WAIT = { timeout: 30_000 };

async function shots3(name: string) {
  for (const width of [800, 1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    shots.push(await browser.screenshot(`${name}-${width}`));
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

describe("the seeded inventory of photos", () => {
  it("is offered on the inventory page, imported, and compared with a live pass with the report's caveat", async () => {
    await page.goto(url("/"));
    await page.getByRole("navigation").getByRole("link", { name: "Inventory" }).click();
    await page.waitForURL(/\/inventory$/);
    // The destination bucket is offered from the connection's buckets.
    await expect.poll(() => page.getByLabel("Destination bucket").inputValue(), WAIT).toBe(DEMO_INVENTORY.bucket);
    await page.getByTestId("find-reports").click();
    await page.waitForURL(/\/inventory\?connection=sandbox&bucket=inventory-reports/);
    const row = page.getByTestId("inventory-report");
    await expect.poll(() => row.count(), WAIT).toBe(1);
    const cells = await row.locator("td").allInnerTexts();
    expect(cells.slice(1, 7)).toEqual(["photos", DEMO_INVENTORY.configId, "CSV", "1", expect.stringMatching(/^[\d.]+ (B|KiB)$/), "current"]);
    await shots3("inventory-reports");

    await row.getByTestId("import-and-compare").click();
    await page.waitForURL(/\/compare\?/, { timeout: 60_000 });
    const a = page.getByTestId("pass-a");
    await expect.poll(() => a.getByTestId("inventory-label").innerText(), WAIT).toMatch(/^S3 Inventory as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (UTC|GMT[+-]\d{1,2}) · eventually consistent$/);
    expect(await a.getByTestId("inventory-label").getAttribute("title")).toBe(INVENTORY_CAVEAT);
    expect(await page.getByTestId("pass-b").getByTestId("inventory-label").count()).toBe(0);
    await expect.poll(() => page.getByTestId("count-removed").innerText(), WAIT).toMatch(/^removed\s+1\b/i);
    expect(await page.getByTestId("count-added").innerText()).toMatch(/^added\s+0\b/i);
    expect(await page.getByTestId("diff-notes").innerText()).toContain("is an S3 Inventory report as of");

    // The aligned view starts at the first key; "next change" brings the one difference into view.
    await page.getByTestId("next-change").click();
    const removed = page.locator(`[data-testid="diff-row"][data-key="${DEMO_INVENTORY.deletedSince}"]`);
    await expect.poll(() => removed.count(), WAIT).toBe(1);
    expect(await removed.getAttribute("data-kind")).toBe("removed");
    const caveat = removed.getByTestId("inventory-caveat");
    expect(await caveat.innerText()).toBe("only in the report · may be deleted since");
    expect(await caveat.getAttribute("title")).toBe(INVENTORY_CAVEAT);
    await removed.scrollIntoViewIfNeeded();
    await shots3("inventory-compare");

    // The inventory pass says what it is in the pass list and its own view.
    await page.goto(url("/passes"));
    const listed = page.locator('[data-kind="inventory"]');
    await expect.poll(() => listed.count(), WAIT).toBe(1);
    expect(await listed.getByTestId("pass-kind").innerText()).toMatch(/^inventory as of \d{4}-\d{2}-\d{2} /);
    await listed.getByRole("link").first().click();
    await expect.poll(() => page.getByTestId("inventory-progress").innerText(), WAIT).toMatch(/^1 of 1 data files .* · \d+ rows read$/);
    expect(await page.getByTestId("inventory-report").innerText()).toMatch(new RegExp(`^s3://${DEMO_INVENTORY.bucket}/${DEMO_INVENTORY.prefix}/photos/${DEMO_INVENTORY.configId}/.+/manifest\\.json$`));
    await shots3("inventory-pass");
  });

  it("exports a list pass as an S3 Inventory report into a bucket from the pass view", async () => {
    const id = await passes.startPass({ bucket: "demo" });
    expect((await passes.settled(id)).status).toBe("complete");
    await page.goto(url(`/passes/${id}`));
    const box = page.getByTestId("inventory-export");
    await box.locator("summary").click();
    await box.getByLabel("Bucket").selectOption(DEMO_INVENTORY.bucket);
    await box.getByLabel("Format").selectOption("CSV");
    await box.getByTestId("export-inventory").click();
    await expect.poll(() => box.getByTestId("inventory-exported").innerText(), { timeout: 30_000 }).toMatch(
      new RegExp(`^Written: s3://${DEMO_INVENTORY.bucket}/inventory/demo/bucketscope/\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}Z/manifest\\.json · 3,000 rows in 1 data file`),
    );
    await shots3("inventory-export");
    // Writing the same report again is refused, in place.
    await box.getByTestId("export-inventory").click();
    await expect.poll(() => box.getByRole("alert").innerText(), WAIT).toMatch(/A report already exists at s3:\/\//);

    // The same report as a download: the browser's own request passes the gate and saves a tar.
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), box.getByTestId("download-inventory").click()]);
    expect(download.suggestedFilename()).toMatch(/^demo-.*-inventory-csv\.tar$/);
    expect(await download.failure()).toBeNull();
    const saved = await download.path();
    const listed = execFileSync("tar", ["-tf", saved], { encoding: "utf8" }).trim().split("\n");
    expect(listed.filter((n) => /\/demo\/bucketscope\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/manifest\.(json|checksum)$/.test(n))).toHaveLength(2);
    expect(listed.filter((n) => n.endsWith(".csv.gz"))).toHaveLength(1);
  });
});
