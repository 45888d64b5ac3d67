import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { DEMO_INVENTORY } from "@/lib/sandbox/seed";
import { experimentCreatedSchema, experimentDetailSchema, inventoryReportsResponseSchema, watchSchema } from "@/lib/wire";
import path from "node:path";
import { artifactsDir } from "@/scripts/testing/browser";
import { waitForListingComplete } from "@/scripts/testing/listing";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";

// Every screen at 800, 1024 and 1440 px wide, captured into test-results/screen-*.png to be looked
// at, and what must hold at those sizes checked on the way: keys readable at 800 px, controls that
// cannot work offered disabled with their reason, every unknown id a 404 page with a way back, and
// the history split into series by setting. The app asks for an access token, so sign-in is a screen.

const TOKEN = "screens-test-token-0123";
const WIDTHS = [800, 1024, 1440] as const;
const AUTH = { Authorization: `Bearer ${TOKEN}` };

let stack: Stack | undefined;
let page: Page;
let base: string;
const ids: Record<string, string> = {};

const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };

beforeAll(async () => {
  stack = await startStack("screens", { env: () => ({ BUCKETSCOPE_ACCESS_TOKEN: TOKEN }) });
  page = stack.page;
  base = stack.app.url;
  const { api, startPass, settled } = passApi(base, AUTH);
  const pass = async (name: string, params: Parameters<typeof startPass>[0]) => {
    ids[name] = await startPass(params);
    expect((await settled(ids[name])).status).toBe("complete");
  };
  await pass("flat1000", { bucket: "demo", pageSize: 1000 });
  await pass("flat100", { bucket: "demo", pageSize: 100 });
  await pass("folders", { bucket: "demo", pageSize: 1000, delimiter: "/" });
  const { store } = stack.sandbox;
  store.putObject({ bucket: "demo", key: "obj_0500", body: Buffer.from("changed"), meta });
  store.putObject({ bucket: "demo", key: "obj_1500a", body: Buffer.from("new"), meta });
  store.deleteObject("demo", "obj_2000");
  await pass("flat1000b", { bucket: "demo", pageSize: 1000 });
  await pass("flat100b", { bucket: "demo", pageSize: 100 });
  await pass("photos", { bucket: "photos", pageSize: 50 });
  const { reports } = await api(`/api/inventory/reports?connection=sandbox&bucket=${DEMO_INVENTORY.bucket}`, inventoryReportsResponseSchema);
  await pass("inventory", { kind: "inventory", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: reports[0]?.manifestKey ?? "" } });
  await pass("versionedList", { bucket: "versioned", pageSize: 1000 });
  await pass("snapshot", { bucket: "versioned", kind: "snapshot" });
  const watch = await api("/api/watches", watchSchema, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket: "photos", prefix: "2019/", everySeconds: 3600, paused: true }),
  });
  ids.watch = watch.id;
  const { id } = await api("/api/experiments", experimentCreatedSchema, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket: "demo", scenario: "seed", latencyMs: 200 }),
  });
  ids.experiment = id;
  for (;;) {
    const d = await api(`/api/experiments/${id}`, experimentDetailSchema);
    if (d.experiment.status !== "running") break;
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${stack?.app.output().slice(-4000)}`));
});

async function at(width: number): Promise<void> {
  await page.setViewportSize({ width, height: width === 1024 ? 768 : 900 });
}

/** Opens `href` at each width, waits for `ready`, and saves the whole page as test-results/screen-{name}-{width}.png. */
async function capture(name: string, href: string, ready: (page: Page) => Promise<void>): Promise<void> {
  for (const width of WIDTHS) {
    await at(width);
    await page.goto(`${base}${href}`);
    await ready(page);
    await page.screenshot({ path: path.join(artifactsDir, `screen-${name}-${width}.png`), fullPage: true });
  }
}

/** Whether a table shows every column it keeps at this width without scrolling sideways. */
const fitsItsBox = (p: Page, testId: string) =>
  p.getByTestId(testId).evaluate((table) => {
    const box = table.parentElement;
    return box !== null && box.scrollWidth <= box.clientWidth + 1;
  });

const testId = (id: string) => async (p: Page) => void (await p.getByTestId(id).first().waitFor());

describe("every screen at 800, 1024 and 1440 px", () => {
  it("asks for the access token, then lets the user in", async () => {
    await capture("signin", "/signin", async (p) => void (await p.locator('input[name="token"]').waitFor()));
    await page.locator('input[name="token"]').fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Connections" }).waitFor();
  });

  it("shows the compare view's changed key on both sides at 800 px", async () => {
    await at(800);
    await page.goto(`${base}/compare?a=${ids.flat1000}&b=${ids.flat1000b}&only=changes`);
    const row = page.locator('[data-testid="diff-row"][data-key="obj_0500"]');
    await row.waitFor();
    expect(await row.getAttribute("data-kind")).toBe("changed");
    for (const side of ["a", "b"]) {
      const key = row.locator(`[data-side="${side}"] > :nth-child(2)`);
      expect(await key.textContent()).toBe("obj_0500");
      expect(await key.isVisible()).toBe(true);
      // Shown whole, not cut to an ellipsis.
      expect(await key.evaluate((el) => el.scrollWidth <= el.clientWidth && el.clientWidth > 0)).toBe(true);
    }
    const added = page.locator('[data-testid="diff-row"][data-key="obj_1500a"] [data-side="b"] > :nth-child(2)');
    expect(await added.evaluate((el) => el.scrollWidth <= el.clientWidth && el.clientWidth > 0)).toBe(true);
  });

  it("keeps the listing's names readable at 800 px, in the browser and the as-of view", async () => {
    await at(800);
    for (const href of ["/b/sandbox/demo?flat=1", "/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z"]) {
      await page.goto(`${base}${href}`);
      await waitForListingComplete(page);
      const name = page.locator('[data-testid="object-row"] [role="cell"]').first();
      // "obj_0000" or "config.json": whole, with room to spare.
      expect(await name.evaluate((el) => el.clientWidth)).toBeGreaterThan(250);
    }
  });

  it("offers As of and Snapshot at this pass's start disabled, with the reason, on a bucket never versioned", async () => {
    await at(1440);
    await page.goto(`${base}/b/sandbox/demo`);
    await waitForListingComplete(page);
    expect(await page.getByLabel("As of time").isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Apply" }).isDisabled()).toBe(true);
    const why = page.getByTestId("as-of-unavailable");
    expect(await why.isVisible()).toBe(true);
    expect(await why.getAttribute("title")).toMatch(/“demo” has never had versioning enabled/);
    await page.goto(`${base}/b/sandbox/versioned`);
    await waitForListingComplete(page);
    expect(await page.getByLabel("As of time").isDisabled()).toBe(false);
    expect(await page.getByTestId("as-of-unavailable").count()).toBe(0);

    await page.goto(`${base}/passes/${ids.flat1000}`);
    expect(await page.getByTestId("snapshot-at-start").isDisabled()).toBe(true);
    expect(await page.getByTestId("snapshot-unavailable").getAttribute("title")).toMatch(/never had versioning enabled/);
    await page.goto(`${base}/passes/${ids.versionedList}`);
    expect(await page.getByTestId("snapshot-at-start").isDisabled()).toBe(false);
  });

  it("answers every unknown id with a 404 page and a way back", async () => {
    const cases: [string, string, string][] = [
      ["/race/unknown", "/race", "unknown-experiment"],
      ["/passes/unknown", "/passes", "unknown-pass"],
      ["/compare?a=unknown&b=" + ids.flat1000, "/passes", "unknown-compare"],
      ["/b/sandbox/nope", "/", "unknown-bucket"],
      ["/b/sandbox/nope/history", "/", "unknown-bucket"],
      ["/b/nowhere/demo", "/", "unknown-connection"],
      ["/b/nowhere/demo/history", "/", "unknown-connection"],
      ["/no/such/page", "/", "not-found"],
    ];
    for (const [href, back, id] of cases) {
      const res = await fetch(`${base}${href}`, { headers: AUTH });
      expect(res.status, href).toBe(404);
      await page.goto(`${base}${href}`);
      await page.getByTestId(id).waitFor();
      const links = await page.getByTestId(id).locator("a").evaluateAll((els) => els.map((e) => e.getAttribute("href")));
      expect(links, href).toContain(back);
      // No toolbar of a bucket that is not there.
      expect(await page.getByRole("toolbar").count()).toBe(0);
    }
    await page.goto(`${base}/compare?a=unknown&b=${ids.flat1000}`);
    await expect.poll(() => page.getByTestId("unknown-compare").textContent()).toMatch(/no pass with id “unknown”, so/);
  });

  it("shows the history in series, one setting each; page shifts only between passes of one page size", async () => {
    await at(1024);
    await page.goto(`${base}/b/sandbox/demo/history`);
    const series = page.getByTestId("history-series");
    await series.waitFor();
    // Each series: its setting, its pass count and what it takes on disk.
    expect(await series.locator("a").allTextContents()).toEqual([
      expect.stringMatching(/^flat \(every key\) · pages of 100 2 · [\d.,]+ (B|KiB|MiB)$/),
      expect.stringMatching(/^flat \(every key\) · pages of 1,000 2 · [\d.,]+ (B|KiB|MiB)$/),
      expect.stringMatching(/^folders by “\/” · pages of 1,000 1 · [\d.,]+ (B|KiB|MiB)$/),
    ]);
    // The series of the most recent pass is shown first: pages of 100.
    expect(await series.locator('a[aria-current="page"]').getAttribute("data-page-size")).toBe("100");
    const rows = page.locator('[data-testid="history-table"] tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-pass"), tr.getAttribute("data-changes")]))).toEqual([
      [ids.flat100b, "ready"],
      [ids.flat100, "first"],
    ]);
    await series.locator('a[data-page-size="1000"][data-delimiter=""]').click();
    await page.waitForURL(/pageSize=1000/);
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-pass"), tr.getAttribute("data-changes")]))).toEqual([
      [ids.flat1000b, "ready"],
      [ids.flat1000, "first"],
    ]);
    expect(new URL(page.url()).searchParams.get("kind")).toBe("list");
    const shifts = await rows.first().locator("td").nth(8).textContent();
    // obj_1500a and the deleted obj_2000 move keys across the 1000-key boundaries: a few shifts, not thousands.
    expect(Number(shifts?.replace(/,/g, ""))).toBeLessThan(10);
    await page.reload();
    expect(await series.locator('a[aria-current="page"]').getAttribute("data-page-size")).toBe("1000");
  });

  // A pass view is ready once its stream has replayed every page.
  const passView = (also: string) => async (p: Page) => {
    await p.locator('[data-testid="pass-view"][data-stream="done"]').waitFor();
    await p.getByTestId(also).first().waitFor();
  };
  const listed = async (p: Page) => void (await waitForListingComplete(p));
  const SLOW = 300_000;

  it("fits the pass tables of home, /passes and the history at 800 and 1024 px, snapshot and inventory badges and a race lab pass among them", async () => {
    for (const width of [800, 1024]) {
      await at(width);
      await page.goto(`${base}/`);
      await page.getByTestId("recent-passes").waitFor();
      expect(await fitsItsBox(page, "recent-passes"), `home at ${width}`).toBe(true);
      await page.goto(`${base}/passes`);
      await page.getByTestId("pass-list").locator('[data-kind="snapshot"]').waitFor();
      expect(await fitsItsBox(page, "pass-list"), `/passes at ${width}`).toBe(true);
      await page.goto(`${base}/b/sandbox/demo/history`);
      await page.getByTestId("history-table").waitFor();
      expect(await fitsItsBox(page, "history-table"), `history at ${width}`).toBe(true);
    }
  });

  it("captures home, the bucket browser and the as-of view", { timeout: SLOW }, async () => {
    await capture("home", "/", async (p) => {
      await p.getByTestId("recent-passes").waitFor();
      await p.getByTestId("bucket-link").first().waitFor();
    });
    await capture("browser-folders", "/b/sandbox/photos", listed);
    await capture("browser-flat-object", "/b/sandbox/demo?flat=1&key=obj_0500", async (p) => {
      await listed(p);
      await p.getByTestId("object-panel").waitFor();
      await p.getByTestId("key-timeline").waitFor();
    });
    await capture("as-of", "/b/sandbox/versioned?asOf=2024-02-15T00:00:00Z", listed);
  });

  it("captures the passes, each tab of the pass view, a snapshot and an inventory pass and the compare view", { timeout: SLOW }, async () => {
    await capture("passes", "/passes", async (p) => {
      await p.getByTestId("pass-list").waitFor();
      await p.locator('[data-testid="new-pass-form"] input[name="bucket"][placeholder="bucket name"]').waitFor();
    });
    await capture("pass-keys", `/passes/${ids.flat1000b}`, passView("key-row"));
    await capture("pass-pages", `/passes/${ids.flat100b}?tab=pages`, passView("pages-table"));
    await capture("pass-prefixes", `/passes/${ids.photos}?tab=prefixes`, passView("depth-picker"));
    await capture("pass-snapshot", `/passes/${ids.snapshot}`, passView("key-row"));
    await capture("pass-inventory", `/passes/${ids.inventory}`, passView("inventory-panel"));
    await capture("compare", `/compare?a=${ids.flat1000}&b=${ids.flat1000b}`, testId("diff-row"));
  });

  it("captures a key's history and the keys under a prefix on the history page", { timeout: SLOW }, async () => {
    await capture("history-key", "/b/sandbox/demo/history?kind=list&pageSize=1000&key=obj_0500", testId("key-timeline"));
    await capture("history-key-prefix", "/b/sandbox/demo/history?kind=list&pageSize=1000&keyPrefix=obj_", testId("prefix-key"));
    await capture("browser-object-history", "/b/sandbox/demo?flat=1&key=obj_2000", async (p) => {
      await listed(p);
      await p.getByTestId("key-timeline").waitFor();
    });
    await capture("pass-key-panel", `/passes/${ids.flat1000b}?key=obj_0500`, async (p) => {
      await passView("key-row")(p);
      await p.getByTestId("key-timeline").waitFor();
    });
  });

  it("captures the history, the watches, the inventory page, the race lab, an experiment, presenter mode and the 404 pages", { timeout: SLOW }, async () => {
    await capture("history", `/b/sandbox/demo/history?kind=list&pageSize=1000`, testId("history-table"));
    await capture("watches", "/watches", testId("watch-list"));
    await capture("inventory", `/inventory?connection=sandbox&bucket=${DEMO_INVENTORY.bucket}`, testId("inventory-report"));
    await capture("race", "/race", async (p) => void (await p.getByLabel("bucket").locator("option", { hasText: "demo" }).waitFor({ state: "attached" })));
    await capture("experiment", `/race/${ids.experiment}`, testId("verdict-table"));
    await capture("presenter", `/race/${ids.experiment}?present=1&step=2`, testId("presenter"));
    await capture("404-experiment", "/race/unknown", testId("unknown-experiment"));
    await capture("404-bucket", "/b/sandbox/nope", testId("unknown-bucket"));
    await capture("404-page", "/no/such/page", testId("not-found"));
  });
});
