import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { bucketKeys, sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { errorBodySchema, passEventSchema, passEventWithoutEntriesSchema, passSummarySchema, type PassSummary } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { rawHttp } from "@/scripts/testing/raw-http";

// GET /api/passes/{id}/events?entries=0 on the built app (scripts/start.ts, behind its gate) against
// a sandbox in this process: the same lines as the default stream, page lines without entries.

let sandbox: Sandbox;
let app: RunningApp;
let passId: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("events"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
  const created = await fetch(`${app.url}/api/passes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ connection: "sandbox", bucket: "demo", pageSize: 1000 }),
  });
  expect(created.status).toBe(201);
  passId = ((await created.json()) as { id: string }).id;
  const deadline = Date.now() + 60_000;
  let s: PassSummary;
  do {
    if (Date.now() > deadline) throw new Error("the demo pass did not finish");
    await sleep(100);
    s = passSummarySchema.parse(await (await fetch(`${app.url}/api/passes/${passId}`)).json());
  } while (s.status === "running");
  expect(s.status).toBe("complete");
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

async function ndjson(path: string): Promise<{ lines: unknown[]; bytes: number }> {
  const res = await fetch(`${app.url}${path}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const text = await res.text();
  return { lines: text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as unknown), bytes: Buffer.byteLength(text) };
}

describe("the events stream without entries", () => {
  it("sends the same pass, page records and end line as the default stream, without any entry", async () => {
    const full = await ndjson(`/api/passes/${passId}/events`);
    const lean = await ndjson(`/api/passes/${passId}/events?entries=0`);
    const fullEvents = full.lines.map((l) => passEventSchema.parse(l));
    const leanEvents = lean.lines.map((l) => passEventWithoutEntriesSchema.parse(l));
    expect(leanEvents.map((e) => e.type)).toEqual(["pass", "page", "page", "page", "end"]);
    // The default stream still carries every key, for clients that read keys from it.
    expect(fullEvents.flatMap((e) => (e.type === "page" ? e.entries.map((x) => x.key) : []))).toEqual(bucketKeys(sandbox, "demo"));
    for (const line of lean.lines) expect(line).not.toHaveProperty("entries");
    const withoutEntries = fullEvents.map((e) => {
      if (e.type !== "page") return e;
      const { entries: _entries, ...rest } = e;
      return rest;
    });
    // The pass line's summary is the same pass as it was when each stream attached.
    expect(leanEvents).toEqual(withoutEntries);
    const pages = leanEvents.flatMap((e) => (e.type === "page" ? [e.page] : []));
    expect(pages.map((p) => [p.index, p.firstKey, p.lastKey, p.entryCount])).toEqual([
      [0, "obj_0000", "obj_0999", 1000],
      [1, "obj_1000", "obj_1999", 1000],
      [2, "obj_2000", "obj_2999", 1000],
    ]);
    expect(lean.bytes * 5).toBeLessThan(full.bytes);
    // entries=1 is the default spelled out.
    expect((await ndjson(`/api/passes/${passId}/events?entries=1`)).lines).toEqual(full.lines);
  });

  it.each(["2", "", "false", "no", "00"])("answers entries=%j with 400 bad_request in the one error shape", async (value) => {
    const res = await fetch(`${app.url}/api/passes/${passId}/events?entries=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    const body = errorBodySchema.parse(await res.json());
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toMatch(/entries must be 0 or 1/);
  });

  it("answers an unknown pass with 404 unknown_pass", async () => {
    const res = await fetch(`${app.url}/api/passes/nope/events?entries=0`);
    expect(res.status).toBe(404);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe("unknown_pass");
  });

  it("refuses a foreign web page: a foreign Origin, a cross-site fetch, a foreign Host", async () => {
    const path = `/api/passes/${passId}/events?entries=0`;
    const foreignOrigin = await rawHttp(app.url, path, { headers: { origin: "http://attacker.example" } });
    expect(foreignOrigin.status).toBe(403);
    expect(errorBodySchema.parse(JSON.parse(foreignOrigin.body)).error.code).toBe("cross_origin");
    expect(foreignOrigin.body).not.toContain("obj_0000");
    const crossSite = await rawHttp(app.url, path, { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" } });
    expect(crossSite.status).toBe(403);
    expect(errorBodySchema.parse(JSON.parse(crossSite.body)).error.code).toBe("cross_origin");
    const rebound = await rawHttp(app.url, path, { headers: { host: "attacker.example" } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain("obj_0000");
    // The same request from our own page is answered.
    const own = await rawHttp(app.url, path, { headers: { origin: app.url, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" } });
    expect(own.status).toBe(200);
    expect(own.body).toContain('"firstKey":"obj_0000"');
  });
});
