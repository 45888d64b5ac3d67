import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { passCreatedSchema, passSummarySchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The dashboard in Chromium with an access token and its Content-Security-Policy: sign-in (that
// keeps `next` on our origin), every screen with its charts, styles, fonts, the object panel and a
// download, without a single CSP violation, and sign-out.

const token = "browser-security-token";
let stack: Stack | undefined;
let app: RunningApp;
let browser: Browser;
const violations: string[] = [];

beforeAll(async () => {
  stack = await startStack("security-ui", { env: () => ({ BUCKETSCOPE_ACCESS_TOKEN: token }) });
  ({ app, browser } = stack);
  const page = browser.page;
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  await page.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) => {
      (window.__cspViolations ??= []).push(e.violatedDirective + " " + e.blockedURI);
    });`,
  });
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const url = (p: string) => `${app.url}${p}`;

async function api(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url(path), {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function recordPass(bucket: string): Promise<string> {
  const { id } = passCreatedSchema.parse(await api("/api/passes", { connection: "sandbox", bucket, pageSize: 7 }));
  for (;;) {
    const s = passSummarySchema.parse(await api(`/api/passes/${id}`));
    if (s.status !== "running") return id;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pageViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

async function visit(page: Page, path: string, ready: string): Promise<void> {
  await page.goto(url(path));
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  expect(await pageViolations(page), path).toEqual([]);
}

describe("the dashboard under its CSP", () => {
  it("signs in from /signin?next=/%09/evil.example and stays on its own origin", async () => {
    const page = browser.page;
    await page.goto(url("/signin?next=/%09/evil.example"));
    await page.getByLabel("Access token").waitFor();
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await page.getByLabel("Access token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("That token is not right.").waitFor();
    await browser.screenshot("signin-refused");

    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/" && u.origin === new URL(app.url).origin);
    await page.locator('[data-testid="connection-card"]').first().waitFor();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(await pageViolations(page)).toEqual([]);
    for (const width of [800, 1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await browser.screenshot(`signed-in-home-${width}`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it("renders every screen with its styles, fonts, charts and the object panel, with no violation", async () => {
    const page = browser.page;
    const a = await recordPass("photos");
    const b = await recordPass("photos");
    const experiment = (await api("/api/experiments", {
      connection: "sandbox",
      bucket: "demo",
      scenario: "custom",
      keyCount: 20,
      pageSize: 5,
      steps: [{ afterPage: 1, op: "delete", key: "obj_0015" }],
    })) as { id: string };

    await visit(page, "/", '[data-testid="connection-card"]');
    // Styles from /_next/static and the self-hosted fonts load under default-src 'self'.
    const look = await page.evaluate(async () => {
      await document.fonts.ready;
      return {
        font: getComputedStyle(document.body).fontFamily,
        background: getComputedStyle(document.body).backgroundColor,
        inter: document.fonts.check("14px 'Inter Variable'"),
        loaded: [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family),
      };
    });
    expect(look.font).toContain("Inter Variable");
    expect(look.background).toBe("rgb(247, 247, 245)");
    expect(look.loaded.some((f) => f.includes("Inter Variable"))).toBe(true);

    await visit(page, "/b/sandbox/demo?key=obj_0000", '[data-testid="download-link"]');
    const href = await page.locator('[data-testid="download-link"]').getAttribute("href");
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/demo\/obj_0000\?/);
    // The presigned download is the sandbox's own origin: a navigation, not governed by our CSP.
    const download = await page.context().request.get(href ?? "");
    expect(download.status()).toBe(200);

    await visit(page, `/passes/${a}`, ".recharts-surface");
    await visit(page, `/passes/${a}?tab=pages`, '[data-testid="pages-table"]');
    await visit(page, "/passes", '[data-testid="pass-list"] tr[data-pass]');
    await visit(page, `/compare?a=${a}&b=${b}`, '[data-testid="compare-scroller"], [data-testid="compare-empty"]');
    await visit(page, "/b/sandbox/photos/history", '[data-testid="history-charts"] .recharts-surface');
    await visit(page, "/watches", "main h1");
    await visit(page, "/race", "main h1");
    await visit(page, `/race/${experiment.id}`, '[data-testid="spacetime"] svg');
    expect(violations).toEqual([]);
  });

  it("signs out: the session ends and pages ask for the token again", async () => {
    const page = browser.page;
    await page.goto(url("/"));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/signin");
    await page.goto(url("/passes"));
    await page.waitForURL((u) => u.pathname === "/signin" && u.searchParams.get("next") === "/passes");
    expect(violations).toEqual([]);
  });
});
