import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import type { PassEndEvent, PassEvent } from "@/lib/wire";
import { PassService, type PassServiceOptions } from "./service";
import { bucketKeys, bucketWith, FAST_RETRY, lockDatabase, passKeys, registryFor, startTestSandbox, tempDir, until } from "./testing/harness";

// The running-pass limit and what happens when the database refuses a pass's writes: a real sandbox,
// a real SQLite file, and a second real connection holding the write lock as another process would.

let sandbox: Sandbox;
const services: PassService[] = [];
const locks: { release(): void }[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  for (const l of locks.splice(0)) l.release();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function service(opts: Partial<PassServiceOptions> = {}): PassService {
  const s = new PassService({ dataDir: tempDir("pass-limits"), connections: registryFor(sandbox), retry: FAST_RETRY, ...opts });
  services.push(s);
  return s;
}

describe("the running-pass limit", () => {
  it("refuses a pass over the limit with too_many_passes and records nothing; a slot frees when a pass ends", async () => {
    const passes = service({ maxRunningPasses: 2 });
    const bucket = bucketWith(sandbox, "limits", 8);
    sandbox.faults.configure({ latencyMs: 200, bucket });
    const running = [await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1 }), await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1 })];
    expect(passes.running).toBe(2);

    await expect(passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 1000 })).rejects.toMatchObject({
      code: "too_many_passes",
      status: 429,
      message: expect.stringMatching(/^2 passes are running, the most this server runs at once \(BUCKETSCOPE_MAX_RUNNING_PASSES\)/) as unknown,
    });
    expect(passes.list({ limit: 100 }).map((p) => p.id).sort()).toEqual([...running].sort());

    // A resume takes a slot too.
    await passes.cancel(running[0] ?? "");
    const third = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1 });
    await expect(passes.resume(running[0] ?? "")).rejects.toMatchObject({ code: "too_many_passes" });
    expect(passes.summary(running[0] ?? "").status).toBe("cancelled");

    await passes.settled(third);
    await passes.settled(running[1] ?? "");
    expect(passes.running).toBe(0);
  });

  it("gives the slot back when a pass cannot start (no such bucket)", async () => {
    const passes = service({ maxRunningPasses: 1 });
    await expect(passes.create({ connection: "sandbox", bucket: "no-such-bucket-here", prefix: "", pageSize: 1000 })).rejects.toMatchObject({ code: "no_such_bucket" });
    await expect(passes.create({ connection: "nowhere", bucket: "demo", prefix: "", pageSize: 1000 })).rejects.toMatchObject({ code: "unknown_connection" });
    expect(passes.running).toBe(0);
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 1000 });
    expect((await passes.settled(id)).status).toBe("complete");
  });
});

describe("a pass whose writes fail", () => {
  it("ends failed with the reason, its viewer gets an end line, cancel answers 409, and resume completes it exactly", async () => {
    const dataDir = tempDir("pass-locked");
    const passes = service({ dataDir, busyTimeoutMs: 100 });
    const bucket = bucketWith(sandbox, "limits", 12);
    sandbox.faults.configure({ latencyMs: 100, bucket });
    const id = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 2 });

    const seen: PassEvent[] = [];
    const viewer = (async () => {
      for await (const e of passes.events(id, new AbortController().signal)) seen.push(e);
    })();
    await until("two pages", () => seen.filter((e) => e.type === "page").length, (n) => n >= 2);
    locks.push(lockDatabase(dataDir));

    await viewer;
    const end = seen.at(-1) as PassEndEvent;
    expect(end.type).toBe("end");
    expect(end.status).toBe("failed");
    expect(end.error).toMatchObject({ code: "storage_unavailable", retryable: true });
    expect(end.error?.message).toMatch(/could not be recorded: the database is locked by another connection/);
    expect(passes.summary(id)).toMatchObject({ status: "failed", resumable: true, error: { code: "storage_unavailable" } });
    const recorded = seen.filter((e) => e.type === "page").length;

    await expect(passes.cancel(id)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/not running \(it is failed\)/) as unknown });
    // While the database still refuses writes, a resume says why instead of hanging or lying.
    await expect(passes.resume(id)).rejects.toMatchObject({ code: "storage_unavailable", status: 503 });

    locks.pop()?.release();
    await passes.resume(id);
    const done = await passes.settled(id);
    expect(done).toMatchObject({ status: "complete", error: null, runs: 2 });
    expect(done.totals.pages).toBeGreaterThanOrEqual(recorded);
    expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, bucket));
    expect(done.totals.keys).toBe(12);
  });

  it("keeps the failed end in memory until the database takes it, then stores it", async () => {
    const dataDir = tempDir("pass-locked-end");
    const passes = service({ dataDir, busyTimeoutMs: 50 });
    const bucket = bucketWith(sandbox, "limits", 6);
    sandbox.faults.configure({ latencyMs: 150, bucket });
    const id = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1 });
    const lock = lockDatabase(dataDir);
    locks.push(lock);
    const ended = await passes.settled(id);
    expect(ended.status).toBe("failed");
    // The stored row still says running: only this process knows the end so far.
    expect(passes.store.summary(id)?.status).toBe("running");
    lock.release();
    await until("the end written", () => passes.store.summary(id)?.status, (s) => s === "failed", 10_000);
    expect(passes.store.summary(id)?.error?.code).toBe("storage_unavailable");
  });
});
