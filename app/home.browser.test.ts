import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { passCreatedSchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The home page in Chromium: connections with their buckets, each connection's failure shown in its
// own card, and the recent passes.

let stack: Stack | undefined;
let sandbox: Sandbox;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack("home-ui", {
    env: ({ endpoint, accessKeyId }, dataDir) => {
      const emptyAwsConfig = path.join(dataDir, "aws-config");
      writeFileSync(emptyAwsConfig, "");
      return {
        AWS_CONFIG_FILE: emptyAwsConfig,
        AWS_SHARED_CREDENTIALS_FILE: emptyAwsConfig,
        AWS_EC2_METADATA_DISABLED: "true",
        BUCKETSCOPE_CONNECTIONS: JSON.stringify([
          { name: "wrong-secret", endpoint, accessKeyId, secretAccessKey: "not-the-secret" },
          { name: "endpoint-down", endpoint: "http://127.0.0.1:9", accessKeyId: "x", secretAccessKey: "y" },
          { name: "no-credentials", endpoint, profile: "missing-profile" },
        ]),
      };
    },
  });
  ({ sandbox, app, browser } = stack);
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

describe("the home page", () => {
  it("lists connections with their kind, region and access, their buckets, errors in place, and recent passes", async () => {
    const res = await fetch(`${app.url}/api/passes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", pageSize: 1000 }),
    });
    expect(res.status).toBe(201);
    const { id } = passCreatedSchema.parse(await res.json());

    const page = browser.page;
    await page.goto(app.url);
    const card = (name: string) => page.locator(`[data-testid="connection-card"][data-connection="${name}"]`);

    await card("sandbox").getByTestId("bucket-link").first().waitFor();
    const sandboxCard = (await card("sandbox").textContent()) ?? "";
    expect(sandboxCard).toContain("sandbox");
    expect(sandboxCard).toContain("writable");
    expect(sandboxCard).toContain(sandbox.region);
    expect(await card("sandbox").getByTestId("bucket-link").allTextContents()).toEqual(expect.arrayContaining(["demo", "photos", "unicode", "versioned"]));
    expect(await card("wrong-secret").textContent()).toContain("read-only");
    expect(await card("wrong-secret").textContent()).toContain("S3-compatible");

    const errorOf = (name: string) => card(name).getByTestId("connection-error");
    await errorOf("wrong-secret").waitFor();
    expect(await errorOf("wrong-secret").textContent()).toMatch(/^Access denied/);
    await errorOf("endpoint-down").waitFor({ timeout: 60_000 });
    expect(await errorOf("endpoint-down").textContent()).toMatch(/^Endpoint unreachable/);
    await errorOf("no-credentials").waitFor();
    expect(await errorOf("no-credentials").textContent()).toMatch(/credentials/i);

    const passLink = page.getByTestId("recent-passes").getByRole("link", { name: id });
    await passLink.waitFor();
    // The pass was still running when the page loaded; the list follows it until it completes.
    await expect.poll(() => page.getByTestId("recent-passes").textContent(), { timeout: 60_000 }).toMatch(/^Status.*complete/);
    expect(await passLink.getAttribute("href")).toBe(`/passes/${encodeURIComponent(id)}`);
    await browser.screenshot("home");

    await card("sandbox").getByTestId("bucket-link").filter({ hasText: /^photos$/ }).click();
    await page.waitForURL(/\/b\/sandbox\/photos$/);
    await page.locator('[data-testid="folder-row"]').first().waitFor();
  });
});

