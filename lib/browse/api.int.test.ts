import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { browseEventSchema, errorBodySchema, objectDetailsSchema, type BrowseEvent } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";

// The as-of browse and version details endpoints of the built app, over HTTP: NDJSON for a versioned
// bucket, and refusals with their status before the first byte.

let sandbox: Sandbox;
let app: RunningApp;

async function get(path: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") ?? "" };
}

function expectError(r: { status: number; text: string }, status: number, code: string, message: RegExp): void {
  expect(r.status).toBe(status);
  const body = errorBodySchema.parse(JSON.parse(r.text));
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("browse-api"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

describe("GET /api/browse?asOf=", () => {
  it("streams the bucket as of T: start with T and the limits, pages of keys with their versions, end with the version totals", async () => {
    const r = await get("/api/browse?connection=sandbox&bucket=versioned&delimiter=%2F&asOf=2024-02-15T01:00:00%2B01:00");
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/application\/x-ndjson/);
    const events: BrowseEvent[] = r.text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => browseEventSchema.parse(JSON.parse(l)));
    expect(events[0]).toMatchObject({ type: "start", asOf: { asOf: "2024-02-15T00:00:00.000Z", versioning: "Enabled" } });
    const entries = events.flatMap((e) => (e.type === "page" ? e.entries : []));
    expect(entries.map((e) => e.key)).toEqual(["config.json", "draft.md", "legacy.txt", "report.csv"]);
    expect(entries.every((e) => typeof e.versionId === "string")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "end", keys: 4, prefixes: 2, asOf: { absentKeys: 2, ties: 0 } });
  });

  it("refuses before the first byte: a never-versioned bucket 409, a T to come or without a zone 400", async () => {
    expectError(await get("/api/browse?connection=sandbox&bucket=demo&asOf=2024-02-15T00:00:00Z"), 409, "not_versioned", /"demo" has never had versioning enabled/);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expectError(await get(`/api/browse?connection=sandbox&bucket=versioned&asOf=${future}`), 400, "bad_request", /is in the future/);
    expectError(await get("/api/browse?connection=sandbox&bucket=versioned&asOf=2024-02-15T00:00:00"), 400, "bad_request", /^asOf: the time must be an ISO 8601 instant with a zone/);
    expectError(await get("/api/browse?connection=sandbox&bucket=no-such-bucket&asOf=2024-02-15T00:00:00Z"), 404, "no_such_bucket", /does not exist/);
  });
});

describe("GET /api/objects?versionId=", () => {
  it("answers HEAD and a download of that version; a delete marker or an unknown id is a 400 that says so", async () => {
    const r = await get("/api/browse?connection=sandbox&bucket=versioned&asOf=2024-01-11T00:00:00Z");
    const report = r.text
      .split("\n")
      .filter((l) => l !== "")
      .flatMap((l) => {
        const e = browseEventSchema.parse(JSON.parse(l));
        return e.type === "page" ? e.entries : [];
      })
      .find((e) => e.key === "report.csv");
    const versionId = report?.versionId ?? "missing";
    const details = await get(`/api/objects?connection=sandbox&bucket=versioned&key=report.csv&versionId=${encodeURIComponent(versionId)}`);
    expect(details.status).toBe(200);
    const body = objectDetailsSchema.parse(JSON.parse(details.text));
    expect(body).toMatchObject({ versionId, lastModified: "2024-01-10T09:15:00.000Z" });
    expect(await (await fetch(body.download.url)).text()).toBe("month,total\njan,100\n");

    expectError(await get("/api/objects?connection=sandbox&bucket=versioned&key=report.csv&versionId=bogus"), 400, "bad_request", /does not accept "bogus" as a version id/);
    expectError(await get("/api/objects?connection=sandbox&bucket=versioned&key=report.csv&versionId="), 400, "bad_request", /version id must not be empty/);
  });
});
