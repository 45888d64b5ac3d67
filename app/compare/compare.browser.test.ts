import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { passSummarySchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import type { Browser } from "@/scripts/testing/browser";
import { startStack, type Stack } from "@/scripts/testing/stack";

// The compare view, the history page and its watches in Chromium against the built app (as
// `npm start` runs it) and a sandbox whose bucket is changed between two recorded passes.

let stack: Stack | undefined;
let sandbox: Sandbox;
let app: RunningApp;
let browser: Browser;
let page: Page;
let passA = "";
let passB = "";
let otherBucketPass = "";

const BUCKET = "shifts";
const T0 = new Date("2025-03-01T08:00:00.000Z");
const T1 = new Date("2025-03-02T08:00:00.000Z");
const KEYS = Array.from({ length: 45 }, (_, i) => `k-${String(i).padStart(3, "0")}`);
const meta = (storageClass = "STANDARD") => ({ contentType: "text/plain", userMetadata: {}, storageClass });

async function recordPass(bucket: string, pageSize: number): Promise<string> {
  const res = await fetch(`${app.url}/api/passes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket, pageSize }),
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
  stack = await startStack("compare-ui", {
    // The watch test below runs every 2 s so that several passes land within the test.
    env: () => ({ BUCKETSCOPE_MIN_WATCH_SECONDS: "1" }),
    prepare: (s) => {
      s.store.createBucket(BUCKET);
      s.store.writeAt(T0, () => {
        for (const key of KEYS) s.store.putObject({ bucket: BUCKET, key, body: Buffer.from(`v1 ${key}`), meta: meta() });
      });
    },
  });
  ({ sandbox, app, browser, page } = stack);

  passA = await recordPass(BUCKET, 10);
  // A key before all others moves B's first page boundaries one key earlier; a deletion on page 1
  // brings them back in step from page 2 on.
  sandbox.store.writeAt(T1, () => sandbox.store.putObject({ bucket: BUCKET, key: "j-first", body: Buffer.from("new"), meta: meta() }));
  sandbox.store.deleteObject(BUCKET, "k-012");
  sandbox.store.writeAt(T1, () => sandbox.store.putObject({ bucket: BUCKET, key: "k-030", body: Buffer.from("a longer second version"), meta: meta() }));
  sandbox.store.writeAt(T0, () => sandbox.store.putObject({ bucket: BUCKET, key: "k-033", body: Buffer.from("v1 k-033"), meta: meta("STANDARD_IA") }));
  passB = await recordPass(BUCKET, 10);
  otherBucketPass = await recordPass("demo", 1000);
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const url = (href: string) => `${app.url}${href}`;

interface Drawn {
  item: number;
  kind: string;
  key: string;
  changed: string;
  aPage: string;
  bPage: string;
}

/** What the compare table draws, in order: rows with their kind and page numbers (from 1), bands with the pages that begin. */
async function drawn(): Promise<Drawn[]> {
  return page.$$eval('[data-testid="diff-row"], [data-testid="diff-band"]', (els) =>
    els
      .map((el) => ({
        item: Number(el.getAttribute("data-item")),
        kind: el.getAttribute("data-testid") === "diff-band" ? "band" : (el.getAttribute("data-kind") ?? ""),
        key: el.getAttribute("data-key") ?? "",
        changed: el.getAttribute("data-changed") ?? "",
        aPage: el.getAttribute("data-a-page-number") ?? "",
        bPage: el.getAttribute("data-b-page-number") ?? "",
      }))
      .sort((x, y) => x.item - y.item),
  );
}

async function textOf(testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}

describe("the compare view", () => {
  it("shows the two passes side by side with each one's own page boundaries, and the shift between them", async () => {
    await page.goto(url(`/compare?a=${passA}&b=${passB}`));
    await page.locator('[data-testid="diff-row"]').first().waitFor({ timeout: 30_000 });
    expect(await textOf("count-added")).toContain("1");
    expect(await textOf("count-removed")).toContain("1");
    expect(await textOf("count-changed")).toMatch(/Changed\s*2/);
    expect(await textOf("count-shifts")).toMatch(/Page shifts\s*1/);
    expect(await textOf("pass-a")).toContain(passA);
    expect(await textOf("pass-b")).toContain(passB);

    const items = await drawn();
    const at = (key: string) => items.find((d) => d.kind !== "band" && d.key === key);
    const before = (key: string) => items.find((d) => d.item === (at(key)?.item ?? -1) - 1);
    // Page 2 of B begins one key earlier (k-009) than page 2 of A (k-010): the bands are out of step.
    expect(before("k-009")).toMatchObject({ kind: "band", aPage: "", bPage: "2" });
    expect(before("k-010")).toMatchObject({ kind: "band", aPage: "2", bPage: "" });
    expect(at("k-009")).toMatchObject({ kind: "unchanged", aPage: "1", bPage: "2" });
    expect(at("j-first")).toMatchObject({ kind: "added", aPage: "", bPage: "1" });
    expect(at("k-012")).toMatchObject({ kind: "removed", aPage: "2", bPage: "" });
    // The top band: both passes begin their page 1 (B with the new key).
    expect(items[0]).toMatchObject({ kind: "band", aPage: "", bPage: "1" });
    // What people read says the same numbers: the band's label and the row's page cell.
    expect(await page.locator('[data-testid="diff-band"][data-a-page-number="2"]').first().textContent()).toMatch(/A · page 2/);
    expect(await page.locator('[data-testid="diff-row"][data-key="k-009"] [data-side="b"]').textContent()).toMatch(/^p2/);
    await browser.screenshot("compare-aligned-page-shift");
  });

  it("filters to the changes, with the changed fields old → new, and keeps the filter in the URL", async () => {
    await page.getByTestId("only-changes").click();
    await page.waitForURL(/only=changes/);
    await expect.poll(async () => (await drawn()).filter((d) => d.kind !== "band").map((d) => [d.key, d.kind, d.changed])).toEqual([
      ["j-first", "added", ""],
      ["k-012", "removed", ""],
      ["k-030", "changed", "etag size lastModified"],
      ["k-033", "changed", "storageClass"],
    ]);
    const k030 = page.locator('[data-testid="diff-row"][data-key="k-030"]');
    expect(await k030.locator('[data-side="a"]').textContent()).toContain("8 B");
    expect(await k030.locator('[data-side="b"]').textContent()).toContain("23 B");
    expect(await k030.locator('[data-side="b"]').textContent()).toContain("2025-03-02 09:00:00");
    expect(await page.locator('[data-testid="diff-row"][data-key="k-033"] [data-side="b"]').textContent()).toContain("STANDARD_IA");
    await browser.screenshot("compare-changes-only");

    await page.reload();
    await page.locator('[data-testid="compare-table"][data-view="changes"] [data-testid="diff-row"]').first().waitFor();
    expect(await page.getByTestId("only-changes").getAttribute("aria-pressed")).toBe("true");
    expect((await drawn()).filter((d) => d.kind !== "band")).toHaveLength(4);
  });

  it("jumps from change to change in the aligned view, and the address keeps the position", async () => {
    await page.getByTestId("only-all").click();
    await page.waitForURL((u) => !u.search.includes("only="));
    // The rows of the view asked for, not the changes-only rows still drawn until it has loaded.
    await page.locator('[data-testid="compare-table"][data-view="all"] [data-testid="diff-row"]').first().waitFor();
    const current = async () => page.getAttribute('[data-testid="diff-row"][data-current="true"]', "data-key");
    await page.getByTestId("next-change").click();
    await expect.poll(current).toBe("j-first");
    await page.getByTestId("next-change").click();
    await expect.poll(current).toBe("k-012");
    await page.keyboard.press("n");
    await expect.poll(current).toBe("k-030");
    await page.keyboard.press("n");
    await expect.poll(current).toBe("k-033");
    await page.getByTestId("prev-change").click();
    await expect.poll(current).toBe("k-030");
    await expect.poll(() => new URL(page.url()).searchParams.get("row") !== null).toBe(true);
    const row = Number(new URL(page.url()).searchParams.get("row"));
    expect(row).toBeGreaterThan(10);

    await page.goto(page.url());
    await page.locator('[data-testid="diff-row"]').first().waitFor();
    await expect.poll(() => page.$eval('[data-testid="compare-scroller"]', (el) => el.scrollTop)).toBe(row * 26);
    await browser.screenshot("compare-after-jump");
  });

  it("explains a refused comparison and compares on request, labelled", async () => {
    await page.goto(url(`/compare?a=${passA}&b=${otherBucketPass}`));
    await page.getByTestId("compare-error").waitFor();
    expect(await textOf("compare-error")).toContain("different buckets");
    await page.getByTestId("compare-anyway").click();
    await page.waitForURL(/allowDifferentBuckets=1/);
    await page.getByTestId("diff-notes").waitFor();
    expect(await textOf("diff-notes")).toContain("different buckets");
    expect(await textOf("count-added")).toContain("3,000");
  });
});

describe("the history of a prefix", () => {
  it("charts the passes and their changes, and opens the comparison of two selected passes", async () => {
    await page.goto(url(`/b/sandbox/${BUCKET}`));
    await page.getByTestId("history-link").click();
    await page.waitForURL(new RegExp(`/b/sandbox/${BUCKET}/history`));
    await page.locator('[data-testid="history-charts"] svg').first().waitFor();
    expect(await page.locator('[data-testid="history-charts"] .recharts-surface').count()).toBe(3);
    expect(await page.locator('[data-testid="history-charts"] circle[data-status="complete"]').count()).toBe(2);
    const rows = page.locator('[data-testid="history-table"] tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getByTestId("history-changes").textContent()).toBe("+1 −1 ~2");
    expect(await rows.nth(1).getByTestId("history-changes").textContent()).toBe("first");
    await browser.screenshot("history-two-passes");

    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    await page.getByTestId("compare-selected").click();
    await page.waitForURL(new RegExp(`/compare\\?a=${passA}&b=${passB}`));
    await page.locator('[data-testid="diff-row"]').first().waitFor();
  });

  it("starts a watch every 2 seconds whose passes appear in the history as they land, then pauses and deletes it", async () => {
    await page.goto(url(`/b/sandbox/${BUCKET}/history`));
    await page.getByTestId("watch-form").waitFor();
    await page.getByLabel("Interval", { exact: true }).fill("2");
    await page.getByLabel("Interval unit").selectOption("seconds");
    await page.getByLabel("Watch page size").selectOption("10");
    await page.getByTestId("create-watch").click();
    await page.locator('[data-testid="watch-list"] tr[data-state="active"]').waitFor();
    await expect
      .poll(() => page.locator('[data-testid="history-table"] tbody tr').count(), { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(4);
    await expect
      .poll(() => page.locator('[data-testid="history-table"] tbody tr[data-changes="ready"]').count(), { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(2);
    await browser.screenshot("history-watched");

    await page.getByTestId("toggle-watch").click();
    await page.locator('[data-testid="watch-list"] tr[data-state="paused"]').waitFor();
    await page.goto(url("/watches"));
    await page.locator('[data-testid="watch-list"] tr[data-state="paused"]').waitFor();
    expect(await page.locator('[data-testid="watch-list"] tbody tr').first().textContent()).toContain(`${BUCKET}/`);
    await browser.screenshot("watches-page");
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByTestId("confirm-delete-watch").click();
    await page.getByText("No watches yet").waitFor();
  });
});
