import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";

// What a person sees when the server ends a listing early: the pass view and the bucket browser
// say so in words, in Chromium against the built app and a sandbox switched to answer like such a
// server (OpenStack Swift's s3api, as issue 11 found it).

let stack: Stack | undefined;
let sandbox: Sandbox;
let app: RunningApp;
let passes: ReturnType<typeof passApi>;
let browser: Browser;
let page: Page;
const shots: string[] = [];
const KEYS = Array.from({ length: 29 }, (_, i) => `photo-${String(i).padStart(2, "0")}.jpg`);
const meta = { contentType: "image/jpeg", userMetadata: {}, storageClass: "STANDARD" };

beforeAll(async () => {
  stack = await startStack("short-listing-ui", {
    prepare: (s) => {
      s.store.createBucket("swift");
      s.store.setVersioning("swift", "Enabled");
      s.store.writeAt(new Date(Date.now() - 3_600_000), () => {
        for (const key of KEYS) s.store.putObject({ bucket: "swift", key, body: Buffer.from(key), meta });
      });
    },
  });
  ({ sandbox, app, browser, page } = stack);
  passes = passApi(app.url);
});

afterAll(async () => {
  await stack?.close();
  if (shots.length > 0) console.log(`screenshots:\n  ${shots.join("\n  ")}`);
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
  sandbox.faults.clear();
});

const url = (href: string) => `${app.url}${href}`;
/** A loaded machine renders slowly: wait for conditions, never for a time. */
const WAIT = 30_000;

async function shot(name: string) {
  shots.push(await browser.screenshot(name));
}

describe("a snapshot pass the server cut short", () => {
  it("says the listing ended early, why, and marks the pages: a repaired marker, then the short end", async () => {
    sandbox.faults.configure({ versionsEndEarly: "null-marker" });
    const id = await passes.startPass({ kind: "snapshot", bucket: "swift", pageSize: 7 });
    expect(await passes.settled(id)).toMatchObject({ status: "failed", error: { code: "short_listing" } });
    await page.goto(url(`/passes/${id}?tab=pages`));
    await expect.poll(() => page.getByTestId("pass-status").textContent(), { timeout: WAIT }).toBe("failed");
    const why = page.getByTestId("pass-explanation");
    await expect.poll(() => why.textContent(), { timeout: WAIT }).toMatch(/^The server ended the listing early/);
    expect(await why.textContent()).toContain('ListObjectsV2 still lists "photo-07.jpg" after the last key listed ("photo-06.jpg")');
    expect(await why.textContent()).toContain("It stops here as failed rather than end complete and short. Resume continues after the last key recorded");
    const flags = page.getByTestId("pass-flags");
    expect(await flags.textContent()).toContain("NextVersionIdMarker was missing although the last version listed");
    // The pages table loads apart from the pass's summary: wait for its rows.
    await expect.poll(() => page.getByTestId("page-flag").allTextContents(), { timeout: WAIT }).toEqual(["marker repaired"]);
    expect(await page.locator('[data-testid="pages-table"] [data-page-number="2"]').textContent()).toContain("ended early");
    for (const width of [1440, 1024, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(`short-listing-pass-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.locator('[data-testid="pages-table"] [data-page-number="2"]').click();
    await expect.poll(() => page.getByTestId("page-detail").textContent(), { timeout: WAIT }).toContain("The server ended the listing early");
    await page.getByTestId("pages-table").scrollIntoViewIfNeeded();
    await shot("short-listing-pages");
  });

  it("shows the cross-check that found the keys the versions listing left out", async () => {
    sandbox.faults.configure({ versionsEndEarly: "untruncated" });
    const id = await passes.startPass({ kind: "snapshot", bucket: "swift", pageSize: 7 });
    expect(await passes.settled(id)).toMatchObject({ status: "failed", error: { code: "short_listing" } });
    await page.goto(url(`/passes/${id}`));
    const check = page.getByTestId("pit-cross-check");
    await expect.poll(() => check.textContent(), { timeout: WAIT }).toMatch(/^The versions listing is short: 22 of the 29 keys ListObjectsV2 lists are missing from it/);
    expect(await check.textContent()).toContain("“photo-07.jpg”, “photo-08.jpg”");
    await shot("short-listing-cross-check");
  });

  it("says the cross-check found nothing missing on a server that keeps its place", async () => {
    const id = await passes.startPass({ kind: "snapshot", bucket: "swift", pageSize: 7 });
    expect(await passes.settled(id)).toMatchObject({ status: "complete" });
    await page.goto(url(`/passes/${id}`));
    await expect.poll(() => page.getByTestId("pit-cross-check").textContent(), { timeout: WAIT }).toMatch(/^Cross-checked: ListObjectsV2 of the same prefix, read after the walk, listed 29 keys, none missing/);
    expect(await page.getByTestId("pass-flags").count()).toBe(0);
  });
});

describe("the bucket browser on a server that ends ListObjectsV2 early", () => {
  it("says the listing ended early instead of showing a complete, short folder", async () => {
    sandbox.faults.configure({ listEndEarly: true });
    await page.goto(url("/b/sandbox/swift?pageSize=7&flat=1"));
    const status = page.getByTestId("listing-status");
    await expect.poll(() => status.getAttribute("data-phase"), { timeout: WAIT }).toBe("failed");
    expect(await status.textContent()).toContain("Listing ended early: the server stopped short, so this is not every key");
    expect(await status.textContent()).toContain('still lists "photo-07.jpg" after the last key listed ("photo-06.jpg")');
    await shot("short-listing-browse");
  });
});
