import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { browseHref } from "@/components/browser/search-params";
import { formatBytes } from "@/components/format";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";

// A key's history in Chromium against the built app: three recorded passes of a sandbox bucket, a
// key changed and one deleted between the first two, read on the object panel and the history page.

let stack: Stack | undefined;
let page: Page;
let base: string;
const ids: string[] = [];

const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };
const CHANGED_BODY = "b, now longer than before";

beforeAll(async () => {
  stack = await startStack("key-history", {
    prepare: (s) => {
      s.store.createBucket("keyhist");
      for (const key of ["docs/a.txt", "docs/b.txt", "docs/c.txt", "top.txt"]) s.store.putObject({ bucket: "keyhist", key, body: Buffer.from(key.slice(-5, -4)), meta });
    },
  });
  page = stack.page;
  base = stack.app.url;
  const { startPass, settled } = passApi(base);
  const record = async () => {
    const id = await startPass({ bucket: "keyhist", pageSize: 2 });
    expect((await settled(id)).status).toBe("complete");
    ids.push(id);
  };
  await record();
  const { store } = stack.sandbox;
  store.putObject({ bucket: "keyhist", key: "docs/b.txt", body: Buffer.from(CHANGED_BODY), meta });
  store.deleteObject("keyhist", "docs/c.txt");
  store.putObject({ bucket: "keyhist", key: "docs/d.txt", body: Buffer.from("d"), meta });
  await record();
  await record();
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${stack?.app.output().slice(-4000)}`));
});

/** The timeline's items, newest first, as their kind and their words. */
const items = (scope: string) =>
  page.$$eval(`[data-testid="${scope}"] [data-testid^="timeline-"]:not([data-testid="timeline-pass"])`, (els) =>
    els.map((el) => `${el.getAttribute("data-kind") ?? el.getAttribute("data-testid")}: ${((el as HTMLElement).innerText ?? "").replace(/\s+/g, " ").trim()}`),
  );

describe("the key's history on the object panel", () => {
  it("says the key changed (which fields, from and to) in the second pass, and stayed the same after", async () => {
    // The browser shows docs/, which has no passes of its own: the history comes from the bucket's.
    await page.goto(`${base}${browseHref("sandbox", "keyhist", { prefix: "docs/", key: "docs/b.txt" })}`);
    const panel = page.getByTestId("object-panel");
    await panel.getByTestId("key-timeline").waitFor();
    await expect.poll(() => items("object-history")).toHaveLength(3);
    const [same, changed, first] = await items("object-history");
    expect(same).toMatch(/^timeline-same: same in 1 pass/);
    expect(changed).toMatch(/^changed: changed .* page 1/);
    expect(first).toMatch(/^first_listed: listed .* page 1 the first recorded pass that covers this key$/);
    expect(await panel.locator('[data-testid="field-change"][data-field="size"]').textContent()).toBe(`size ${formatBytes(1)}→${formatBytes(CHANGED_BODY.length)}`);
    await expect.poll(() => panel.locator('[data-testid="field-change"][data-field="etag"]').count()).toBe(1);
    // Each point links to its pass, at the page the key was on (numbered from 1).
    const changedLink = panel.locator('[data-testid="timeline-event"][data-kind="changed"] [data-testid="timeline-pass"]');
    expect(await changedLink.getAttribute("href")).toBe(`/passes/${ids[1]}?page=1`);
    expect(await panel.getByTestId("object-history").textContent()).toContain("3 passes of “keyhist”");
  });

  it("tells a deleted key's history although its HEAD fails", async () => {
    await page.goto(`${base}${browseHref("sandbox", "keyhist", { prefix: "docs/", key: "docs/c.txt" })}`);
    const panel = page.getByTestId("object-panel");
    await panel.getByRole("alert").waitFor();
    await expect.poll(() => items("object-history")).toHaveLength(3);
    const [still, gone, first] = await items("object-history");
    expect(still).toMatch(/^timeline-same: still absent in 1 pass/);
    expect(gone).toMatch(/^disappeared: disappeared/);
    expect(first).toMatch(/^first_listed: listed .* page 2/);
    expect(await panel.locator('[data-testid="timeline-event"][data-kind="disappeared"] [data-testid="timeline-pass"]').getAttribute("href")).toBe(`/passes/${ids[1]}`);
  });

  it("says no pass covers a key yet, and records one from the panel", async () => {
    await page.goto(`${base}${browseHref("sandbox", "photos", { key: "2019/summer/IMG_0001.jpg" })}`);
    const empty = page.getByTestId("object-history-empty");
    await empty.waitFor();
    expect(await empty.textContent()).toContain("No recorded passes of “photos” cover this key yet");
    await empty.getByRole("button", { name: "Record a pass of “photos”" }).click();
    await page.waitForURL(/\/passes\/[^/?]+$/);
  });
});

describe("the pass view", () => {
  it("opens a key's panel from its row, with the key's history, and keeps it in the address", async () => {
    await page.goto(`${base}/passes/${ids[2]}`);
    await page.locator('[data-testid="key-row"][data-key="docs/b.txt"] [data-testid="key-open"]').click();
    await page.waitForURL((u) => u.searchParams.get("key") === "docs/b.txt");
    const panel = page.getByTestId("object-panel");
    await panel.getByTestId("key-timeline").waitFor();
    await expect.poll(() => items("object-history")).toHaveLength(3);
    expect((await items("object-history"))[1]).toMatch(/^changed: changed/);
    expect(await panel.getByTestId("object-head").textContent()).toContain(formatBytes(CHANGED_BODY.length));
    await panel.getByRole("link", { name: "Close details" }).click();
    await page.waitForURL((u) => !u.searchParams.has("key"));
    await expect.poll(() => page.getByTestId("object-panel").count()).toBe(0);
  });
});

describe("the history page", () => {
  it("follows a key chosen in its form, and keeps the choice in the address", async () => {
    await page.goto(`${base}/b/sandbox/keyhist/history`);
    const form = page.getByTestId("key-choice-form");
    await form.getByTestId("key-choice-input").fill("docs/b.txt");
    await form.getByRole("button", { name: "Follow" }).click();
    await page.waitForURL((u) => u.searchParams.get("key") === "docs/b.txt");
    await expect.poll(() => items("key-history")).toHaveLength(3);
    expect((await items("key-history"))[1]).toMatch(/^changed: changed/);
    expect(await page.getByTestId("key-history").locator("h2").textContent()).toBe("The key docs/b.txt");
  });

  it("lists the keys under a prefix that appeared, changed or disappeared, pass by pass", async () => {
    await page.goto(`${base}/b/sandbox/keyhist/history`);
    const form = page.getByTestId("key-choice-form");
    await form.getByTestId("key-choice-mode").selectOption("keyPrefix");
    await form.getByTestId("key-choice-input").fill("docs/");
    await form.getByRole("button", { name: "Follow" }).click();
    await page.waitForURL((u) => u.searchParams.get("keyPrefix") === "docs/");
    await expect.poll(() => items("key-history")).toHaveLength(3);
    const [same, changes, first] = await items("key-history");
    expect(same).toMatch(/^timeline-same: no key changed in 1 pass/);
    expect(changes).toMatch(/^changes: 1 appeared · 1 changed · 1 disappeared/);
    expect(first).toMatch(/^first: first pass/);
    const keys = page.locator('[data-testid="key-history"] [data-testid="prefix-key"]');
    expect(await keys.evaluateAll((els) => els.map((el) => `${el.getAttribute("data-kind")} ${el.getAttribute("data-key")}`))).toEqual([
      "changed docs/b.txt",
      "removed docs/c.txt",
      "added docs/d.txt",
    ]);
    // A key that disappeared links to the pass before, where it was (page 2, numbered from 1).
    expect(await keys.nth(1).locator("a").getAttribute("href")).toBe(`/passes/${ids[0]}?page=2`);
    expect(await keys.nth(2).locator("a").getAttribute("href")).toBe(`/passes/${ids[1]}?page=2`);
  });

  it("answers a key prefix outside the history's prefix with the API's reason", async () => {
    await page.goto(`${base}/b/sandbox/keyhist/history?prefix=docs%2F&keyPrefix=top`);
    const alert = page.getByTestId("key-history").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/keyPrefix "top" must begin with the prefix "docs\/"/);
  });
});
