import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { browseHref } from "@/components/browser/search-params";
import { passHref } from "@/components/pass/search-params";
import { experimentDetailSchema, passCreatedSchema, passSummarySchema } from "@/lib/wire";
import { freePort, startApp, type RunningApp } from "@/scripts/testing/app";
import { launchBrowser, type Browser } from "@/scripts/testing/browser";
import { waitForListingComplete } from "@/scripts/testing/listing";

// The race lab in Chromium: the seed scenario run from /race, its spacetime picture and verdicts,
// and presenter mode stepped with the keyboard. The app embeds its own sandbox, as `npm start` does.

// An experiment writes its 3000 keys one request at a time before it lists them: on a machine
// shared by several builds it can take minutes, so its end is waited for longer than one test's
// default budget allows.
const EXPERIMENT_MS = 240_000;
const TEST_MS = EXPERIMENT_MS + 60_000;

let dataDir: string;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "bucketscope-race-ui-"));
  const sandboxPort = await freePort();
  const emptyAwsConfig = path.join(dataDir, "aws-config");
  writeFileSync(emptyAwsConfig, "");
  app = await startApp({
    dataDir: path.join(dataDir, "app"),
    sandbox: null,
    env: {
      BUCKETSCOPE_SANDBOX: "on",
      BUCKETSCOPE_SANDBOX_PORT: String(sandboxPort),
      BUCKETSCOPE_AWS: "off",
      AWS_CONFIG_FILE: emptyAwsConfig,
      AWS_SHARED_CREDENTIALS_FILE: emptyAwsConfig,
      AWS_EC2_METADATA_DISABLED: "true",
      // A read-only view of the same sandbox: never offered for experiments. And a writable one that
      // is not the sandbox to the app (no snapshot endpoint): on the versioned bucket, truth from versions.
      BUCKETSCOPE_CONNECTIONS: JSON.stringify([
        { name: "readonly", endpoint: `http://127.0.0.1:${sandboxPort}`, accessKeyId: "bucketscope", secretAccessKey: "bucketscope-sandbox-secret" },
        { name: "compat", endpoint: `http://127.0.0.1:${sandboxPort}`, accessKeyId: "bucketscope", secretAccessKey: "bucketscope-sandbox-secret", writable: true },
      ]),
    },
  });
  browser = await launchBrowser({ timeZone: "UTC" });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

async function startExperiment(params: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${app.url}/api/experiments`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(params) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("the race lab", () => {
  it("runs the seed scenario from /race: the spacetime picture, the summary and obj_1100 gone-early with its reason", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/race`);
    await page.getByRole("link", { name: "Race lab" }).waitFor();
    await page.getByLabel("bucket").locator("option", { hasText: "demo" }).waitFor({ state: "attached" });
    expect(await page.getByLabel("connection").locator("option").allTextContents()).toEqual(["sandbox", "compat"]);
    expect(await page.getByLabel("bucket").inputValue()).toBe("demo");
    await page.getByRole("button", { name: /The seed/ }).click();
    await page.getByRole("button", { name: "Run experiment" }).click();
    await page.waitForURL(/\/race\/[0-9a-f]{12}$/);

    const summary = page.getByTestId("summary-line");
    await summary.waitFor({ timeout: EXPERIMENT_MS });
    expect(await summary.textContent()).toBe(
      "The pass differs from the bucket at its start (1 key: obj_1100) and matches the bucket at its end.",
    );
    const picture = page.getByTestId("spacetime");
    for (const label of ["page 1", "page 2", "page 3"]) await picture.getByText(label, { exact: true }).waitFor();
    const row = page.locator('[data-testid="verdict-table"] tr[data-key="obj_1100"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/gone-early/);
    expect(await row.textContent()).toMatch(/page 2 was requested at \d\d:\d\d:\d\d\.\d{3} UTC, (\d+ ms|less than 1 ms) after obj_1100 was deleted, so no page contains it/);
    expect(await page.locator('[data-testid="verdict-table"] tbody tr').count()).toBe(1);
    expect(await page.getByTestId("ground-truth").textContent()).toMatch(/^Ground truth: exact sandbox snapshot\. The sandbox reads the prefix in one transaction/);
    await browser.screenshot("race-seed");
    const sideBySide = page.getByTestId("side-by-side");
    expect(await sideBySide.locator("tbody tr").count()).toBe(1);
    expect(await sideBySide.locator("tbody tr").textContent()).toMatch(/obj_1100.*present.*not listed.*—.*gone-early/);
    await sideBySide.scrollIntoViewIfNeeded();
    await browser.screenshot("race-seed-side-by-side");
    await page.evaluate(() => window.scrollTo(0, 0));
  }, TEST_MS);

  it("on a versioned bucket of another connection, says the truth comes from object versions as of T on the server's clock", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/race`);
    await page.getByLabel("connection").locator("option", { hasText: "compat" }).waitFor({ state: "attached" });
    await page.getByLabel("connection").selectOption("compat");
    await page.getByLabel("bucket").locator("option", { hasText: "versioned" }).waitFor({ state: "attached" });
    await page.getByLabel("bucket").selectOption("versioned");
    await page.getByRole("button", { name: /The seed/ }).click();
    await page.getByRole("button", { name: "Run experiment" }).click();
    await page.waitForURL(/\/race\/[0-9a-f]{12}$/);
    const summary = page.getByTestId("summary-line");
    await summary.waitFor({ timeout: EXPERIMENT_MS });
    expect(await summary.textContent()).toBe("The pass differs from the bucket at its start (1 key: obj_1100) and matches the bucket at its end.");
    const truth = page.getByTestId("ground-truth");
    expect(await truth.textContent()).toMatch(/^Ground truth: object versions as of T\. Rebuilt from the bucket's object versions/);
    expect(await truth.textContent()).toMatch(
      /Start: as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC on the server's clock \(server clock: (no measurable offset from ours, within ± [\d.]+ m?s|[\d.]+ m?s (ahead of|behind) ours ± [\d.]+ m?s)\), 3,000 keys\./,
    );
    expect(await page.getByTestId("truth-ties").count()).toBe(0);
    await page.getByText("prefix cleaned up").waitFor();
    await browser.screenshot("race-versions-truth");
  }, TEST_MS);

  it("steps through the pass in presenter mode with the keyboard", async () => {
    const { page } = browser;
    await page.getByRole("button", { name: "Presenter mode" }).click();
    const title = page.getByTestId("presenter-title");
    const notes = page.getByTestId("presenter-notes");
    await title.getByText("Before the pass").waitFor();
    expect(await notes.textContent()).toMatch(/The bucket holds 3000 keys/);
    await browser.screenshot("race-presenter-0");

    await page.keyboard.press("Space");
    await title.getByText("Page 1 of 3").waitFor();
    // The delete is its own step, before the page that reveals what it did.
    await page.keyboard.press("ArrowRight");
    await title.getByText("delete obj_1100").waitFor();
    expect(await notes.textContent()).toMatch(/before page 2 was requested/);
    expect(await notes.textContent()).not.toMatch(/gone-early/);
    await page.keyboard.press("ArrowRight");
    await title.getByText("Page 2 of 3").waitFor();
    expect(await notes.textContent()).toMatch(/gone-early/);
    expect(page.url()).toMatch(/present=1&step=3/);
    await browser.screenshot("race-presenter-3");

    await page.keyboard.press("ArrowLeft");
    await title.getByText("delete obj_1100").waitFor();
    await page.keyboard.press("End");
    await title.getByText("Page 3 of 3").waitFor();
    await notes.getByText(/differs from the bucket at its start/).waitFor();
    await browser.screenshot("race-presenter-end");

    // The permalink replays the same step.
    await page.reload();
    await title.getByText("Page 3 of 3").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("presenter").waitFor({ state: "detached" });
  });

  it("runs at demo pace from /race: the setup's progress, each page in flight as a band, a legend of the verdicts that occurred", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/race`);
    await page.getByLabel("bucket").locator("option", { hasText: "demo" }).waitFor({ state: "attached" });
    await page.getByRole("button", { name: /Churn/ }).click();
    expect(await page.getByLabel("pace").inputValue()).toBe("demo");
    expect(await page.getByLabel("pace").locator("option:checked").textContent()).toBe("demo pace: 800 ms per page");
    await page.getByLabel("keys", { exact: true }).fill("2000");
    await page.getByLabel("page size", { exact: true }).fill("200");
    await page.getByLabel("mutations per second").fill("4");
    await page.getByRole("button", { name: "Run experiment" }).click();
    await page.waitForURL(/\/race\/[0-9a-f]{12}$/);
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";

    await page.getByText("pace: 800 ms added per page").waitFor();
    const setup = page.getByTestId("setup-progress");
    await expect.poll(() => setup.textContent(), { timeout: 60_000 }).toMatch(/[\d,]+ \/ 2,000 written/);
    // A page in flight is drawn while it is in flight: the band's label names it.
    // Band and legend are read from one render: a page answered between two reads takes both away.
    const flight = page.locator('[data-label="in-flight"]');
    const inFlightDrawn = () =>
      page.evaluate(() => {
        const band = document.querySelector('[data-label="in-flight"]');
        const legend = document.querySelector('[data-testid="spacetime-legend"]');
        return band !== null && /^page \d+ requested…$/.test(band.textContent ?? "") && (legend?.textContent ?? "").includes("page requested, not answered yet");
      });
    await expect.poll(inFlightDrawn, { timeout: 60_000 }).toBe(true);
    await browser.screenshot("race-live-in-flight");

    await page.getByTestId("summary-line").waitFor({ timeout: 120_000 });
    await flight.waitFor({ state: "detached" });
    const detail = (await (await fetch(`${app.url}/api/experiments/${id}`)).json()) as { experiment: { params: { latencyMs: number } }; mutations: { key: string }[]; verdicts: { key: string; verdict: string }[] };
    expect(detail.experiment.params.latencyMs).toBe(800);
    const mutated = new Set(detail.mutations.map((m) => m.key));
    const occurred = new Set(detail.verdicts.filter((v) => mutated.has(v.key)).map((v) => v.verdict));
    const legend = await page.getByTestId("spacetime-legend").locator("[data-verdict]").evaluateAll((els) => els.map((e) => e.getAttribute("data-verdict")));
    expect(new Set(legend)).toEqual(occurred);
  });

  it("fits presenter mode on a 1024×768 projector: the picture full width, the story below, no two labels overlapping", async () => {
    const id = await startExperiment({ connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 400, pageSize: 40, rate: 6, seed: 7, latencyMs: 250 });
    const { page } = browser;
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      await page.goto(`${app.url}/race/${id}`);
      await page.getByTestId("summary-line").waitFor({ timeout: 120_000 });
      await page.getByRole("button", { name: "Presenter mode" }).click();
      const title = page.getByTestId("presenter-title");
      await title.getByText("Before the pass").waitFor();
      const last = Number((await page.getByTestId("presenter").textContent())?.match(/step 0 of (\d+)/)?.[1]);
      expect(last).toBeGreaterThan(10);
      for (const step of [1, Math.floor(last / 2), last]) {
        await page.goto(`${app.url}/race/${id}?present=1&step=${step}`);
        await page.getByTestId("presenter").waitFor();
        const labels = page.locator('[data-testid="presenter"] [data-testid="spacetime"] svg text');
        await labels.first().waitFor();
        const boxes = (await labels.evaluateAll((els) =>
          els.filter((e) => (e.textContent ?? "").trim() !== "").map((e) => {
            const r = e.getBoundingClientRect();
            return { text: e.textContent ?? "", x: r.x, y: r.y, width: r.width, height: r.height };
          }),
        )) as { text: string; x: number; y: number; width: number; height: number }[];
        expect(boxes.length).toBeGreaterThan(4);
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) {
            const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
            expect(overlap, `"${a.text}" and "${b.text}" overlap at step ${step}`).toBe(false);
          }
        }
        const chart = await page.locator('[data-testid="presenter"] [data-testid="spacetime"]').boundingBox();
        const notes = await page.getByTestId("presenter-notes").boundingBox();
        expect(chart?.width ?? 0).toBeGreaterThan(1024 * 0.9);
        expect(chart?.height ?? 0).toBeGreaterThan(300);
        expect(notes?.y ?? 0).toBeGreaterThanOrEqual((chart?.y ?? 0) + (chart?.height ?? 0));
        expect((notes?.y ?? 0) + (notes?.height ?? 0)).toBeLessThanOrEqual(768);
        await browser.screenshot(`race-presenter-1024-step-${step}`);
      }
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it("draws a churn experiment (fixed seed, injected latency) as a picture a room can read", async () => {
    const id = await startExperiment({ connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 300, pageSize: 30, rate: 12, seed: 3, latencyMs: 600 });
    const refused = await fetch(`${app.url}/api/experiments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "readonly", bucket: "demo", scenario: "seed" }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "read_only_connection" } });

    const { page } = browser;
    await page.goto(`${app.url}/race/${id}`);
    // Live: pages are drawn while the pass is still running (both seen in one look at the page).
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="phase"]')?.textContent === "listing" &&
        [...document.querySelectorAll('[data-testid="spacetime"] [data-label^="page-"]')].some((t) => t.textContent === "page 2"),
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    await browser.screenshot("race-churn-live");
    await page.getByTestId("summary-line").waitFor({ timeout: EXPERIMENT_MS });
    await page.getByTestId("verdict-table").waitFor();
    await browser.screenshot("race-churn");
  }, TEST_MS);

  it("runs a parallel race from /race?concurrency=4: one staircase per key range, split points, a legend of ranges and of the verdicts that occurred", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/race?concurrency=4`);
    await page.getByLabel("bucket").locator("option", { hasText: "demo" }).waitFor({ state: "attached" });
    expect(await page.getByLabel("cursors").inputValue()).toBe("4");
    await page.getByRole("button", { name: /Churn/ }).click();
    await page.getByLabel("keys", { exact: true }).fill("400");
    await page.getByLabel("page size", { exact: true }).fill("25");
    await page.getByLabel("mutations per second").fill("25");
    await page.getByLabel("random seed (blank: a new one)").fill("5");
    await page.getByLabel("pace").selectOption("custom");
    await page.getByLabel("added latency per page (ms)").fill("300");
    await page.getByRole("button", { name: "Run experiment" }).click();
    await page.waitForURL(/\/race\/[0-9a-f]{12}$/);
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    await page.getByTestId("summary-line").waitFor({ timeout: EXPERIMENT_MS });

    const detail = experimentDetailSchema.parse(await (await fetch(`${app.url}/api/experiments/${id}`)).json());
    expect(detail.experiment.params).toMatchObject({ concurrency: 4, latencyMs: 300, keyCount: 400, pageSize: 25 });
    const ranges = [...new Set(detail.pages.map((p) => p.cursor?.range))];
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId("cursors").textContent()).toBe(`parallel pass: up to 4 cursors at once, ${ranges.length} key ranges`);

    // One staircase and one legend entry per range, every page of each range on its staircase.
    const picture = page.getByTestId("spacetime");
    const lanes = picture.locator("[data-testid=cursor-lanes] g[data-lane]");
    await expect.poll(() => lanes.count()).toBe(ranges.length);
    const drawn = await lanes.evaluateAll((els) => els.map((e) => [Number(e.getAttribute("data-lane")), Number(e.getAttribute("data-lane-pages")), e.querySelector("path")?.getAttribute("stroke")]));
    expect(new Set(drawn.map(([range]) => range))).toEqual(new Set(ranges));
    for (const [range, pages] of drawn) expect(pages, `range ${range}`).toBe(detail.pages.filter((p) => p.cursor?.range === range).length);
    expect(new Set(drawn.map(([, , stroke]) => stroke)).size).toBe(Math.min(ranges.length, 8));
    expect(await picture.locator("[data-split]").count()).toBe(ranges.length - 1);
    const legend = page.getByTestId("spacetime-legend");
    const named = await legend.locator("[data-lane]").allTextContents();
    expect(named).toHaveLength(ranges.length);
    for (const text of named) expect(text.trim()).toMatch(/^range \d+: (from the start|after \S+) through (\S+|the end)( · no keys)?$/);
    expect(named.filter((t) => t.includes("from the start"))).toHaveLength(1);
    expect(named.filter((t) => t.includes("through the end"))).toHaveLength(1);
    await legend.getByText("split point").waitFor();

    // The verdict legend names exactly the verdicts of the keys the churn touched.
    const mutated = new Set(detail.mutations.map((m) => m.key));
    const occurred = new Set(detail.verdicts.filter((v) => mutated.has(v.key)).map((v) => v.verdict));
    expect(occurred.size).toBeGreaterThan(0);
    const verdictLegend = await legend.locator("[data-verdict]").evaluateAll((els) => els.map((e) => e.getAttribute("data-verdict")));
    expect(new Set(verdictLegend)).toEqual(occurred);
    expect(await page.getByTestId("parallel-shape").textContent()).toMatch(/^A sequential listing has one frontier/);
    // The pages table says which range each page belongs to.
    const rangeCells = await page.locator("[data-testid=race-pages] td[data-range]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-range"))));
    expect(rangeCells).toEqual(detail.pages.map((p) => p.cursor?.range));
    await picture.scrollIntoViewIfNeeded();
    await browser.screenshot("race-parallel");
  }, TEST_MS);

  it("numbers the same page the same in the race lab, the pass view, the bucket browser and compare", async () => {
    const { page } = browser;
    const started = await fetch(`${app.url}/api/experiments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", scenario: "seed", keepData: true }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const detail = async () => experimentDetailSchema.parse(await (await fetch(`${app.url}/api/experiments/${id}`)).json());
    await expect.poll(async () => (await detail()).experiment.status, { timeout: EXPERIMENT_MS, interval: 250 }).toBe("complete");
    const { prefix, passId } = (await detail()).experiment;
    expect(passId).not.toBeNull();
    if (passId === null) return;
    // obj_1100 was deleted after page 1, so page 2 begins at obj_1000 and ends at obj_2000 in every view.
    const first = `${prefix}obj_1000`;

    await page.goto(`${app.url}/race/${id}`);
    const raced = page.locator('[data-testid="race-pages"] tr[data-page-number="2"]');
    await raced.waitFor();
    expect(await raced.getAttribute("data-first-key")).toBe("obj_1000");
    expect(await raced.locator("td").first().textContent()).toBe("2");

    await raced.getByRole("link").click();
    await page.waitForURL((u) => u.pathname === passHref(passId) && u.searchParams.get("page") === "2");
    const passed = page.locator('[data-testid="pages-table"] [role="row"][data-page-number="2"]');
    await passed.waitFor();
    expect(await passed.getAttribute("data-first-key")).toBe(first);
    await page.getByTestId("page-detail").getByText("Page 2", { exact: true }).waitFor();
    await page.goto(`${app.url}${passHref(passId, { page: 1 })}`);
    const band = page.locator('[data-testid="keys-table"] [data-testid="page-band"][data-page-number="2"]');
    await band.waitFor();
    expect(await band.getAttribute("data-first-key")).toBe(first);
    expect(await band.locator("b").textContent()).toBe("Page 2");

    // "Go to page 2" as a link: the browser scrolls to that page's band.
    await page.goto(`${app.url}${browseHref("sandbox", "demo", { prefix, flat: true, page: 2 })}`);
    await waitForListingComplete(page);
    const browsed = page.locator('[data-testid="page-band"][data-page-number="2"]');
    await browsed.waitFor();
    expect(await browsed.getAttribute("data-first-key")).toBe(first);
    expect(await browsed.textContent()).toMatch(/^Page 2/);

    const again = await fetch(`${app.url}/api/passes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", prefix, pageSize: 1000 }),
    });
    const other = passCreatedSchema.parse(await again.json()).id;
    await expect.poll(async () => passSummarySchema.parse(await (await fetch(`${app.url}/api/passes/${other}`)).json()).status, { timeout: 60_000 }).toBe("complete");
    await page.goto(`${app.url}/compare?a=${passId}&b=${other}&row=990`);
    const compared = page.locator('[data-testid="diff-band"][data-a-page-number="2"]');
    await compared.waitFor({ timeout: 30_000 });
    expect(await compared.getAttribute("data-a-first-key")).toBe(first);
    expect(await compared.textContent()).toMatch(/A · page 2/);
    await browser.screenshot("race-pages-numbered");
  }, TEST_MS);
});
