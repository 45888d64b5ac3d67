import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ListBucketsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_DEFAULTS } from "../config/index";

// `npm run sandbox` as a user runs it: a separate process, seeded on first start, stopped by a signal.

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: path.resolve(path.dirname(CLI), "../.."), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const endpoint = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m && stdout.includes("s3 ls")) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`cli exited with ${code}: ${stderr}`)));
  });
  return { child, endpoint, exited, output: () => ({ stdout, stderr }) };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bucketscope-cli-"));
  dirs.push(dir);
  return dir;
}

describe("sandbox CLI", () => {
  it("starts seeded, prints credentials and an aws example, serves S3 and the admin API, and stops cleanly on SIGTERM", async () => {
    const cli = runCli(["--port", "0", "--data-dir", tempDir(), "--seed-large", "2500", "--seed-large-bucket", "big", "--inventory", "unicode:inventory-reports/cli", "--inventory-format", "Parquet"]);
    const endpoint = await cli.endpoint;
    const { stdout } = cli.output();
    expect(stdout).toContain(`access key id     ${SANDBOX_DEFAULTS.accessKeyId}`);
    expect(stdout).toContain(`secret access key ${SANDBOX_DEFAULTS.secretAccessKey}`);
    expect(stdout).toContain(`AWS_ACCESS_KEY_ID=${SANDBOX_DEFAULTS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_DEFAULTS.secretAccessKey}`);
    expect(stdout).toContain(`aws --endpoint-url ${endpoint} s3 ls`);
    expect(stdout).toMatch(/wrote an inventory report of "unicode" \(\d+ rows\): s3:\/\/inventory-reports\/cli\/unicode\/bucketscope\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/manifest\.json/);

    const s3 = new S3Client({
      endpoint,
      region: SANDBOX_DEFAULTS.region,
      forcePathStyle: true,
      credentials: { accessKeyId: SANDBOX_DEFAULTS.accessKeyId, secretAccessKey: SANDBOX_DEFAULTS.secretAccessKey },
    });
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(buckets).toEqual(["big", "demo", "inventory-reports", "photos", "unicode", "versioned"]);
    const big = await s3.send(new ListObjectsV2Command({ Bucket: "big", StartAfter: "k/0002000" }));
    expect(big.KeyCount).toBe(499);
    s3.destroy();
    const health = await fetch(`${endpoint}/_bucketscope/health`, { headers: { authorization: `Bearer ${SANDBOX_DEFAULTS.secretAccessKey}` } });
    expect(health.status).toBe(200);

    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toContain("SIGTERM: shutting down");
  }, 60_000);

  it("starts with start-after ignored when asked (--ignore-start-after), visible in the fault settings", async () => {
    const cli = runCli(["--port", "0", "--data-dir", tempDir(), "--no-seed", "--ignore-start-after"]);
    const endpoint = await cli.endpoint;
    const faults = await fetch(`${endpoint}/_bucketscope/faults`, { headers: { authorization: `Bearer ${SANDBOX_DEFAULTS.secretAccessKey}` } });
    expect(await faults.json()).toMatchObject({ ignoreStartAfter: true });
    expect(cli.output().stdout).toContain("ignoreStartAfter=true");
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it("refuses a non-loopback host without --allow-remote, and bad fault settings", async () => {
    const remote = runCli(["--host", "0.0.0.0", "--port", "0", "--data-dir", tempDir()]);
    remote.endpoint.catch(() => undefined);
    expect(await remote.exited).toBe(2);
    expect(remote.output().stderr).toContain("Refusing to listen on 0.0.0.0");
    const faults = runCli(["--port", "0", "--data-dir", tempDir(), "--error-rate", "0.8", "--slowdown-rate", "0.8"]);
    faults.endpoint.catch(() => undefined);
    expect(await faults.exited).toBe(2);
    expect(faults.output().stderr).toContain("must not exceed 1");
    const mode = runCli(["--port", "0", "--data-dir", tempDir(), "--versions-end-early", "sometimes"]);
    mode.endpoint.catch(() => undefined);
    expect(await mode.exited).toBe(2);
    expect(mode.output().stderr).toContain('--versions-end-early must be one of null-marker, untruncated, got "sometimes"');
  }, 60_000);

  it("starts behaving like other S3-compatible servers when asked: listings that end early, Content-MD5 required", async () => {
    const cli = runCli(["--port", "0", "--data-dir", tempDir(), "--no-seed", "--versions-end-early", "null-marker", "--list-end-early", "--require-content-md5"]);
    const endpoint = await cli.endpoint;
    expect(cli.output().stdout).toContain("faults            listEndEarly=true, versionsEndEarly=null-marker, requireContentMd5=true");
    const res = await fetch(`${endpoint}/_bucketscope/faults`, { headers: { authorization: `Bearer ${SANDBOX_DEFAULTS.secretAccessKey}` } });
    expect(await res.json()).toMatchObject({ listEndEarly: true, versionsEndEarly: "null-marker", omitNextVersionIdMarker: false, requireContentMd5: true });
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  }, 60_000);
});
