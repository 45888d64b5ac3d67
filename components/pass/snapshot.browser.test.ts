import { ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { UTC_CHOICE } from "@/components/format";
import { passSummarySchema } from "@/lib/wire";
import type { RunningApp } from "@/scripts/testing/app";
import { setTimeMode, type Browser } from "@/scripts/testing/browser";
import { passApi } from "@/scripts/testing/pass-api";
import { startStack, type Stack } from "@/scripts/testing/stack";
import { passHref } from "./search-params";
import { instantText } from "./snapshot";

// Snapshot passes in Chromium against the built app and the seeded sandbox. Expectations come from
// the documented history of the `versioned` bucket (seedVersioned in lib/sandbox/seed.ts); only the
// version ids, which the sandbox makes up, are read back from ListObjectVersions by (key, time).

let stack: Stack | undefined;
let app: RunningApp;
let passes: ReturnType<typeof passApi>;
let browser: Browser;
let page: Page;
const shots: string[] = [];
/** `${key} ${LastModified ISO}` → VersionId, for every version of the seeded `versioned` bucket. */
const versionIds = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack("snapshot-ui");
  ({ app, browser, page } = stack);
  passes = passApi(app.url);
  // T is read in UTC here, as the seed's history is written.
  await setTimeMode(browser.context, app.url, "utc");
  const { endpoint, region, accessKeyId, secretAccessKey } = stack.sandbox;
  const client = new S3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, forcePathStyle: true });
  try {
    const res = await client.send(new ListObjectVersionsCommand({ Bucket: "versioned" }));
    for (const v of res.Versions ?? []) versionIds.set(`${v.Key} ${v.LastModified?.toISOString()}`, v.VersionId ?? "");
    expect(res.IsTruncated).toBe(false);
  } finally {
    client.destroy();
  }
});

afterAll(async () => {
  await stack?.close();
  if (shots.length > 0) console.log(`screenshots:\n  ${shots.join("\n  ")}`);
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const url = (href: string) => `${app.url}${href}`;

async function shot(name: string) {
  shots.push(await browser.screenshot(name));
}

function versionAt(key: string, iso: string): string {
  const id = versionIds.get(`${key} ${new Date(iso).toISOString()}`);
  if (id === undefined) throw new Error(`the seed has no version of ${key} written at ${iso}`);
  return id;
}

async function text(testId: string): Promise<string> {
  return page.getByTestId(testId).innerText();
}

/** The keys table's rows as drawn: key and version id. */
async function keyRows(): Promise<[string | null, string | null][]> {
  return page.$$eval('[data-testid="key-row"]', (els) => els.map((el) => [el.getAttribute("data-key"), el.getAttribute("data-version")] as [string | null, string | null]));
}

describe("a snapshot pass of the versioned bucket as of a chosen T", () => {
  // config.json was re-created at exactly 12:00:00, T's own second: a tie, recorded as present.
  const T = "2024-03-15T12:00:00Z";

  it("shows T, the keys with the versions current at T, the tie and the limits", async () => {
    const expected: [string, string][] = [
      ["config.json", versionAt("config.json", "2024-03-15T12:00:00Z")],
      // Draft 2 was deleted for good, so as of T the bucket shows Draft 1: a limit, stated in the UI.
      ["draft.md", versionAt("draft.md", "2024-01-20T16:45:00Z")],
      ["legacy.txt", versionAt("legacy.txt", "2024-02-10T10:30:00Z")],
      ["logs/2024-01.log", versionAt("logs/2024-01.log", "2024-01-31T23:59:00Z")],
      ["logs/2024-02.log", versionAt("logs/2024-02.log", "2024-03-01T00:10:00Z")],
      // Its delete marker was removed, so the photo is there all along.
      ["photos/cat.jpg", versionAt("photos/cat.jpg", "2024-01-25T20:00:00Z")],
      ["report.csv", versionAt("report.csv", "2024-02-14T09:15:00Z")],
    ];

    await page.goto(url("/passes"));
    const form = page.getByTestId("new-pass-form");
    await form.locator('select[name="connection"]').selectOption("sandbox");
    await form.locator('input[name="bucket"]').fill("versioned");
    // Small pages, so a key's versions span pages and the fold settles them across the boundary.
    await form.locator('input[name="pageSize"]').fill("3");
    await form.locator('select[name="kind"]').selectOption("snapshot");
    await form.locator('input[name="asOf"]').fill(T);
    await page.getByTestId("start-pass").click();
    await page.waitForURL(/\/passes\/[A-Za-z0-9_-]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="pass-view"][data-status="complete"]').waitFor({ timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");

    expect(await text("snapshot-label")).toBe("Snapshot as of 2024-03-15 12:00:00 UTC (server clock)");
    expect(await text("pit-as-of")).toBe("2024-03-15 12:00:00 UTC");
    expect(await text("pit-source")).toBe("T was chosen");
    expect(await text("pit-clock")).toMatch(/server clock: (no measurable offset from ours, within ± [\d.]+ m?s|[\d.]+ m?s (ahead of|behind) ours ± [\d.]+ m?s) \(from the Date header\)/);
    expect(await text("pit-versioning")).toBe("Enabled");
    // 16 versions (one of them legacy.txt's null version) and 4 delete markers survive in the seed;
    // notes.txt, ghost.txt and logs/2024-03.log have history but were not there at T.
    expect(await text("pit-keys")).toBe("7");
    expect(await text("pit-versions")).toBe("16");
    expect(await text("pit-delete-markers")).toBe("4");
    expect(await text("pit-null-versions")).toBe("1");
    expect(await text("pit-absent")).toBe("3");
    expect(await text("pit-ties-count")).toBe("1");
    const tie = page.locator('[data-testid="pit-tie"]');
    expect(await tie.count()).toBe(1);
    expect(await tie.getAttribute("data-key")).toBe("config.json");
    const tieText = await tie.innerText();
    expect(tieText).toContain(`version ${expected[0]?.[1]}, 2024-03-15 12:00:00 UTC`);
    expect(tieText).toMatch(/deleted \(delete marker \S+, 2024-03-01 12:00:00 UTC\)/);
    expect(await page.getByTestId("pit-limits").innerText()).toMatch(/1-second resolution[\s\S]*multipart upload[\s\S]*deleted permanently/);

    await page.locator('[data-testid="keys-count"][data-total="7"]').waitFor();
    await page.locator('[data-testid="key-row"][data-version]').nth(6).waitFor();
    expect(await keyRows()).toEqual(expected);
    await shot("snapshot-pass-view");
    await page.getByTestId("keys-table").scrollIntoViewIfNeeded();
    await shot("snapshot-pass-keys");

    await page.getByTestId("tab-pages").click();
    await page.getByTestId("pages-table").waitFor();
    const markers = await page.$$eval('[data-testid="page-markers"]', (els) => els.map((el) => el.textContent));
    expect(markers.length).toBeGreaterThan(3);
    expect(markers[0]).toMatch(/^— → /);
    await page.locator('[data-testid="pages-table"] [data-page-number="2"]').first().click();
    expect(await text("detail-key-marker")).toMatch(/@/);
    await shot("snapshot-pass-pages");

    await page.goto(url("/passes"));
    const row = page.locator(`[data-pass="${id}"]`);
    expect(await row.getAttribute("data-kind")).toBe("snapshot");
    expect(await row.getByTestId("pass-kind").innerText()).toMatch(/snapshot\s+as of 2024-03-15 12:00:00 UTC \(chosen\)/);
    await shot("snapshot-pass-list");
  });

  it("reads a T typed without a zone in the app's zone, and refuses one it cannot read, in words", async () => {
    await page.goto(url("/passes"));
    const form = page.getByTestId("new-pass-form");
    await form.locator('input[name="bucket"]').fill("versioned");
    await form.locator('select[name="kind"]').selectOption("snapshot");
    await form.locator('input[name="asOf"]').fill("15 March 2024");
    await page.getByTestId("start-pass").click();
    expect(await page.getByTestId("new-pass-error").innerText()).toMatch(/^As of: type a date \(2024-03-01\) or a date and time/);
    expect(new URL(page.url()).pathname).toBe("/passes");

    await form.locator('input[name="asOf"]').fill("2024-03-15 12:00");
    await page.getByTestId("start-pass").click();
    await page.waitForURL(/\/passes\/[A-Za-z0-9_-]+$/, { timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
    expect((await passes.api(`/api/passes/${id}`, passSummarySchema)).snapshot?.asOf).toBe("2024-03-15T12:00:00.000Z");
  });
});

describe("Snapshot at this pass's start", () => {
  it("on a bucket that was never versioned is offered disabled, with the reason, before anyone clicks", async () => {
    const id = await passes.startPass({ bucket: "demo", pageSize: 1000 });
    await passes.settled(id);
    await page.goto(url(passHref(id)));
    await page.locator('[data-testid="pass-view"][data-status="complete"]').waitFor();
    expect(await page.getByTestId("snapshot-at-start").isDisabled()).toBe(true);
    const why = page.getByTestId("snapshot-unavailable");
    expect(await why.textContent()).toMatch(/^needs versioning/);
    expect(await why.getAttribute("title")).toMatch(/“demo” has never had versioning enabled/);
    expect(await page.getByTestId("snapshot-at-start").getAttribute("aria-describedby")).toBe("snapshot-unavailable");
    expect(await text("stat-keys")).toBe("3,000");
    await shot("snapshot-not-versioned");
    // The API refuses it all the same, for a client that does not ask first.
    const refused = await fetch(url("/api/passes"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", kind: "snapshot" }),
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "not_versioned" } });
  });

  it("on the versioned bucket opens the comparison with the snapshot as A, and nothing differs", async () => {
    const id = await passes.startPass({ bucket: "versioned", pageSize: 3 });
    const list = await passes.settled(id);
    expect(list.totals.keys).toBe(7);
    await page.goto(url(passHref(id)));
    await page.locator('[data-testid="pass-view"][data-status="complete"]').waitFor();
    await page.getByTestId("snapshot-at-start").click();
    await page.waitForURL(new RegExp(`/compare\\?a=[A-Za-z0-9_-]+&b=${id}$`), { timeout: 30_000 });
    const snapshotId = new URL(page.url()).searchParams.get("a") ?? "";

    const snapshot = await passes.api(`/api/passes/${snapshotId}`, passSummarySchema);
    expect(snapshot.kind).toBe("snapshot");
    expect(snapshot.status).toBe("complete");
    expect(snapshot.snapshot?.asOfSource).toBe("chosen");
    expect(snapshot.snapshot?.asOf).toBe(list.createdAt);
    expect(snapshot.pageSize).toBe(3);

    await page.getByTestId("diff-counts").waitFor({ timeout: 30_000 });
    expect(await text("pass-a")).toContain(snapshotId);
    expect(await page.getByTestId("pass-a").getByTestId("snapshot-label").innerText()).toBe(`Snapshot as of ${instantText(list.createdAt, UTC_CHOICE)} (server clock)`);
    expect(await text("pass-b")).toContain(id);
    expect(await text("count-added")).toMatch(/Added\s*0\b/i);
    expect(await text("count-removed")).toMatch(/Removed\s*0\b/i);
    expect(await text("count-changed")).toMatch(/Changed\s*0\b/i);
    expect(await text("count-unchanged")).toMatch(/Unchanged\s*7\b/i);
    await shot("snapshot-compare");
  });
});
