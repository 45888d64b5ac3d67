import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { browseHref } from "@/components/browser/search-params";
import type { RunningApp } from "@/scripts/testing/app";
import { setTimeMode, type Browser } from "@/scripts/testing/browser";
import { afterNewListing, waitForListingComplete } from "@/scripts/testing/listing";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The bucket as of T in Chromium against the built app: the seeded `versioned` bucket, whose history
// is written at known times (seedVersioned in lib/sandbox/seed.ts), plus one key changed in T's own
// second so the banner and the row show a tie.

let stack: Stack | undefined;
let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack("as-of-ui", {
    prepare: (s) => {
      const put = (when: string, body: string) =>
        s.store.writeAt(new Date(when), () =>
          s.store.putObject({ bucket: "versioned", key: "tie.txt", body: Buffer.from(body), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }),
        );
      put("2024-01-31T00:00:00Z", "first\n");
      put("2024-02-15T00:00:00Z", "written in T's own second\n");
    },
  });
  ({ app, browser, page } = stack);
  // The seed's history is written in UTC; the switch to local time has its own test below.
  await setTimeMode(browser.context, app.url, "utc");
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const url = (href: string) => `${app.url}${href}`;

const waitForComplete = (timeout?: number) => waitForListingComplete(page, timeout);

async function objects(): Promise<{ key: string; version: string; tie: boolean }[]> {
  return page.$$eval('[data-testid="object-row"]', (els) =>
    els.map((el) => ({ key: el.getAttribute("data-key") ?? "", version: el.getAttribute("data-version") ?? "", tie: el.getAttribute("data-tie") === "1" })),
  );
}

async function folders(): Promise<string[]> {
  return page.$$eval('[data-testid="folder-row"]', (els) => els.map((el) => el.getAttribute("data-key") ?? ""));
}

describe("the bucket as of T", () => {
  it("shows the keys present at T with their versions, folders with history, the banner and the tie at T", async () => {
    await page.goto(url("/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z"));
    await waitForComplete();
    const shown = await objects();
    expect(shown.map((o) => o.key)).toEqual(["config.json", "draft.md", "legacy.txt", "report.csv", "tie.txt"]);
    expect(shown.every((o) => o.version !== "" && o.version !== "null")).toBe(true);
    expect(shown.filter((o) => o.tie).map((o) => o.key)).toEqual(["tie.txt"]);
    expect(await folders()).toEqual(["logs/", "photos/"]);
    expect(await page.getByTestId("as-of-title").textContent()).toBe("The bucket as of 2024-02-15 00:00:00 UTC (server clock)");
    expect(await page.getByTestId("as-of-clock").textContent()).toMatch(/^server clock: (no measurable offset from ours, within ± [\d.]+ m?s|[\d.]+ m?s (ahead of|behind) ours ± [\d.]+ m?s)/);
    expect(await page.getByTestId("as-of-counts").textContent()).toMatch(/2 keys with history absent at T · 1 tie$/);
    expect(await page.getByTestId("as-of-tie").textContent()).toMatch(/^tie\.txt: at T version \S+, 2024-02-15 00:00:00 UTC; if the change came just after T, version \S+, 2024-01-31 00:00:00 UTC$/);
    expect(await page.getByTestId("folder-row").first().textContent()).toContain("folder · history");
    expect(await page.getByRole("columnheader", { name: "Version at T" }).count()).toBe(1);
    await page.getByTestId("as-of-limits").locator("summary").click();
    expect(await page.getByTestId("as-of-limits").textContent()).toMatch(/1-second resolution/);
    await browser.screenshot("as-of-versioned-2024-02-15");

    // The object's details are the version current at T, and so is the download.
    const report = shown.find((o) => o.key === "report.csv");
    await page.locator('[data-testid="object-row"][data-key="report.csv"] a').click();
    await page.waitForURL((u) => u.searchParams.get("key") === "report.csv" && u.searchParams.get("version") === report?.version);
    const head = page.getByTestId("object-head");
    await head.waitFor();
    await expect.poll(() => head.textContent()).toContain(report?.version ?? "missing");
    const href = await page.getByTestId("download-link").getAttribute("href");
    expect(await (await fetch(href ?? "")).text()).toBe("month,total\njan,100\nfeb,140\n");
    await browser.screenshot("as-of-object-version");
  });

  it("changes the listing when T changes through the control, says an opened folder was empty at T, and leaves with Now", async () => {
    await page.goto(url("/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z"));
    await waitForComplete();
    const input = page.getByLabel("As of time");
    // A date alone is its midnight, in the app's zone (UTC here); what it stands for is said before Apply.
    await input.fill("2024-01-11");
    await expect.poll(() => page.getByTestId("as-of-preview").textContent()).toBe("= 2024-01-11 00:00:00 UTC");
    await afterNewListing(page, async () => {
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL((u) => u.searchParams.get("asOf") === "2024-01-11T00:00:00.000Z");
    });
    const jan = await objects();
    expect(jan.map((o) => o.key)).toEqual(["legacy.txt", "report.csv"]);
    expect(jan[0]?.version).toBe("null");
    expect(await folders()).toEqual(["logs/", "photos/"]);

    await afterNewListing(page, async () => {
      await page.locator('[data-testid="folder-row"][data-key="logs/"] a').click();
      await page.waitForURL((u) => u.searchParams.get("prefix") === "logs/");
    });
    expect(await page.getByTestId("listing-notice").textContent()).toBe("Nothing under this folder existed at T.");
    await browser.screenshot("as-of-empty-folder");

    await input.fill("15 Feb 2024");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("as-of-problem").textContent()).toMatch(/^type a date \(2024-03-01\) or a date and time/);
    // Before the bucket existed: said before Apply, from the bucket's creation date.
    await input.fill("2023-12-01 08:30");
    await expect.poll(() => page.getByTestId("as-of-preview").textContent()).toBe(
      "2023-12-01 08:30:00 UTC is before this bucket was created (2024-01-02 09:00:00 UTC): it held nothing then",
    );
    // The note floats over the toolbar while T is typed; once the focus leaves, the toolbar is free.
    expect(await page.getByTestId("as-of-preview").isVisible()).toBe(true);
    await input.blur();
    await expect.poll(() => page.getByTestId("as-of-preview").isVisible()).toBe(false);
    await input.focus();
    // A time still to come is refused before Apply too.
    await input.fill("2999-01-01");
    await expect.poll(() => page.getByTestId("as-of-problem").textContent()).toBe("2999-01-01 00:00:00 UTC is still to come: pick a moment in the past");
    // The picker fills the box with the time picked, in the same zone.
    await page.getByLabel("Pick the as-of time").fill("2024-02-15T12:30:05");
    await expect.poll(() => input.inputValue()).toBe("2024-02-15 12:30:05");
    await browser.screenshot("as-of-control-preview");

    await page.getByRole("button", { name: "Now" }).click();
    await page.waitForURL((u) => !u.searchParams.has("asOf") && u.searchParams.get("prefix") === "logs/");
    await waitForComplete();
    expect((await objects()).map((o) => o.key)).toEqual(["logs/2024-01.log", "logs/2024-02.log"]);
    expect(await page.getByTestId("as-of-banner").count()).toBe(0);
  });

  it("explains a bucket without versioning, a time still to come and a malformed time in place, with a way back to the live view", async () => {
    await page.goto(url("/b/sandbox/demo?asOf=2024-02-15T00:00:00Z"));
    const box = page.getByTestId("browse-error");
    await box.waitFor();
    expect(await box.textContent()).toMatch(/has no history to go back in time with.*never had versioning enabled/);
    await browser.screenshot("as-of-not-versioned");
    await page.getByTestId("browse-live-link").click();
    await page.waitForURL((u) => u.pathname === "/b/sandbox/demo" && !u.searchParams.has("asOf"));
    await waitForComplete();
    expect(await page.getByTestId("listing-figures").textContent()).toMatch(/^3 pages · 3,000 keys/);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    await page.goto(url(browseHref("sandbox", "versioned", { asOf: future })));
    await box.waitFor();
    expect(await box.textContent()).toMatch(/is in the future/);

    await page.goto(url("/b/sandbox/versioned?asOf=yesterday"));
    await box.waitFor();
    expect(await box.textContent()).toMatch(/asOf “yesterday”: the time must be an ISO 8601 instant with a zone/);
    expect(await page.getByLabel("As of time").count()).toBe(1);
  });

  it("shows T and the control in local time when the app is switched to it, the URL staying in UTC", async () => {
    await setTimeMode(browser.context, app.url, "local");
    await page.goto(url("/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z"));
    await waitForComplete();
    // The browser runs in Europe/Berlin.
    await expect.poll(() => page.getByTestId("as-of-title").textContent()).toBe("The bucket as of 2024-02-15 01:00:00 GMT+1 (server clock)");
    await expect.poll(() => page.getByLabel("As of time").inputValue()).toBe("2024-02-15 01:00:00");
    expect(await page.getByRole("columnheader", { name: /Last modified/ }).textContent()).toBe("Last modified (Berlin)");
    await page.getByLabel("As of time").fill("2024-02-15 02:00");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((u) => u.searchParams.get("asOf") === "2024-02-15T01:00:00.000Z");
    await setTimeMode(browser.context, app.url, "utc");
  });

  it("records a snapshot pass at T and opens it", async () => {
    await page.goto(url("/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z"));
    await waitForComplete();
    const posted = page.waitForRequest((r) => r.url().endsWith("/api/passes") && r.method() === "POST");
    await page.getByRole("button", { name: "Record a snapshot pass at T" }).click();
    const body: unknown = (await posted).postDataJSON();
    expect(body).toEqual({ kind: "snapshot", asOf: "2024-02-15T00:00:00.000Z", connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 1000 });
    await page.waitForURL(/\/passes\/[^/]+$/, { timeout: 30_000 });
  });
});
