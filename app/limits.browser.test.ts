import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { experimentCreatedSchema, passCreatedSchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { waitForListingComplete } from "@/scripts/testing/listing";
import { startStack, type Stack } from "@/scripts/testing/stack";

// Each limit answered where the person started the thing, in the server's words: "Start pass" on
// /passes, "Record a pass" in the bucket browser, the watch form, "Run experiment" in the race
// lab. The app runs with one pass and one experiment at a time, and both slots are taken by work on
// a bucket whose listings the sandbox slows down.

let stack: Stack | undefined;
let sandbox: Sandbox;
let app: RunningApp;
let browser: Browser;
let passId = "";
let experimentId = "";

const PASS_LIMIT = "1 pass is running, the most this server runs at once (BUCKETSCOPE_MAX_RUNNING_PASSES). Try again when one has ended, or cancel one.";

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${app.url}${url}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return res.json();
}

beforeAll(async () => {
  stack = await startStack("limits-ui", {
    prepare: (s) => {
      s.store.createBucket("slow");
      for (let i = 0; i < 60; i++) s.store.putObject({ bucket: "slow", key: `k${i}`, body: Buffer.from("x"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } });
    },
    env: () => ({ BUCKETSCOPE_MAX_RUNNING_PASSES: "1", BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS: "1" }),
  });
  ({ sandbox, app, browser } = stack);
  sandbox.faults.configure({ latencyMs: 1500, bucket: "slow" });
  passId = passCreatedSchema.parse(await post("/api/passes", { connection: "sandbox", bucket: "slow", pageSize: 1 })).id;
  experimentId = experimentCreatedSchema.parse(await post("/api/experiments", { connection: "sandbox", bucket: "slow", scenario: "churn", keyCount: 50, pageSize: 1, rate: 1 })).id;
});

afterAll(async () => {
  if (stack !== undefined) {
    const json = { "Content-Type": "application/json" };
    await fetch(`${app.url}/api/passes/${passId}/cancel`, { method: "POST", headers: json }).catch(() => undefined);
    await fetch(`${app.url}/api/experiments/${experimentId}`, { method: "DELETE", headers: json }).catch(() => undefined);
  }
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

describe("limits in the UI", () => {
  it("answers Start pass with the pass limit under the form", async () => {
    const page = browser.page;
    await page.goto(`${app.url}/passes`);
    const form = page.getByTestId("new-pass-form");
    await form.locator('input[name="bucket"]').fill("demo");
    await page.getByTestId("start-pass").click();
    await expect.poll(() => page.getByTestId("new-pass-error").textContent()).toBe(PASS_LIMIT);
    expect(page.url()).toBe(`${app.url}/passes`);
    await browser.screenshot("limits-start-pass");
  });

  it("answers Record a pass with the pass limit beside the button", async () => {
    const page = browser.page;
    await page.goto(`${app.url}/b/sandbox/demo`);
    await waitForListingComplete(page);
    await page.getByRole("button", { name: "Record a pass" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "BUCKETSCOPE_MAX_RUNNING_PASSES" });
    await expect.poll(() => alert.textContent()).toBe(PASS_LIMIT);
    expect(new URL(page.url()).pathname).toBe("/b/sandbox/demo");
    for (const width of [800, 1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await expect.poll(() => alert.isVisible()).toBe(true);
      // The refusal sits under the button; the breadcrumbs keep their width.
      const crumbs = await page.getByRole("link", { name: "sandbox", exact: true }).boundingBox();
      expect(crumbs?.height ?? 0).toBeLessThan(40);
      await browser.screenshot(`limits-record-listing-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it("answers a watch every 9 s in the watch form", async () => {
    const page = browser.page;
    await page.goto(`${app.url}/watches`);
    const form = page.getByTestId("watch-form");
    await form.getByPlaceholder("my-bucket").fill("demo");
    await form.getByLabel("Interval", { exact: true }).fill("9");
    await form.getByLabel("Interval unit").selectOption("seconds");
    await page.getByTestId("create-watch").click();
    await expect.poll(() => form.getByRole("alert").textContent()).toBe("A watch runs at most every 10 s (BUCKETSCOPE_MIN_WATCH_SECONDS); 9 s is too often.");
    await browser.screenshot("limits-watch-form");
  });

  it("answers Run experiment with the experiment limit in the race lab", async () => {
    const page = browser.page;
    await page.goto(`${app.url}/race`);
    await page.getByRole("button", { name: "Run experiment" }).click();
    const box = page.locator(".error-box").filter({ hasText: "BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS" });
    await expect
      .poll(() => box.textContent())
      .toBe("1 experiment is running, the most this server runs at once (BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS). Try again when one has ended, or stop one.");
    expect(new URL(page.url()).pathname).toBe("/race");
    await browser.screenshot("limits-race-lab");
  });
});
