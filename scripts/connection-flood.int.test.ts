import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { sleep, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { passSummarySchema } from "@/lib/wire";
import { startApp, type RunningApp } from "./testing/app";
import { rawHttp } from "./testing/raw-http";

// A connection flood against a server with few file descriptors left. What Node does (Node 20.20,
// libuv 1.46, Linux): accept() failing with EMFILE never reaches JavaScript. Since libuv 1.45
// (libuv/libuv 6c692ad1c, src/unix/stream.c uv__server_io) it closes a spare descriptor, accepts and
// closes the waiting connections to shed them, takes the spare again and returns; when even that
// fails the connection stays queued and is retried on the next loop turn. Only Windows reports an
// accept failure to the listener ('error' on the server). So the server must not exit on a
// server 'error' after it listens, and nothing else in the app may die of EMFILE meanwhile (a file
// Next opens, SQLite, a worker). This test runs the app at a soft limit a little above what it uses
// when idle, floods it, and then uses it.

let sandbox: Sandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({ dataDir: tempDir("flood"), sandbox: { endpoint, accessKeyId, secretAccessKey, region }, env: { BUCKETSCOPE_AWS: "off" } });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  onTestFailed(() => console.error(`app output (tail):\n${app.output().slice(-4000)}`));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(path: string, deadlineMs: number): Promise<number> {
  for (;;) {
    try {
      return (await rawHttp(app.url, path)).status;
    } catch (err) {
      if (Date.now() > deadlineMs) throw err;
      await sleep(200);
    }
  }
}

describe("a connection flood at a low file-descriptor limit", () => {
  it("does not stop the server: it answers pages, the API and new passes afterwards", async () => {
    // Warm up what the later requests need (routes compiled, database open), then count descriptors.
    expect(await answers("/", Date.now() + 30_000)).toBe(200);
    expect((await fetch(`${app.url}/api/passes`)).status).toBe(200);
    const idle = readdirSync(`/proc/${app.pid}/fd`).length;
    const limit = idle + 48;
    execFileSync("prlimit", [`--pid=${app.pid}`, `--nofile=${limit}:`]);

    const port = Number(new URL(app.url).port);
    const flood: net.Socket[] = [];
    for (let i = 0; i < 400; i++) {
      const socket = net.connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      flood.push(socket);
    }
    // Requests in the middle of it: some fail (the server sheds connections), none may kill it.
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rawHttp(app.url, i % 2 === 0 ? "/api/connections" : "/").then(
          (r) => r.status,
          (err: NodeJS.ErrnoException) => err.code ?? "error",
        ),
      ),
    );
    // The limit was reached: the server shed connections instead of serving them.
    expect(during.filter((status) => typeof status !== "number").length).toBeGreaterThan(0);
    expect(alive(app.pid)).toBe(true);
    for (const socket of flood) socket.destroy();

    // Still at the low limit: the server answers once the flood's descriptors are closed.
    expect(await answers("/api/health", Date.now() + 30_000)).toBe(200);
    expect(alive(app.pid)).toBe(true);
    const page = await rawHttp(app.url, "/b/sandbox/demo");
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    const created = await fetch(`${app.url}/api/passes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", bucket: "demo", pageSize: 1000 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    for (;;) {
      const s = passSummarySchema.parse(await (await fetch(`${app.url}/api/passes/${id}`)).json());
      if (s.status !== "running") {
        expect(s).toMatchObject({ status: "complete", totals: { keys: 3000, pages: 3 } });
        break;
      }
      await sleep(100);
    }
    expect(app.output()).not.toMatch(/cannot listen|exited/);
  });
});
