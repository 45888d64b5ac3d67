import { createHash } from "node:crypto";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { seedLarge } from "@/lib/sandbox/seed";
import type { PassService } from "./service";
import { bucketKeys, passKeys, serviceFor, startTestSandbox } from "./testing/harness";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const LOAD_KEYS = 100_000;
const VIEWERS = 20;

let sandbox: Sandbox;
let passes: PassService;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  seedLarge(sandbox.store, "load", LOAD_KEYS);
  passes = serviceFor(sandbox);
}, 120_000);
afterAll(async () => {
  await passes.close();
  await sandbox.close();
});

interface ViewerResult {
  digest: string;
  pages: number;
  keys: number;
  end: string;
}

/** A viewer that serializes every line like the NDJSON route and keeps only a digest of them. */
async function view(id: string): Promise<ViewerResult> {
  const hash = createHash("sha256");
  let pages = 0;
  let keys = 0;
  let end = "";
  for await (const e of passes.events(id, new AbortController().signal)) {
    if (e.type === "pass") continue;
    hash.update(JSON.stringify(e));
    if (e.type === "page") {
      pages++;
      keys += e.entries.length;
    }
    if (e.type === "end") end = e.status;
  }
  return { digest: hash.digest("hex"), pages, keys, end };
}

describe("load", () => {
  it(
    "serves 20 viewers of one pass while 5 other passes run: exact keys, full identical sequences, flat heap",
    async () => {
      sandbox.faults.configure({ latencyMs: 2, bucket: "demo" });
      const main = await passes.create({ connection: "sandbox", bucket: "load", prefix: "", pageSize: 1000 });
      const others = await Promise.all(
        [100, 250, 333, 500, 1000].map((pageSize) => passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize })),
      );

      const heap: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          gc();
          heap.push(process.memoryUsage().heapUsed);
          await new Promise((r) => setTimeout(r, 400));
        }
      })();

      const viewers: Promise<ViewerResult>[] = [];
      for (let i = 0; i < VIEWERS; i++) {
        viewers.push(view(main));
        // Spread the arrivals over the pass, so some replay from the database and some follow live.
        await new Promise((r) => setTimeout(r, 25));
      }
      const results = await Promise.all(viewers);
      const summaries = await Promise.all([main, ...others].map((id) => passes.settled(id)));
      sampling = false;
      await sampler;

      expect(summaries.map((s) => s.status)).toEqual(Array(6).fill("complete"));
      expect(summaries[0]?.totals).toMatchObject({ pages: LOAD_KEYS / 1000, keys: LOAD_KEYS, anomalies: 0 });
      for (const id of others) expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, "demo"));
      expect(passKeys(passes, main)).toEqual(bucketKeys(sandbox, "load"));

      const replay = await view(main);
      for (const r of results) {
        expect(r).toEqual({ digest: replay.digest, pages: LOAD_KEYS / 1000, keys: LOAD_KEYS, end: "complete" });
      }

      // One viewer holding its pass's entries would add well over 20 MB here; twenty, several hundred.
      const baseline = Math.min(...heap.slice(0, 3));
      const peak = Math.max(...heap);
      console.log(`heap after GC: baseline ${(baseline / 2 ** 20).toFixed(1)} MB, peak ${(peak / 2 ** 20).toFixed(1)} MB over ${heap.length} samples`);
      expect(peak - baseline).toBeLessThan(24 * 2 ** 20);
    },
    180_000,
  );
});
