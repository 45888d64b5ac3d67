import { fork } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// `npm run bench:sandbox`: ListObjectsV2 throughput of the sandbox, and proof that a page costs the
// same on a 1M-key bucket as on a 10k-key one. Three layers are measured: the store alone (in
// process), raw HTTP (hand-signed SigV4 GETs over one keep-alive socket, counting `<Key>` and
// parsing nothing else) and the AWS SDK. The sandbox serves from its own process, as in the app.
// Seeded buckets persist in the data dir, so only the first run pays for seeding.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHILD_ENV = "BUCKETSCOPE_BENCH_SANDBOX_CHILD";

interface SandboxEndpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** Child role: the sandbox HTTP server on the prepared data dir, until the parent disconnects. */
async function serveSandbox(): Promise<void> {
  const { startSandbox } = await import("../lib/sandbox/index");
  const dataDir = process.env.BENCH_DATA_DIR ?? "";
  const sandbox = await startSandbox({ dataDir, seed: false });
  const ready: SandboxEndpoint = {
    endpoint: sandbox.endpoint,
    accessKeyId: sandbox.accessKeyId,
    secretAccessKey: sandbox.secretAccessKey,
    region: sandbox.region,
  };
  process.send?.(ready);
  process.on("disconnect", () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}

async function runBenchmark(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "data-dir": { type: "string", default: path.join(root, ".data", "bench-sandbox") },
      fresh: { type: "boolean", default: false },
      large: { type: "string", default: "1000000" },
      small: { type: "string", default: "10000" },
      requests: { type: "string", default: "200" },
    },
  });
  const dataDir = path.resolve(args["data-dir"]);
  const largeKeys = Number(args.large);
  const smallKeys = Number(args.small);
  const requests = Number(args.requests);
  if (args.fresh) fs.rmSync(dataDir, { recursive: true, force: true });

  const large = { name: `bench-${largeKeys}`, keys: largeKeys };
  const small = { name: `bench-${smallKeys}`, keys: smallKeys };
  // The key names seedLarge writes: k/ and the index zero-padded to at least 7 digits.
  const keyAt = (bucket: { keys: number }, i: number) =>
    `k/${String(i).padStart(Math.max(7, String(Math.max(0, bucket.keys - 1)).length), "0")}`;
  const middleOf = (bucket: { keys: number }) => keyAt(bucket, Math.floor(bucket.keys / 2));
  const pagesOf = (bucket: { name: string; keys: number }) => [
    { label: "first page", bucket: bucket.name, startAfter: "" },
    { label: "middle page", bucket: bucket.name, startAfter: middleOf(bucket) },
    { label: "last page", bucket: bucket.name, startAfter: keyAt(bucket, bucket.keys - 1001) },
  ];

  // ---- seeding and the store alone ----
  const { createStore } = await import("../lib/sandbox/store/index");
  const { seedLarge } = await import("../lib/sandbox/seed");
  const store = createStore(dataDir);
  for (const bucket of [large, small]) {
    const started = performance.now();
    seedLarge(store, bucket.name, bucket.keys);
    const seconds = (performance.now() - started) / 1000;
    if (seconds > 1) console.log(`seeded ${bucket.keys} keys into ${bucket.name} in ${seconds.toFixed(1)} s`);
  }

  console.log(`\nListObjectsV2, 1000-key pages (data dir ${dataDir})`);
  console.log("                                                   ms/page (median, best)     keys/s (median, best)");
  console.log("layer     bucket         page                        median     best     median       best");
  const storeRounds = Math.max(requests, 300);
  for (const bucket of [large, small]) {
    for (const page of [...pagesOf(bucket), { label: "middle, prefix+delimiter", bucket: bucket.name, startAfter: middleOf(bucket), delimited: true }]) {
      const delimited = "delimited" in page;
      const list = () =>
        store.listObjectsV2(page.bucket, {
          prefix: delimited ? "k/" : "",
          delimiter: delimited ? "/" : "",
          maxKeys: 1000,
          startAfter: page.startAfter,
          continuationToken: undefined,
        }).keyCount;
      report("store", page.bucket, page.label, measure(list, storeRounds));
    }
  }
  store.close();

  // ---- raw HTTP and the SDK, against the sandbox in its own process ----
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [CHILD_ENV]: "1", BENCH_DATA_DIR: dataDir },
    stdio: "inherit",
  });
  const sandbox = await new Promise<SandboxEndpoint>((resolve, reject) => {
    child.once("message", (message) => resolve(message as SandboxEndpoint));
    child.once("exit", (code) => reject(new Error(`sandbox process exited with ${code}`)));
  });
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const signer = new GetSigner(sandbox);
    for (const bucket of [large, small]) {
      for (const page of pagesOf(bucket)) {
        const query: Record<string, string> = { "list-type": "2", "max-keys": "1000" };
        if (page.startAfter) query["start-after"] = page.startAfter;
        const get = () => rawGet(agent, signer, page.bucket, query);
        for (let i = 0; i < 20; i++) await get();
        report("raw http", page.bucket, page.label, await measureAsync(get, requests));
      }
    }
    agent.destroy();

    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const { S3Client, ListObjectsV2Command, paginateListObjectsV2 } = await import("@aws-sdk/client-s3");
    const client = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    for (const bucket of [large, small]) {
      const middle = middleOf(bucket);
      const get = async () =>
        (await client.send(new ListObjectsV2Command({ Bucket: bucket.name, StartAfter: middle }))).KeyCount ?? 0;
      for (let i = 0; i < 10; i++) await get();
      report("aws sdk", bucket.name, "middle page", await measureAsync(get, Math.ceil(requests / 2)));
    }
    const fullPass = async () => {
      let keys = 0;
      for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: small.name })) keys += page.KeyCount ?? 0;
      return keys;
    };
    report("aws sdk", small.name, "full pass (paginator)", await measureAsync(fullPass, 5));
    client.destroy();
  } finally {
    child.disconnect();
  }
}

/** Per-page durations; the median resists the spikes of a shared machine better than the mean. */
interface Measurement {
  keysPerPage: number;
  milliseconds: number[];
}

function measure(run: () => number, rounds: number): Measurement {
  for (let i = 0; i < 20; i++) run();
  const milliseconds: number[] = [];
  let keys = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    keys += run();
    milliseconds.push(performance.now() - started);
  }
  return { keysPerPage: keys / rounds, milliseconds };
}

async function measureAsync(run: () => Promise<number>, rounds: number): Promise<Measurement> {
  const milliseconds: number[] = [];
  let keys = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    keys += await run();
    milliseconds.push(performance.now() - started);
  }
  return { keysPerPage: keys / rounds, milliseconds };
}

function report(layer: string, bucket: string, label: string, m: Measurement): void {
  const sorted = [...m.milliseconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const best = sorted[0] ?? Number.NaN;
  const keysPerSecond = (ms: number) => Math.round(m.keysPerPage / (ms / 1000)).toLocaleString("en-US");
  console.log(
    `${layer.padEnd(9)} ${bucket.padEnd(14)} ${label.padEnd(25)} ${median.toFixed(3).padStart(8)} ${best.toFixed(3).padStart(8)} ${keysPerSecond(median).padStart(10)} ${keysPerSecond(best).padStart(10)}`,
  );
}

// ---- a minimal SigV4 client: GET with an unsigned payload, header-signed ----

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

class GetSigner {
  private readonly url: URL;
  private signingDate = "";
  private signingKey = Buffer.alloc(0);

  constructor(private readonly sandbox: SandboxEndpoint) {
    this.url = new URL(sandbox.endpoint);
  }

  sign(bucket: string, query: Record<string, string>): { path: string; headers: Record<string, string> } {
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
    const date = amzDate.slice(0, 8);
    if (date !== this.signingDate) {
      const kDate = createHmac("sha256", `AWS4${this.sandbox.secretAccessKey}`).update(date).digest();
      const kRegion = createHmac("sha256", kDate).update(this.sandbox.region).digest();
      const kService = createHmac("sha256", kRegion).update("s3").digest();
      this.signingKey = createHmac("sha256", kService).update("aws4_request").digest();
      this.signingDate = date;
    }
    const canonicalQuery = Object.entries(query)
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .sort()
      .join("&");
    const host = this.url.host;
    const signedHeaders = "host;x-amz-content-sha256;x-amz-date";
    const canonicalRequest = [
      "GET",
      `/${bucket}`,
      canonicalQuery,
      `host:${host}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:${amzDate}\n`,
      signedHeaders,
      "UNSIGNED-PAYLOAD",
    ].join("\n");
    const scope = `${date}/${this.sandbox.region}/s3/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
    const signature = createHmac("sha256", this.signingKey).update(stringToSign).digest("hex");
    return {
      path: `/${bucket}?${canonicalQuery}`,
      headers: {
        host,
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "x-amz-date": amzDate,
        authorization: `AWS4-HMAC-SHA256 Credential=${this.sandbox.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      },
    };
  }

  get hostname(): string {
    return this.url.hostname;
  }

  get port(): number {
    return Number(this.url.port);
  }
}

const KEY_TAG = Buffer.from("<Key>");

function rawGet(agent: http.Agent, signer: GetSigner, bucket: string, query: Record<string, string>): Promise<number> {
  const { path: requestPath, headers } = signer.sign(bucket, query);
  return new Promise((resolve, reject) => {
    const request = http.request({ agent, host: signer.hostname, port: signer.port, path: requestPath, method: "GET", headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const body = Buffer.concat(chunks);
        if (response.statusCode !== 200) {
          reject(new Error(`HTTP ${response.statusCode}: ${body.toString().slice(0, 500)}`));
          return;
        }
        let keys = 0;
        for (let at = body.indexOf(KEY_TAG); at >= 0; at = body.indexOf(KEY_TAG, at + KEY_TAG.length)) keys++;
        resolve(keys);
      });
    });
    request.on("error", reject);
    request.end();
  });
}

// Last, so that every declaration above is initialised before either role runs.
if (process.env[CHILD_ENV] === "1") {
  await serveSandbox();
} else {
  await runBenchmark();
}
