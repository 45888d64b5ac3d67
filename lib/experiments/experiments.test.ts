import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import type { PassService } from "@/lib/passes";
import { putKeys, registryFor, serviceFor, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { experimentEventSchema, experimentParamsSchema, type ExperimentDetail, type ExperimentEvent, type ExperimentParamsInput, type Mutation } from "@/lib/wire";
import { injectLatency } from "./bucket-ops";
import { ExperimentService, raceSplitPoints } from "./service";

let sandbox: Sandbox;
let passes: PassService;
let lab: ExperimentService;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  passes = serviceFor(sandbox, tempDir("experiments"));
  lab = new ExperimentService({
    passes,
    connections: registryFor(sandbox),
    sandboxAdmin: { endpoint: sandbox.endpoint, secretAccessKey: sandbox.secretAccessKey },
  });
});
afterAll(async () => {
  await lab.close();
  await passes.close();
  await sandbox.close();
});

const never = new AbortController().signal;

async function run(service: ExperimentService, input: ExperimentParamsInput): Promise<ExperimentDetail> {
  const id = await service.create(experimentParamsSchema.parse(input));
  await service.settled(id);
  return service.detail(id);
}

const anomalies = (d: ExperimentDetail) => d.verdicts.filter((v) => v.verdict !== "consistent");
const keysUnder = (prefix: string) => sandbox.store.snapshotPrefix("demo", prefix).map((o) => o.key);

describe("the seed scenario on the sandbox", () => {
  let d: ExperimentDetail;
  beforeAll(async () => {
    d = await run(lab, { connection: "sandbox", bucket: "demo", scenario: "seed" });
  }, 120_000);

  it("finds obj_1100 gone-early and nothing else: the pass differs from the bucket at its start and matches it at its end", () => {
    expect(d.experiment).toMatchObject({ status: "complete", truthMethod: "sandbox-snapshot", pageSize: 1000, error: null });
    expect(d.pages.map((p) => [p.index, p.keyCount, p.firstKey, p.lastKey])).toEqual([
      [0, 1000, "obj_0000", "obj_0999"],
      [1, 1000, "obj_1000", "obj_2000"],
      [2, 999, "obj_2001", "obj_2999"],
    ]);
    expect(anomalies(d).map((v) => [v.key, v.verdict, v.page, v.start !== null, v.end, v.listed])).toEqual([
      ["obj_1100", "gone-early", 1, true, null, null],
    ]);
    expect(d.verdicts).toHaveLength(3000);
    expect(d.experiment.result).toMatchObject({ equalsStart: false, equalsEnd: true, startKeys: 3000, endKeys: 2999, listedKeys: 2999, pages: 3, mutations: 1 });
    expect(d.experiment.result?.line).toMatch(/differs from the bucket at its start \(1 key: obj_1100\) and matches the bucket at its end/);
    expect(d.truth.map((t) => [t.which, t.method, t.count])).toEqual([
      ["start", "sandbox-snapshot", 3000],
      ["end", "sandbox-snapshot", 2999],
    ]);
  });

  it("acknowledges the delete after page 1 is received and before page 2 is requested", () => {
    const [del] = d.mutations;
    expect(del).toMatchObject({ op: "delete", key: "obj_1100", ok: true, trigger: { kind: "after-page", page: 0 } });
    expect(Date.parse(del?.sentAt ?? "")).toBeGreaterThanOrEqual(Date.parse(d.pages[0]?.receivedAt ?? ""));
    expect(Date.parse(d.pages[1]?.requestedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(del?.ackedAt ?? ""));
  });

  it("records the pass like any other and cleans the prefix up afterwards", async () => {
    expect(d.experiment.cleanedUp).toBe(true);
    expect(keysUnder(d.experiment.prefix)).toEqual([]);
    expect(d.experiment.prefix).toMatch(/^bucketscope-race\/[0-9a-f]{12}\/$/);
    const pass = await passes.settled(d.experiment.passId ?? "");
    expect(pass).toMatchObject({ status: "complete", prefix: d.experiment.prefix, totals: { pages: 3, keys: 2999 } });
    expect(lab.list().map((e) => e.id)).toContain(d.experiment.id);
  });

  it("streams pages and mutations in the order they happened, then an end line; a replay has no requests in flight", async () => {
    const events: ExperimentEvent[] = [];
    for await (const e of lab.events(d.experiment.id, never)) events.push(experimentEventSchema.parse(e));
    const kinds = events.filter((e) => e.type !== "phase").map((e) => (e.type === "truth" ? `truth:${e.truth.which}` : e.type));
    expect(kinds).toEqual(["experiment", "setup", "truth:start", "page", "mutation", "page", "page", "truth:end", "end"]);
    // Of the setup, only its last line is logged: what it wrote.
    expect(events.find((e) => e.type === "setup")).toMatchObject({ written: 3000, total: 3000 });
    expect(events.at(-1)).toMatchObject({ type: "end", experiment: { status: "complete" } });
  });
});

describe("a live viewer of an experiment", () => {
  it("hears the setup's progress while the keys are written, then each page request before its answer", async () => {
    const id = await lab.create(experimentParamsSchema.parse({ connection: "sandbox", bucket: "demo", scenario: "seed", latencyMs: 150 }));
    const events: ExperimentEvent[] = [];
    for await (const e of lab.events(id, never)) events.push(experimentEventSchema.parse(e));
    expect(events.at(-1)).toMatchObject({ type: "end", experiment: { status: "complete" } });

    const setup = events.flatMap((e) => (e.type === "setup" ? [e] : []));
    expect(setup.at(-1)).toMatchObject({ written: 3000, total: 3000 });
    const counts = setup.map((e) => e.written);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // At most one line per 2% written (and the first and last), however slow the writes.
    expect(setup.length).toBeLessThanOrEqual(52);
    const lastSetup = events.findLastIndex((e) => e.type === "setup");
    expect(lastSetup).toBeLessThan(events.findIndex((e) => e.type === "request"));

    // Each page: its request, then its answer (a viewer may miss a request, never see one after its page).
    const order = events.flatMap((e) => (e.type === "request" ? [`request ${e.index}`] : e.type === "page" ? [`page ${e.page.index}`] : []));
    for (const [i, line] of order.entries()) {
      if (!line.startsWith("request")) continue;
      expect(order[i + 1], `after ${line}`).toBe(`page ${line.split(" ")[1]}`);
    }
    // With 150 ms per page, each of the three requests is in flight long enough to be heard.
    expect(order).toEqual(["request 0", "page 0", "request 1", "page 1", "request 2", "page 2"]);
    const requests = events.flatMap((e) => (e.type === "request" ? [e] : []));
    const pages = events.flatMap((e) => (e.type === "page" ? [e.page] : []));
    for (const [i, r] of requests.entries()) expect(Date.parse(r.requestedAt)).toBeLessThanOrEqual(Date.parse(pages[i]?.requestedAt ?? ""));
    // Requests are not logged, and of the setup only its last line.
    const logged = lab.store.events(lab.store.seqOf(id) ?? -1);
    expect(logged.filter((e) => e.type === "setup")).toEqual([expect.objectContaining({ written: 3000 })]);
    expect(logged.some((e) => (e.type as string) === "request")).toBe(false);
  }, 120_000);
});

describe("behind and ahead of the cursor", () => {
  it("gives each planted mutation its expected verdict and leaves every other key consistent", async () => {
    const d = await run(lab, { connection: "sandbox", bucket: "demo", scenario: "behind-ahead", keepData: true });
    expect(d.experiment.status).toBe("complete");
    expect(Object.fromEntries(anomalies(d).map((v) => [v.key, v.verdict]))).toEqual({
      obj_0200: "phantom",
      obj_0500a: "missed",
      obj_0700: "stale-version",
      obj_1800: "gone-early",
      obj_2200: "seen-new",
      obj_2500a: "seen-new",
    });
    const overwrittenAhead = d.verdicts.find((v) => v.key === "obj_2200");
    const overwrite = d.mutations.find((m) => m.key === "obj_2200");
    expect(overwrittenAhead?.listed?.etag).toBe(overwrite?.etag);
    const overwrittenBehind = d.verdicts.find((v) => v.key === "obj_0700");
    expect(overwrittenBehind?.listed?.etag).toBe(overwrittenBehind?.start?.etag);
    expect(overwrittenBehind?.end?.etag).not.toBe(overwrittenBehind?.start?.etag);
    expect(d.experiment.result).toMatchObject({ equalsStart: false, equalsEnd: false });
    // keepData: the prefix still holds the bucket's end state.
    expect(d.experiment.cleanedUp).toBe(false);
    expect(keysUnder(d.experiment.prefix)).toHaveLength(3000);
  }, 120_000);
});

/**
 * Each key's verdict agrees with the log: the key's page (the one whose range holds it) shows every
 * mutation acknowledged before that page was requested and none sent after it was answered. Returns
 * how many keys were decided so (a mutation in flight during its page may go either way).
 */
function expectVerdictsFollowTheLog(d: ExperimentDetail): number {
  const byKey = new Map<string, Mutation[]>();
  for (const m of d.mutations) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  let decided = 0;
  for (const v of d.verdicts) {
    const muts = byKey.get(v.key) ?? [];
    if (muts.length === 0) {
      expect(v.verdict, v.key).toBe("consistent");
      continue;
    }
    const page = d.pages.find((p) => p.index === v.page);
    expect(page, v.key).toBeDefined();
    const requested = Date.parse(page?.requestedAt ?? "");
    const answered = Date.parse(page?.receivedAt ?? "");
    // A mutation in flight while its page was being answered may or may not be reflected.
    if (muts.some((m) => !(Date.parse(m.ackedAt) < requested || Date.parse(m.sentAt) > answered))) continue;
    let expected: string | null = v.start?.etag ?? null;
    let present = v.start !== null;
    for (const m of muts) {
      if (Date.parse(m.ackedAt) >= requested) continue;
      present = m.op !== "delete";
      expected = m.etag;
    }
    expect(v.listed !== null, `${v.key} listed`).toBe(present);
    if (present) expect(v.listed?.etag, `${v.key} version`).toBe(expected);
    decided++;
  }
  return decided;
}

describe("churn with a fixed seed", () => {
  it("reflects every mutation acknowledged before its key's page was requested, and none sent after it was answered", async () => {
    const d = await run(lab, {
      connection: "sandbox",
      bucket: "demo",
      scenario: "churn",
      keyCount: 400,
      pageSize: 25,
      rate: 150,
      seed: 7,
      latencyMs: 25,
    });
    expect(d.experiment).toMatchObject({ status: "complete", params: { seed: 7 } });
    expect(d.pages.length).toBeGreaterThanOrEqual(15);
    expect(d.mutations.length).toBeGreaterThanOrEqual(20);
    expect(sandbox.faults.state.latencyMs).toBe(0);

    const decided = expectVerdictsFollowTheLog(d);
    expect(decided).toBeGreaterThanOrEqual(10);
    expect(anomalies(d).length).toBeGreaterThan(0);
  }, 120_000);
});

describe("a parallel pass", () => {
  it("lists the prefix in several key ranges at once, and each key's verdict follows from the page of the range holding it", async () => {
    const d = await run(lab, {
      connection: "sandbox",
      bucket: "demo",
      scenario: "churn",
      keyCount: 400,
      pageSize: 25,
      rate: 150,
      seed: 11,
      latencyMs: 40,
      concurrency: 4,
    });
    expect(d.experiment).toMatchObject({ status: "complete", params: { concurrency: 4 } });
    const ranges = new Set(d.pages.map((p) => p.cursor?.range));
    expect(ranges.size).toBeGreaterThanOrEqual(4);
    // The prefix starts cut at its seeded keys into four equal parts; each part's cursor lists keys.
    const firstPages = [0, 1, 2, 3].map((r) => d.pages.find((p) => p.cursor?.range === r && p.cursor.page === 0)?.cursor);
    expect(firstPages.map((c) => c?.after ?? null)).toEqual([null, "obj_0099", "obj_0199", "obj_0299"]);
    for (const r of [0, 1, 2, 3]) expect(d.pages.filter((p) => p.cursor?.range === r).reduce((n, p) => n + p.keyCount, 0), `range ${r}`).toBeGreaterThan(50);
    expect(d.pages.every((p) => p.cursor !== undefined)).toBe(true);
    // Several cursors were out at the same time: some page was requested before the previous one was answered.
    const overlapping = d.pages.some((p, i) => i > 0 && Date.parse(p.requestedAt) < Date.parse(d.pages[i - 1]?.receivedAt ?? ""));
    expect(overlapping).toBe(true);
    // Each range lists its own keys, in order, within (after, through].
    for (const p of d.pages) {
      const c = p.cursor;
      if (c === undefined || p.firstKey === null || p.lastKey === null) continue;
      if (c.after !== null) expect(p.firstKey > c.after, `page ${p.index} starts after its range`).toBe(true);
      if (c.through !== null) expect(p.lastKey <= c.through, `page ${p.index} ends in its range`).toBe(true);
    }
    expect(expectVerdictsFollowTheLog(d)).toBeGreaterThanOrEqual(10);
    expect(d.verdicts.every((v) => v.page !== null)).toBe(true);
    const pass = await passes.settled(d.experiment.passId ?? "");
    expect(pass).toMatchObject({ status: "complete", concurrency: 4, totals: { pages: d.pages.length, keys: d.experiment.result?.listedKeys } });
    expect(keysUnder(d.experiment.prefix)).toEqual([]);
  }, 120_000);

  it("cuts the seeded keys into equal parts, never twice at one key", () => {
    expect(raceSplitPoints(["a", "b", "c", "d", "e", "f", "g", "h"], 4)).toEqual(["b", "d", "f"]);
    expect(raceSplitPoints(["a", "b"], 4)).toEqual(["a"]);
    expect(raceSplitPoints(["a", "b", "c"], 1)).toEqual([]);
  });

  it("refuses a concurrency the lab cannot draw, before writing anything", () => {
    for (const concurrency of [0, 9, 2.5, "4"]) {
      const parsed = experimentParamsSchema.safeParse({ connection: "sandbox", bucket: "demo", scenario: "seed", concurrency });
      expect(parsed.success, String(concurrency)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/concurrency must be/);
    }
  });
});

describe("a custom schedule", () => {
  it("sends an 'at t' step t ms after the first request, and its verdict follows from when it landed", async () => {
    const d = await run(lab, {
      connection: "sandbox",
      bucket: "demo",
      scenario: "custom",
      keyCount: 300,
      pageSize: 30,
      latencyMs: 40,
      steps: [
        { atMs: 150, op: "delete", key: "obj_0250" },
        { afterPage: 2, op: "overwrite", key: "obj_0100" },
      ],
    });
    const at = d.mutations.find((m) => m.trigger.kind === "at");
    const first = d.pages[0];
    expect(at).toMatchObject({ op: "delete", key: "obj_0250", ok: true });
    expect(Date.parse(at?.sentAt ?? "") - Date.parse(first?.requestedAt ?? "")).toBeGreaterThanOrEqual(145);
    const v = d.verdicts.find((k) => k.key === "obj_0250");
    const page = d.pages.find((p) => p.index === v?.page);
    if (Date.parse(at?.ackedAt ?? "") < Date.parse(page?.requestedAt ?? "")) expect(v?.verdict).toBe("gone-early");
    else if (Date.parse(at?.sentAt ?? "") > Date.parse(page?.receivedAt ?? "")) expect(v?.verdict).toBe("phantom");
    expect(d.verdicts.find((k) => k.key === "obj_0100")?.verdict).toBe("seen-new");
    expect(d.mutations.find((m) => m.key === "obj_0100")?.trigger).toEqual({ kind: "after-page", page: 1 });
  }, 120_000);
});

describe("stopping", () => {
  it("stops a running experiment, which still cleans its prefix up; a finished one cannot be stopped", async () => {
    const id = await lab.create(
      experimentParamsSchema.parse({ connection: "sandbox", bucket: "demo", scenario: "churn", keyCount: 200, pageSize: 10, rate: 20, latencyMs: 200 }),
    );
    for (let i = 0; i < 200 && lab.summary(id).phase !== "listing"; i++) await new Promise((r) => setTimeout(r, 50));
    const stopped = await lab.stop(id);
    expect(stopped).toMatchObject({ status: "cancelled", error: null, cleanedUp: true });
    expect(keysUnder(stopped.prefix)).toEqual([]);
    expect(sandbox.faults.state.latencyMs).toBe(0);
    await expect(lab.stop(id)).rejects.toMatchObject({ code: "conflict" });
  }, 60_000);
});

describe("injected latency", () => {
  it("keeps the sandbox's own settings until the last of overlapping experiments ends", async () => {
    const admin = { endpoint: sandbox.endpoint, secretAccessKey: sandbox.secretAccessKey };
    sandbox.faults.configure({ latencyMs: 0, bucket: null });
    const releaseA = await injectLatency(admin, "demo", 300);
    expect(sandbox.faults.state).toMatchObject({ latencyMs: 300, bucket: "demo" });
    const releaseB = await injectLatency(admin, "photos", 500);
    expect(sandbox.faults.state).toMatchObject({ latencyMs: 500, bucket: null });
    await releaseA();
    expect(sandbox.faults.state).toMatchObject({ latencyMs: 500, bucket: "photos" });
    await releaseB();
    await releaseB();
    expect(sandbox.faults.state).toMatchObject({ latencyMs: 0, latencyJitterMs: 0, bucket: null });
  });
});

describe("safety", () => {
  it("refuses a read-only connection with 403 read_only_connection and writes nothing", async () => {
    const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
    const registry = new ConnectionRegistry({
      sandbox: null,
      extra: [{ name: "ro", endpoint, region, accessKeyId, secretAccessKey, forcePathStyle: true, writable: false }],
      probeAws: false,
      env: {},
    });
    const readOnly = new ExperimentService({ passes, connections: registry, sandboxAdmin: null });
    const before = keysUnder("bucketscope-race/").length;
    const attempt = readOnly.create(experimentParamsSchema.parse({ connection: "ro", bucket: "demo", scenario: "seed" }));
    await expect(attempt).rejects.toMatchObject({ code: "read_only_connection", status: 403 });
    await expect(attempt).rejects.toThrow(/is read-only; experiments write and delete objects/);
    expect(keysUnder("bucketscope-race/")).toHaveLength(before);
  });

  it("on another writable connection uses a quiescent listing as ground truth and refuses sandbox latency", async () => {
    const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
    const registry = new ConnectionRegistry({
      sandbox: null,
      extra: [{ name: "rw", endpoint, region, accessKeyId, secretAccessKey, forcePathStyle: true, writable: true }],
      probeAws: false,
      env: {},
    });
    const other = new ExperimentService({ passes, connections: registry, sandboxAdmin: null });
    await expect(
      other.create(experimentParamsSchema.parse({ connection: "rw", bucket: "demo", scenario: "seed", latencyMs: 100 })),
    ).rejects.toMatchObject({ code: "bad_request" });
    const d = await run(other, {
      connection: "rw",
      bucket: "demo",
      scenario: "custom",
      keyCount: 300,
      pageSize: 100,
      steps: [{ afterPage: 1, op: "delete", key: "obj_0150" }],
    });
    expect(d.experiment.truthMethod).toBe("quiescent-listing");
    expect(d.truth.map((t) => t.method)).toEqual(["quiescent-listing", "quiescent-listing"]);
    expect(anomalies(d).map((v) => [v.key, v.verdict])).toEqual([["obj_0150", "gone-early"]]);
    expect(keysUnder(d.experiment.prefix)).toEqual([]);
  }, 120_000);

  it("empties the prefix of an experiment a previous process left interrupted", async () => {
    const id = "0123456789ab";
    const prefix = `bucketscope-race/${id}/`;
    lab.store.create({ id, params: experimentParamsSchema.parse({ connection: "sandbox", bucket: "demo", scenario: "seed" }), prefix, pageSize: 1000, truthMethod: "sandbox-snapshot" });
    putKeys(sandbox, "demo", [`${prefix}obj_0000`, `${prefix}obj_0001`]);
    const next = new ExperimentService({ passes, connections: registryFor(sandbox), sandboxAdmin: null });
    expect(next.summary(id).status).toBe("interrupted");
    expect(await next.cleanUpInterrupted()).toBe(1);
    expect(keysUnder(prefix)).toEqual([]);
    expect(next.summary(id).cleanedUp).toBe(true);
    expect(await next.cleanUpInterrupted()).toBe(0);
  });

  it("refuses an unknown bucket before recording anything", async () => {
    await expect(lab.create(experimentParamsSchema.parse({ connection: "sandbox", bucket: "no-such-bucket", scenario: "seed" }))).rejects.toMatchObject({
      code: "no_such_bucket",
    });
  });
});
