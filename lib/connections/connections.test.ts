import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/http";
import { ConnectionConfigError, ConnectionRegistry, describeS3Error, validateConnectionsConfig } from "@/lib/connections";

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-conn-"));
  tmp.push(d);
  return d;
}

const minio = { name: "minio", endpoint: "http://127.0.0.1:9000", accessKeyId: "minio", secretAccessKey: "minio-secret-key", writable: true };

describe("validateConnectionsConfig", () => {
  it("reads BUCKETSCOPE_CONNECTIONS and defaults writable to false", () => {
    const env = { BUCKETSCOPE_DATA_DIR: tempDir(), BUCKETSCOPE_CONNECTIONS: JSON.stringify([{ name: "r2", endpoint: "https://x.r2.cloudflarestorage.com", region: "auto" }]) };
    expect(validateConnectionsConfig(env)).toEqual([{ name: "r2", endpoint: "https://x.r2.cloudflarestorage.com", region: "auto", writable: false }]);
  });

  it("reads <dataDir>/connections.json when it exists, and BUCKETSCOPE_CONFIG when given", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "connections.json"), JSON.stringify({ connections: [minio] }));
    expect(validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: dir }).map((c) => c.name)).toEqual(["minio"]);
    const other = path.join(dir, "other.json");
    fs.writeFileSync(other, JSON.stringify([{ name: "ceph", endpoint: "http://ceph:7480" }]));
    expect(validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: dir, BUCKETSCOPE_CONFIG: other }).map((c) => c.name)).toEqual(["ceph"]);
  });

  it.each([
    [[{ name: "bad", endpoint: "ftp://x" }], /connection "bad" is invalid: endpoint: endpoint must be an http/],
    [[{ name: "bad", accessKeyId: "only-the-id" }], /connection "bad" is invalid: .*given together/],
    [[{ name: "bad", endpoint: "http://user:pw@host" }], /connection "bad" is invalid: endpoint: .*credentials/],
    [[{ name: "bad", acessKeyId: "typo" }], /connection "bad" is invalid: .*acessKeyId/],
    [[{ name: "sandbox" }], /connection "sandbox" is invalid: name: .*built-in/],
    [[{ endpoint: "http://x" }], /connection #1 is invalid: name: a connection name is required/],
    [[minio, minio], /connection "minio" is defined more than once/],
    [[{ ...minio, maxConcurrency: 0 }], /connection "minio" is invalid: maxConcurrency: the concurrency must be between 1 and 64/],
    [[{ ...minio, maxConcurrency: 65 }], /connection "minio" is invalid: maxConcurrency: the concurrency must be between 1 and 64/],
    [{ name: "x" }, /must be a JSON array/],
  ])("refuses a malformed entry and names it: %j", (value, message) => {
    expect(() => validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: tempDir(), BUCKETSCOPE_CONNECTIONS: JSON.stringify(value) })).toThrow(message);
  });

  it("refuses JSON that does not parse, and an explicit config file that is missing", () => {
    expect(() => validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: tempDir(), BUCKETSCOPE_CONNECTIONS: "[{" })).toThrow(ConnectionConfigError);
    expect(() => validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: tempDir(), BUCKETSCOPE_CONFIG: "/nonexistent/c.json" })).toThrow(/Cannot read/);
  });
});

describe("ConnectionRegistry", () => {
  const sandbox = { endpoint: "http://127.0.0.1:9100", accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-secret", region: "us-east-1" };

  it("shows the browser names, kinds, hosts, regions and cursor caps, never credentials", async () => {
    const extra = validateConnectionsConfig({ BUCKETSCOPE_DATA_DIR: tempDir(), BUCKETSCOPE_CONNECTIONS: JSON.stringify([{ ...minio, maxConcurrency: 8 }]) });
    const reg = new ConnectionRegistry({ sandbox, extra, probeAws: false, env: {} });
    const views = await reg.list();
    expect(views).toEqual([
      { name: "sandbox", kind: "sandbox", endpointHost: "127.0.0.1:9100", region: "us-east-1", writable: true, maxConcurrency: 64 },
      { name: "minio", kind: "s3-compatible", endpointHost: "127.0.0.1:9000", region: "us-east-1", writable: true, maxConcurrency: 8 },
    ]);
    expect((await reg.get("minio")).maxConcurrency).toBe(8);
    const json = JSON.stringify(views);
    for (const secret of ["sandbox-secret", "AKIDSANDBOX", "minio-secret-key"]) expect(json).not.toContain(secret);
    reg.close();
  });

  it("configures S3-compatible clients for plain compatibility and caches one client per connection", async () => {
    const reg = new ConnectionRegistry({ sandbox: null, extra: [{ ...minio, writable: false }], probeAws: false, env: {} });
    const conn = await reg.get("minio");
    expect(await reg.get("minio")).toBe(conn);
    expect(await conn.client.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
    expect(await conn.client.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");
    expect(conn.client.config.forcePathStyle).toBe(true);
    reg.close();
  });

  it("answers an unknown connection with 404 unknown_connection", async () => {
    const reg = new ConnectionRegistry({ sandbox: null, extra: [], probeAws: false, env: {} });
    await expect(reg.get("nope")).rejects.toMatchObject({ code: "unknown_connection", status: 404 });
    await expect(reg.get("aws")).rejects.toBeInstanceOf(AppError);
  });
});

describe("describeS3Error", () => {
  const ctx = { connection: "c", bucket: "b" };
  const svc = (name: string, status: number, message = `${name} message`) =>
    Object.assign(new Error(message), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, requestId: "RID" } });

  it.each([
    [svc("NoSuchBucket", 404), "no_such_bucket", false],
    [svc("AccessDenied", 403, "Access Denied"), "access_denied", false],
    [svc("InvalidBucketName", 400), "invalid_bucket_name", false],
    [svc("InvalidArgument", 400, "The continuation token provided is incorrect"), "invalid_token", false],
    [svc("SlowDown", 503), "throttled", true],
    [svc("InternalError", 500), "upstream_error", true],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "upstream_unreachable", true],
    [Object.assign(new Error("socket hang up"), {}), "upstream_unreachable", true],
  ])("maps %s to %s", (err, code, retryable) => {
    expect(describeS3Error(err, ctx)).toMatchObject({ code, retryable });
  });

  it("passes S3's own message for AccessDenied and keeps the request id", () => {
    expect(describeS3Error(svc("AccessDenied", 403, "User x is not authorized"), ctx)).toEqual({
      code: "access_denied",
      message: "User x is not authorized",
      httpStatus: 403,
      s3Code: "AccessDenied",
      requestId: "RID",
      retryable: false,
    });
  });

  it("does not repeat raw network messages, which name internal hosts", () => {
    const d = describeS3Error(Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:9000"), { code: "ECONNREFUSED" }), ctx);
    expect(d.message).not.toContain("10.1.2.3");
  });
});

describe("the aws connection", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) {
      if (saved[k] === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = saved[k];
    }
  });

  it("appears read-only when the default credential chain resolves, with the SDK's region", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "example-secret", AWS_REGION: "eu-west-1" });
    const reg = new ConnectionRegistry({ sandbox: null, extra: [], probeAws: true, env: process.env });
    const views = await reg.list();
    expect(views).toEqual([{ name: "aws", kind: "aws", region: "eu-west-1", writable: false, maxConcurrency: 64 }]);
    expect((await reg.get("aws")).writable).toBe(false);
    reg.close();
  });

  it("takes a profile connection's region from the shared config file", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "config"), "[profile prod]\nregion = eu-central-1\n");
    Object.assign(process.env, { AWS_CONFIG_FILE: path.join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials") });
    const reg = new ConnectionRegistry({ sandbox: null, extra: [{ name: "prod", profile: "prod", writable: false }], probeAws: false, env: process.env });
    expect(await reg.list()).toEqual([{ name: "prod", kind: "aws", region: "eu-central-1", writable: false, maxConcurrency: 64 }]);
    reg.close();
  });

  it("is absent when no credentials resolve", async () => {
    const empty = tempDir();
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: path.join(empty, "config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(empty, "credentials"),
    });
    Reflect.deleteProperty(process.env, "AWS_ACCESS_KEY_ID");
    Reflect.deleteProperty(process.env, "AWS_SECRET_ACCESS_KEY");
    const reg = new ConnectionRegistry({ sandbox: null, extra: [], probeAws: true, env: process.env });
    expect(await reg.list()).toEqual([]);
    reg.close();
  });
});
