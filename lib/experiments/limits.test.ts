import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PassService } from "@/lib/passes";
import { FAST_RETRY, lockDatabase, registryFor, startTestSandbox, tempDir, until } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { experimentParamsSchema, type ExperimentEvent, type ExperimentParamsInput } from "@/lib/wire";
import { ExperimentService, type ExperimentServiceOptions } from "./service";

// The race lab's limits and failure paths on a real sandbox and a real SQLite file: how many run at
// once, how much one may log, and what happens when the database refuses an experiment's writes.

let sandbox: Sandbox;
const opened: { lab: ExperimentService; passes: PassService }[] = [];
const locks: { release(): void }[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  for (const l of locks.splice(0)) l.release();
  for (const o of opened.splice(0)) {
    await o.lab.close();
    await o.passes.close();
  }
});

function lab(opts: Partial<ExperimentServiceOptions> = {}, passOpts: { dataDir?: string; busyTimeoutMs?: number } = {}): ExperimentService {
  const passes = new PassService({ dataDir: passOpts.dataDir ?? tempDir("lab-limits"), connections: registryFor(sandbox), retry: FAST_RETRY, busyTimeoutMs: passOpts.busyTimeoutMs });
  const service = new ExperimentService({
    passes,
    connections: registryFor(sandbox),
    sandboxAdmin: { endpoint: sandbox.endpoint, secretAccessKey: sandbox.secretAccessKey },
    retry: FAST_RETRY,
    ...opts,
  });
  opened.push({ lab: service, passes });
  return service;
}

const start = (service: ExperimentService, input: ExperimentParamsInput) => service.create(experimentParamsSchema.parse(input));
const keysUnder = (prefix: string) => sandbox.store.snapshotPrefix("demo", prefix).map((o) => o.key);
const slowChurn: ExperimentParamsInput = { connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 30, pageSize: 1, rate: 50, latencyMs: 10_000 };

describe("race-lab limits", () => {
  it("runs at most 2 experiments at once: the third is refused with too_many_experiments and recorded nowhere", async () => {
    const service = lab();
    // Less latency than slowChurn: stopping one cleans up while the other still slows the bucket down.
    const slow: ExperimentParamsInput = { ...slowChurn, latencyMs: 2000 };
    const a = await start(service, slow);
    const b = await start(service, slow);
    await expect(start(service, slowChurn)).rejects.toMatchObject({
      code: "too_many_experiments",
      status: 429,
      message: expect.stringMatching(/^2 experiments are running, the most this server runs at once \(BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS\)/) as unknown,
    });
    expect(service.list().map((e) => e.id).sort()).toEqual([a, b].sort());
    await service.stop(a);
    const c = await start(service, slow);
    expect(service.summary(c).status).toBe("running");
  });

  it("stops an experiment at its run-time limit, cleans it up and says why", async () => {
    const service = lab({ maxRunMs: 1500 });
    const id = await start(service, slowChurn);
    const s = await service.settled(id);
    expect(s).toMatchObject({ status: "failed", cleanedUp: true, error: { code: "time_limit" } });
    expect(s.error?.message).toBe("Stopped after 1.5 s, the longest an experiment may run (BUCKETSCOPE_EXPERIMENT_MAX_SECONDS).");
    expect(keysUnder(s.prefix)).toEqual([]);
    expect(sandbox.faults.state.latencyMs).toBe(0);
    // Its pass says why it stopped too.
    const passId = service.detail(id).experiment.passId;
    expect(passId).not.toBeNull();
    expect(opened.at(-1)?.passes.summary(passId ?? "")).toMatchObject({ status: "failed", error: { code: "time_limit" } });
  });

  it("ends a churn experiment with page size 1 and 10 s latency at its log limit instead of growing: the log, the pass and the prefix are bounded and cleaned", async () => {
    const maxEvents = 40;
    const service = lab({ maxEvents });
    const id = await start(service, slowChurn);
    const s = await service.settled(id);
    expect(s).toMatchObject({ status: "failed", cleanedUp: true, error: { code: "log_limit" } });
    expect(s.error?.message).toBe(`Stopped after logging ${maxEvents} pages and mutations, the most an experiment may log (BUCKETSCOPE_EXPERIMENT_MAX_EVENTS).`);
    const d = service.detail(id);
    expect(d.pages.length + d.mutations.length).toBe(maxEvents);
    const stored = service.store.events(service.store.seqOf(id) ?? -1);
    expect(stored.length).toBeLessThanOrEqual(maxEvents + 10);
    expect(keysUnder(s.prefix)).toEqual([]);
    expect(sandbox.faults.state.latencyMs).toBe(0);
  });
});

describe("an experiment whose writes fail", () => {
  it("ends failed with the reason, its viewer gets an end line, its prefix is still cleaned up, and the end is stored once the database takes it", async () => {
    const dataDir = tempDir("lab-locked");
    const service = lab({}, { dataDir, busyTimeoutMs: 50 });
    const id = await start(service, { connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 30, pageSize: 1, rate: 20, latencyMs: 100 });
    const seen: ExperimentEvent[] = [];
    const viewer = (async () => {
      for await (const e of service.events(id, new AbortController().signal)) seen.push(e);
    })();
    await until("the listing", () => seen.filter((e) => e.type === "page").length, (n) => n >= 2);
    const lock = lockDatabase(dataDir);
    locks.push(lock);

    await viewer;
    const end = seen.at(-1);
    expect(end?.type).toBe("end");
    const s = end?.type === "end" ? end.experiment : null;
    expect(s).toMatchObject({ status: "failed", cleanedUp: true, error: { code: "storage_unavailable" } });
    expect(s?.error?.message).toMatch(/the database is locked by another connection/);
    expect(keysUnder(s?.prefix ?? "")).toEqual([]);
    await expect(service.stop(id)).rejects.toMatchObject({ code: "conflict" });

    lock.release();
    await until("the end stored", () => service.store.summary(id)?.status, (st) => st === "failed", 10_000);
    expect(service.store.summary(id)).toMatchObject({ cleanedUp: true, error: { code: "storage_unavailable" } });
  });
});
