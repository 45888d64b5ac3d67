import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import { errorBodySchema, experimentListResponseSchema } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";

// POST /api/experiments on the built app: custom keys that proxies would normalise out of the
// experiment's prefix are refused with a reason before anything is written.

let sandbox: Sandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("experiments-api"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

async function post(body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${app.url}/api/experiments`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as unknown };
}

const raceKeys = () => sandbox.store.snapshotPrefix("demo", "bucketscope-race/").length;

describe("custom experiment keys", () => {
  it.each([
    ["../escape.txt", 'steps.1.key: "../escape.txt": a key must not contain "." or ".." path segments ("./", "../"): proxies that normalise paths would write outside the experiment\'s prefix'],
    ["a/../../b", 'steps.1.key: "a/../../b": a key must not contain "." or ".." path segments'],
    ["./here", 'steps.1.key: "./here": a key must not contain "." or ".." path segments'],
    ["dir/..", 'steps.1.key: "dir/..": a key must not contain "." or ".." path segments'],
    ["/rooted", 'steps.1.key: "/rooted": a key must not start with "/" (after the experiment\'s prefix that makes "//", which proxies collapse into another key)'],
    ["a//b", 'steps.1.key: "a//b": a key must not contain "//": proxies that collapse slashes would write another key'],
  ])("refuses %j with 400 and the reason, writing nothing", async (key, reason) => {
    const before = raceKeys();
    const { status, json } = await post({
      connection: "sandbox",
      bucket: "demo",
      scenario: "custom",
      keyCount: 5,
      pageSize: 2,
      steps: [
        { afterPage: 1, op: "put", key: "fine.txt" },
        { afterPage: 1, op: "put", key },
      ],
    });
    expect(status).toBe(400);
    const body = errorBodySchema.parse(json);
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message.startsWith(reason)).toBe(true);
    expect(raceKeys()).toBe(before);
    const list = await fetch(`${app.url}/api/experiments`);
    expect(experimentListResponseSchema.parse(await list.json()).experiments).toEqual([]);
  });

  it("accepts keys with dots that are not path segments", async () => {
    const { status, json } = await post({
      connection: "sandbox",
      bucket: "demo",
      scenario: "custom",
      keyCount: 5,
      pageSize: 2,
      steps: [{ afterPage: 1, op: "put", key: "v1.2/..hidden/a..b/.profile" }],
    });
    expect(status, JSON.stringify(json)).toBe(201);
  });
});

describe("parallel experiments", () => {
  it.each([
    [0, "concurrency: the concurrency must be between 1 and 8 (1: one cursor, the sequential pass)"],
    [9, "concurrency: the concurrency must be between 1 and 8 (1: one cursor, the sequential pass)"],
    [2.5, "concurrency: the concurrency must be a whole number of cursors"],
    ["4", "concurrency: the concurrency must be a number of cursors"],
  ])("refuses concurrency %j with 400 and the reason, recording nothing", async (concurrency, reason) => {
    // Counted by experiments, not keys: the one accepted above may still be writing its own.
    const recorded = async () => experimentListResponseSchema.parse(await (await fetch(`${app.url}/api/experiments`)).json()).experiments.length;
    const before = await recorded();
    const { status, json } = await post({ connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 20, pageSize: 5, concurrency });
    expect(status).toBe(400);
    const body = errorBodySchema.parse(json);
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message.startsWith(reason), body.error.message).toBe(true);
    expect(await recorded()).toBe(before);
  });
});
