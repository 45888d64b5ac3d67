import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import { listPages, type ListedPage, type ListOptions, type ListParams } from "@/lib/lister";
import { putKeys } from "@/lib/passes/testing/harness";
import { startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";

// One walk over a key range (after, through], as each cursor of a parallel pass runs it, against the
// real sandbox.

let sandbox: TestSandbox;
let registry: ConnectionRegistry;
const keys = ["a", "a/1", "a/2", "b", "b\u0000", "b/x", "c", "d/1", "d/2", "e"];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("walk");
  putKeys(sandbox, "walk", keys);
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  registry = new ConnectionRegistry({ sandbox: { endpoint, accessKeyId, secretAccessKey, region }, extra: [], probeAws: false, env: {} });
});

afterAll(async () => {
  registry.close();
  await sandbox.stop();
});

const params = (p: Partial<ListParams> = {}): ListParams => ({ connection: "sandbox", bucket: "walk", prefix: "", delimiter: null, pageSize: 3, startAfter: null, ...p });

async function walk(p: Partial<ListParams>, opts: Partial<ListOptions>): Promise<ListedPage[]> {
  const client = (await registry.get("sandbox")).client;
  const out: ListedPage[] = [];
  for await (const page of listPages(client, params(p), { signal: new AbortController().signal, ...opts })) out.push(page);
  return out;
}

describe("a walk over a key range", () => {
  it("stops at the first item past `through`, leaves it out, and sends no request after it", async () => {
    sandbox.faults.resetStats();
    const pages = await walk({ startAfter: "a/1" }, { through: () => "b\u0000" });
    expect(pages.flatMap((p) => p.entries.map((e) => e.key))).toEqual(["a/2", "b", "b\u0000"]);
    expect(pages.map((p) => p.beyond)).toEqual([0, 3]);
    expect(pages.map((p) => p.record.lastKey)).toEqual(["b\u0000", null]);
    expect(sandbox.faults.state.stats.listRequests).toBe(2);
  });

  it("keeps a key equal to `through` and a common prefix not past it, once", async () => {
    const pages = await walk({ delimiter: "/", pageSize: 1000 }, { through: () => "d/" });
    expect(pages).toHaveLength(1);
    expect(pages[0]?.entries.map((e) => e.key)).toEqual(["a", "b", "b\u0000", "c"]);
    expect(pages[0]?.commonPrefixes).toEqual(["a/", "b/", "d/"]);
    expect(pages[0]?.beyond).toBe(1);
    const next = await walk({ delimiter: "/", pageSize: 1000, startAfter: "d/" }, {});
    expect(next[0]?.commonPrefixes).toEqual([]);
    expect(next[0]?.entries.map((e) => e.key)).toEqual(["e"]);
  });

  it("reads `through` as each page arrives, so a split can end a walk that is under way", async () => {
    let through: string | null = null;
    const client = (await registry.get("sandbox")).client;
    const seen: string[] = [];
    for await (const page of listPages(client, params({ pageSize: 2 }), { signal: new AbortController().signal, through: () => through })) {
      seen.push(...page.entries.map((e) => e.key));
      through = "b";
    }
    expect(seen).toEqual(["a", "a/1", "a/2", "b"]);
  });

  it("reports each 503 SlowDown answer, also those the SDK retried by itself", async () => {
    sandbox.faults.failNext(2, "SlowDown", { bucket: "walk" });
    let throttled = 0;
    const pages = await walk({ pageSize: 1000 }, { onThrottled: () => throttled++ });
    expect(pages[0]?.record.error).toBeNull();
    expect(pages[0]?.record.attempts).toBe(3);
    expect(throttled).toBe(2);
  });
});
