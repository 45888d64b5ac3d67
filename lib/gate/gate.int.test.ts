import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { errorBodySchema, objectDetailsSchema, passListResponseSchema } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { rawHttp, type RawAnswer } from "@/scripts/testing/raw-http";

// The gate of the started app (scripts/start.ts, as `npm start` runs it, no token: the default
// setup), attacked over HTTP the way a foreign web page can: every refusal comes before any work, so
// nothing is recorded.

let sandbox: Sandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("gate"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

const passBody = JSON.stringify({ connection: "sandbox", bucket: "demo", pageSize: 1000 });
const attacker = "http://attacker.example";

function expectRefused(r: RawAnswer, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(errorBodySchema.parse(JSON.parse(r.body)).error.code).toBe(code);
}

async function recordedPasses(): Promise<number> {
  const r = await fetch(`${app.url}/api/passes?limit=1000`);
  expect(r.status).toBe(200);
  return passListResponseSchema.parse(await r.json()).passes.length;
}

async function recordedCount(path: string, field: string): Promise<number> {
  const r = await fetch(`${app.url}${path}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as Record<string, unknown[]>)[field]?.length ?? -1;
}

describe("writes from other web pages", () => {
  it("refuses the text/plain POST a foreign page can send without a preflight, and records nothing", async () => {
    const simple = await rawHttp(app.url, "/api/passes", {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8", origin: attacker, "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
      body: passBody,
    });
    expectRefused(simple, 403, "cross_origin");
    // A browser without Fetch Metadata still sends Origin on a POST.
    expectRefused(await rawHttp(app.url, "/api/passes", { method: "POST", headers: { "content-type": "text/plain", origin: attacker }, body: passBody }), 403, "cross_origin");
    // Same-site is another origin too (another port of 127.0.0.1).
    const sameSite = await rawHttp(app.url, "/api/passes", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-site", "sec-fetch-mode": "cors" },
      body: passBody,
    });
    expectRefused(sameSite, 403, "cross_origin");
    // Even a script's write must be JSON, so no HTML form or simple request can reach one.
    expectRefused(await rawHttp(app.url, "/api/passes", { method: "POST", headers: { "content-type": "text/plain" }, body: passBody }), 415, "unsupported_media_type");
    expectRefused(
      await rawHttp(app.url, "/api/passes", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "connection=sandbox&bucket=demo" }),
      415,
      "unsupported_media_type",
    );
    expect(await recordedPasses()).toBe(0);
  });

  it("refuses watches and race-lab experiments from a foreign page, and records neither", async () => {
    const crossSite = { "content-type": "application/json", origin: attacker, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" };
    const watch = JSON.stringify({ connection: "sandbox", bucket: "demo", everySeconds: 1 });
    expectRefused(await rawHttp(app.url, "/api/watches", { method: "POST", headers: crossSite, body: watch }), 403, "cross_origin");
    const experiment = JSON.stringify({ connection: "sandbox", bucket: "demo", scenario: "seed", keepData: true });
    expectRefused(await rawHttp(app.url, "/api/experiments", { method: "POST", headers: crossSite, body: experiment }), 403, "cross_origin");
    expect(await recordedCount("/api/watches", "watches")).toBe(0);
    expect(await recordedCount("/api/experiments", "experiments")).toBe(0);
    expect(await recordedPasses()).toBe(0);
  });
});

describe("reads by other web pages", () => {
  it("answers 421 to a foreign Host (DNS rebinding) on the API, a page and a static asset, with none of their data", async () => {
    const paths = [
      "/api/connections",
      "/api/browse?connection=sandbox&bucket=demo",
      "/api/objects?connection=sandbox&bucket=demo&key=obj_0000",
      "/api/history/key?connection=sandbox&bucket=demo&key=obj_0000",
      "/api/history/key?connection=sandbox&bucket=demo&keyPrefix=obj_&keyLimit=5",
      "/",
      "/b/sandbox/demo",
      "/favicon.ico",
    ];
    for (const path of paths) {
      const r = await rawHttp(app.url, path, { headers: { host: `attacker.example:${new URL(app.url).port}` } });
      expect(r.status, path).toBe(421);
      expect(r.headers["content-type"], path).toMatch(/^text\/plain/);
      expect(r.body, path).toContain('does not answer to the name "attacker.example:');
      expect(r.body, path).not.toMatch(/sandbox|obj_0000|presigned|X-Amz/i);
    }
    expect((await rawHttp(app.url, "/api/connections", { headers: { host: "attacker.example" } })).status).toBe(421);
    expect(await recordedPasses()).toBe(0);
  });

  it("refuses a cross-site fetch of data, a download and a same-site one from another origin", async () => {
    const fetchHeaders = { origin: attacker, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" };
    expectRefused(await rawHttp(app.url, "/api/connections", { headers: fetchHeaders }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/api/objects?connection=sandbox&bucket=demo&key=obj_0000", { headers: fetchHeaders }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/api/history/key?connection=sandbox&bucket=demo&key=obj_0000", { headers: fetchHeaders }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/api/history/key?connection=sandbox&bucket=demo&keyPrefix=obj_", { headers: fetchHeaders }), 403, "cross_origin");
    // An <img> or <script> tag sends no Origin, only Fetch Metadata.
    expectRefused(await rawHttp(app.url, "/api/browse?connection=sandbox&bucket=demo", { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" } }), 403, "cross_origin");
    // A link to an API route (a CSV export, a stream) from another site is not followed either.
    const link = { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" };
    expectRefused(await rawHttp(app.url, "/api/browse?connection=sandbox&bucket=demo", { headers: link }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/", { headers: { ...link, "sec-fetch-dest": "iframe" } }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/api/connections", { headers: { "sec-fetch-site": "same-site", "sec-fetch-mode": "cors" } }), 403, "cross_origin");
  });

  it("puts framing protection, a nonce-based CSP and the other headers on every page and API answer", async () => {
    const page = await rawHttp(app.url, "/", { headers: { "sec-fetch-site": "none", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } });
    expect(page.status).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    // Next puts that nonce on every script it renders, inline or not; nothing else runs.
    const scripts = [...page.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(page.headers).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
      "x-frame-options": "DENY",
    });
    const again = await rawHttp(app.url, "/");
    expect(/'nonce-([^']+)'/.exec(String(again.headers["content-security-policy"]))?.[1]).not.toBe(nonce);

    const api = await rawHttp(app.url, "/api/connections");
    expect(api.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(api.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("our own use", () => {
  it("serves a link followed from another site (a page, never data) and the dashboard's own same-origin requests", async () => {
    const link = await rawHttp(app.url, "/b/sandbox/demo", { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } });
    expect(link.status).toBe(200);
    const sameOrigin = { origin: app.url, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" };
    expect((await rawHttp(app.url, "/api/connections", { headers: sameOrigin })).status).toBe(200);
    const localhost = `http://localhost:${new URL(app.url).port}`;
    expect((await rawHttp(localhost, "/api/connections", { headers: { ...sameOrigin, origin: localhost } })).status).toBe(200);
    const created = await rawHttp(app.url, "/api/passes", { method: "POST", headers: { ...sameOrigin, "content-type": "application/json" }, body: passBody });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    const deleted = await rawHttp(app.url, `/api/passes/${id}`, { method: "DELETE", headers: { ...sameOrigin, "content-type": "application/json" } });
    expect(deleted.status).toBe(200);
    expect(JSON.parse(deleted.body)).toMatchObject({ id, outcome: expect.stringMatching(/^(cancelled|deleted)$/) as unknown });
  });

  it("serves plain scripts (no Origin, no Sec-Fetch-*): connections, a pass, an object and its presigned download", async () => {
    const before = await recordedPasses();
    const created = await fetch(`${app.url}/api/passes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: passBody });
    expect(created.status).toBe(201);
    expect(await recordedPasses()).toBe(before + 1);
    const details = await fetch(`${app.url}/api/objects?connection=sandbox&bucket=demo&key=obj_0000`);
    expect(details.status).toBe(200);
    const { download } = objectDetailsSchema.parse(await details.json());
    // The browser downloads from the sandbox directly: its Host is the endpoint's.
    expect((await fetch(download.url)).status).toBe(200);
  });
});
