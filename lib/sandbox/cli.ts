import path from "node:path";
import { parseArgs } from "node:util";
import { isLoopbackHost, SANDBOX_DEFAULTS } from "../config/index";
import { z } from "zod";
import { parseAllowedHosts } from "../gate/hosts";
import { FaultController, VERSIONS_END_EARLY, type FaultSettingsPatch, type VersionsEndEarly } from "./faults";
import { startSandbox } from "./index";
import { inventoryRequestSchema, writeInventory, type InventoryRequest } from "./inventory";
import { seedLarge } from "./seed";

// `npm run sandbox -- [options]`: the sandbox as a standalone S3 endpoint for awscli, SDKs and the app.

const USAGE = `Usage: npm run sandbox -- [options]

  --port <p>                 listen port (default ${SANDBOX_DEFAULTS.port}; 0 = any free port)
  --host <h>                 listen address (default 127.0.0.1; non-loopback needs --allow-remote)
  --allow-remote             allow a non-loopback --host (the credentials are fixed and public!)
  --allowed-hosts <list>     names it answers to beyond 127.0.0.1, localhost, [::1] and --host
                             (comma list of name or name:port; any other Host gets 421)
  --data-dir <dir>           where the SQLite store lives (default ./.data/sandbox)
  --access-key-id <k>        (default ${SANDBOX_DEFAULTS.accessKeyId})
  --secret-access-key <s>    (default ${SANDBOX_DEFAULTS.secretAccessKey})
  --region <r>               (default ${SANDBOX_DEFAULTS.region})
  --no-seed                  do not create the demo buckets on first start
  --seed-large <N>           add N generated keys to a bucket (see --seed-large-bucket)
  --seed-large-bucket <b>    bucket for --seed-large (default "large")

S3 Inventory (also at runtime: POST /_bucketscope/inventory):
  --inventory <src>:<dest>[/<prefix>]   write a report of bucket <src> into bucket <dest> at start
  --inventory-format <f>     CSV (default) or Parquet
  --inventory-config <id>    configuration id in the report's path (default "bucketscope")
  --inventory-versions       list every version and delete marker (default: current versions)

Fault injection on list requests (also at runtime: PUT /_bucketscope/faults with
"Authorization: Bearer <secret access key>"):
  --latency-ms <n>  --latency-jitter-ms <n>
  --error-rate <r>  --slowdown-rate <r>  --reset-rate <r>     rates in [0, 1]
  --fault-bucket <b>                                          only this bucket
  --fault-seed <n>                                            reproducible random faults

Behaving like other S3-compatible servers (also at runtime, under /_bucketscope/faults):
  --list-end-early                 ListObjectsV2 answers every request with a continuation token
                                   with an empty, untruncated page
  --versions-end-early <mode>      ListObjectVersions ends early: "null-marker" leaves
                                   NextVersionIdMarker out of truncated pages and answers the next
                                   request with an empty, untruncated page (as OpenStack Swift was
                                   seen to); "untruncated" calls the first page the last
  --omit-next-version-id-marker    truncated ListObjectVersions pages leave out NextVersionIdMarker
  --require-content-md5            DeleteObjects without Content-MD5 gets 400 InvalidRequest
                                   (x-amz-checksum-* is not enough), as Swift answers
  --ignore-start-after             ListObjectsV2 ignores start-after and lists from the beginning
`;

class UsageError extends Error {}

function numberOption(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"}, got "${value}"`);
  }
  return n;
}

function isVersionsEndEarly(value: string): value is VersionsEndEarly {
  return (VERSIONS_END_EARLY as readonly string[]).includes(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "allow-remote": { type: "boolean" },
      "allowed-hosts": { type: "string" },
      "data-dir": { type: "string" },
      "access-key-id": { type: "string" },
      "secret-access-key": { type: "string" },
      region: { type: "string" },
      "no-seed": { type: "boolean" },
      "seed-large": { type: "string" },
      "seed-large-bucket": { type: "string" },
      inventory: { type: "string" },
      "inventory-format": { type: "string" },
      "inventory-config": { type: "string" },
      "inventory-versions": { type: "boolean" },
      "latency-ms": { type: "string" },
      "latency-jitter-ms": { type: "string" },
      "error-rate": { type: "string" },
      "slowdown-rate": { type: "string" },
      "reset-rate": { type: "string" },
      "fault-bucket": { type: "string" },
      "fault-seed": { type: "string" },
      "list-end-early": { type: "boolean" },
      "versions-end-early": { type: "string" },
      "omit-next-version-id-marker": { type: "boolean" },
      "require-content-md5": { type: "boolean" },
      "ignore-start-after": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const host = values.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && !values["allow-remote"]) {
    throw new UsageError(
      `Refusing to listen on ${host}: this dev server has fixed, published credentials. Use 127.0.0.1, or pass --allow-remote if you really mean it.`,
    );
  }
  let allowedHosts;
  try {
    allowedHosts = parseAllowedHosts(values["allowed-hosts"]);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace("BUCKETSCOPE_ALLOWED_HOSTS", "--allowed-hosts") : String(err));
  }
  const port = numberOption(values.port, "port", true) ?? SANDBOX_DEFAULTS.port;
  if (port < 0 || port > 65535) throw new UsageError("--port must be between 0 and 65535");
  const seedLargeCount = numberOption(values["seed-large"], "seed-large", true);
  if (seedLargeCount !== undefined && seedLargeCount < 1) throw new UsageError("--seed-large must be at least 1");

  let inventory: InventoryRequest | null = null;
  if (values.inventory !== undefined) {
    const m = /^([^:]+):([^/]+)(?:\/(.*))?$/.exec(values.inventory);
    if (m === null) throw new UsageError(`--inventory takes <source bucket>:<destination bucket>[/<prefix>], got "${values.inventory}"`);
    const parsed = inventoryRequestSchema.safeParse({
      bucket: m[1],
      destinationBucket: m[2],
      destinationPrefix: m[3] ?? "",
      configId: values["inventory-config"],
      format: values["inventory-format"] ?? "CSV",
      includedObjectVersions: values["inventory-versions"] ? "All" : "Current",
    });
    if (!parsed.success) throw new UsageError(`invalid --inventory: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    inventory = parsed.data;
  } else if (values["inventory-format"] !== undefined || values["inventory-config"] !== undefined || values["inventory-versions"]) {
    throw new UsageError("--inventory-format, --inventory-config and --inventory-versions go with --inventory");
  }

  const faults: FaultSettingsPatch = {};
  const latencyMs = numberOption(values["latency-ms"], "latency-ms", true);
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const jitter = numberOption(values["latency-jitter-ms"], "latency-jitter-ms", true);
  if (jitter !== undefined) faults.latencyJitterMs = jitter;
  const errorRate = numberOption(values["error-rate"], "error-rate", false);
  if (errorRate !== undefined) faults.errorRate = errorRate;
  const slowDownRate = numberOption(values["slowdown-rate"], "slowdown-rate", false);
  if (slowDownRate !== undefined) faults.slowDownRate = slowDownRate;
  const resetRate = numberOption(values["reset-rate"], "reset-rate", false);
  if (resetRate !== undefined) faults.resetRate = resetRate;
  if (values["fault-bucket"] !== undefined) faults.bucket = values["fault-bucket"];
  const faultSeed = numberOption(values["fault-seed"], "fault-seed", true);
  if (faultSeed !== undefined) faults.seed = faultSeed;
  if (values["list-end-early"]) faults.listEndEarly = true;
  const versionsEndEarly = values["versions-end-early"];
  if (versionsEndEarly !== undefined) {
    if (!isVersionsEndEarly(versionsEndEarly)) throw new UsageError(`--versions-end-early must be one of ${VERSIONS_END_EARLY.join(", ")}, got "${versionsEndEarly}"`);
    faults.versionsEndEarly = versionsEndEarly;
  }
  if (values["omit-next-version-id-marker"]) faults.omitNextVersionIdMarker = true;
  if (values["require-content-md5"]) faults.requireContentMd5 = true;
  if (values["ignore-start-after"]) faults.ignoreStartAfter = true;

  try {
    new FaultController(faults);
  } catch (err) {
    const detail = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : String(err);
    throw new UsageError(`invalid fault settings: ${detail}`);
  }

  const dataDir = path.resolve(values["data-dir"] ?? path.join(".data", "sandbox"));
  let sandbox;
  try {
    sandbox = await startSandbox({
      dataDir,
      host,
      port,
      accessKeyId: values["access-key-id"],
      secretAccessKey: values["secret-access-key"],
      region: values.region,
      seed: !values["no-seed"],
      faults,
      allowedHosts,
    });
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "EADDRINUSE") throw new UsageError(`Port ${port} is already in use; pick another with --port.`);
    throw err;
  }

  if (seedLargeCount !== undefined) {
    const bucket = values["seed-large-bucket"] ?? "large";
    const started = Date.now();
    seedLarge(sandbox.store, bucket, seedLargeCount);
    console.log(`seeded ${seedLargeCount} keys into "${bucket}" in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  if (inventory !== null) {
    try {
      const report = await writeInventory(sandbox.store, inventory);
      console.log(`wrote an inventory report of "${inventory.bucket}" (${report.rows} rows): s3://${inventory.destinationBucket}/${report.manifestKey}`);
    } catch (err) {
      await sandbox.close();
      throw new UsageError(`--inventory: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const activeFaults = Object.entries(faults).map(([k, v]) => `${k}=${String(v)}`);
  console.log(`bucketscope S3 sandbox listening on ${sandbox.endpoint}
  data dir          ${dataDir}
  region            ${sandbox.region}
  access key id     ${sandbox.accessKeyId}
  secret access key ${sandbox.secretAccessKey}
  faults            ${activeFaults.length > 0 ? activeFaults.join(", ") : "off"}

Try:
  AWS_ACCESS_KEY_ID=${sandbox.accessKeyId} AWS_SECRET_ACCESS_KEY=${sandbox.secretAccessKey} AWS_DEFAULT_REGION=${sandbox.region} aws --endpoint-url ${sandbox.endpoint} s3 ls
`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down`);
    sandbox
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
    console.error(`error: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
