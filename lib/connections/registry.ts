import "server-only";
import { ListBucketsCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { loadSettings, type SandboxSettings } from "@/lib/config";
import { AppError } from "@/lib/http";
import { listingParser } from "@/lib/listing-parser";
import { MAX_CONCURRENCY, type Bucket, type ConnectionKind, type ConnectionView } from "@/lib/wire";
import { validateConnectionsConfig, type ConnectionConfig } from "./config";
import { sendContentMd5OnDeleteObjects } from "./content-md5";
import { toAppError } from "./errors";

type Env = Record<string, string | undefined>;

export interface Connection {
  readonly name: string;
  readonly kind: ConnectionKind;
  readonly writable: boolean;
  readonly client: S3Client;
  readonly view: ConnectionView;
  /** The most cursors one pass may use on this connection. */
  readonly maxConcurrency: number;
}

export interface ConnectionSources {
  sandbox: SandboxSettings | null;
  extra: ConnectionConfig[];
  /** Offer `aws` when the SDK's default credential chain resolves. */
  probeAws: boolean;
  env: Env;
}

// Plain S3 compatibility: recent SDKs send CRC32 checksums and expect them back by default, which
// MinIO, Ceph RGW, Swift s3api and others may reject; custom endpoints rarely serve virtual-host
// style bucket names (bucket.localhost:9000).
const COMPATIBLE: Partial<S3ClientConfig> = {
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
  forcePathStyle: true,
};

// The SDK's agents hold 50 sockets; a parallel pass may keep MAX_CONCURRENCY requests in flight while
// the browser lists the same connection.
const SOCKETS = { keepAlive: true, maxSockets: MAX_CONCURRENCY + 32 };
const HTTP_OPTIONS = { connectionTimeout: 10_000, requestTimeout: 120_000, httpAgent: SOCKETS, httpsAgent: SOCKETS };
const AWS_PROBE_TTL_MS = 60_000;

function hostOf(endpoint: string): string {
  return new URL(endpoint).host;
}

/** `endpointHost` is set for every endpoint but AWS's own, and those get DeleteObjects with Content-MD5. */
function makeConnection(
  name: string,
  kind: ConnectionKind,
  writable: boolean,
  config: S3ClientConfig,
  region: string,
  endpointHost?: string,
  maxConcurrency = MAX_CONCURRENCY,
): Connection {
  const client = new S3Client({ maxAttempts: 3, retryMode: "standard", requestHandler: HTTP_OPTIONS, ...config });
  if (endpointHost !== undefined) sendContentMd5OnDeleteObjects(client);
  client.middlewareStack.use(listingParser());
  const base = { name, kind, region, writable, maxConcurrency };
  const view: ConnectionView = endpointHost !== undefined ? { ...base, endpointHost } : base;
  return { name, kind, writable, client, view, maxConcurrency };
}

function sandboxConnection(s: SandboxSettings): Connection {
  return makeConnection(
    "sandbox",
    "sandbox",
    true,
    {
      endpoint: s.endpoint,
      region: s.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    },
    s.region,
    hostOf(s.endpoint),
  );
}

/** The region the SDK itself resolves (AWS_REGION, the profile's `region`), or null. */
async function sdkRegion(profile?: string): Promise<string | null> {
  const probe = new S3Client(profile !== undefined ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return null;
  } finally {
    probe.destroy();
  }
}

async function extraConnection(c: ConnectionConfig): Promise<Connection> {
  const region = c.region ?? (await sdkRegion(c.profile)) ?? "us-east-1";
  const config: S3ClientConfig = { region, followRegionRedirects: c.endpoint === undefined };
  if (c.endpoint !== undefined) Object.assign(config, COMPATIBLE, { endpoint: c.endpoint });
  if (c.forcePathStyle !== undefined) config.forcePathStyle = c.forcePathStyle;
  if (c.profile !== undefined) config.profile = c.profile;
  if (c.accessKeyId !== undefined && c.secretAccessKey !== undefined) {
    config.credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
  }
  const kind: ConnectionKind = c.endpoint === undefined ? "aws" : "s3-compatible";
  return makeConnection(c.name, kind, c.writable, config, region, c.endpoint !== undefined ? hostOf(c.endpoint) : undefined, c.maxConcurrency);
}

async function probeAws(env: Env): Promise<Connection | null> {
  const probe = new S3Client({});
  try {
    await probe.config.credentials();
  } catch {
    return null;
  } finally {
    probe.destroy();
  }
  const region = (await sdkRegion()) ?? "us-east-1";
  // AWS_ENDPOINT_URL(_S3) is honoured by the SDK itself; such an endpoint is S3-compatible, not AWS.
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const custom = endpoint !== undefined && endpoint !== "";
  const config: S3ClientConfig = custom ? { ...COMPATIBLE, region } : { region, followRegionRedirects: true };
  let host: string | undefined;
  if (custom) {
    try {
      host = hostOf(endpoint);
    } catch {
      host = undefined;
    }
  }
  return makeConnection("aws", "aws", false, config, region, host);
}

export class ConnectionRegistry {
  // Built on first use: a profile's region is read from the shared config files asynchronously.
  private readonly fixed = new Map<string, () => Promise<Connection>>();
  private readonly built = new Map<string, Promise<Connection>>();
  private awsFound: Connection | null = null;
  private awsProbe: { at: number; result: Promise<Connection | null> } | null = null;

  constructor(private readonly sources: ConnectionSources) {
    const sandbox = sources.sandbox;
    if (sandbox !== null) this.fixed.set("sandbox", () => Promise.resolve(sandboxConnection(sandbox)));
    for (const c of sources.extra) this.fixed.set(c.name, () => extraConnection(c));
  }

  // Credentials may appear later (`aws sso login`), so a miss is retried after a while; a hit is kept
  // with its client for the life of the process.
  private awsConnection(): Promise<Connection | null> {
    if (!this.sources.probeAws) return Promise.resolve(null);
    if (this.awsFound !== null) return Promise.resolve(this.awsFound);
    const now = Date.now();
    if (this.awsProbe === null || now - this.awsProbe.at > AWS_PROBE_TTL_MS) {
      const result = probeAws(this.sources.env).then((conn) => {
        this.awsFound = conn;
        return conn;
      });
      this.awsProbe = { at: now, result };
    }
    return this.awsProbe.result;
  }

  private build(name: string): Promise<Connection> | null {
    const make = this.fixed.get(name);
    if (make === undefined) return null;
    let conn = this.built.get(name);
    if (conn === undefined) {
      conn = make();
      this.built.set(name, conn);
    }
    return conn;
  }

  async list(): Promise<ConnectionView[]> {
    const out = (await Promise.all([...this.fixed.keys()].map((name) => this.get(name)))).map((c) => c.view);
    const aws = await this.awsConnection();
    if (aws !== null) out.splice(this.fixed.has("sandbox") ? 1 : 0, 0, aws.view);
    return out;
  }

  async get(name: string): Promise<Connection> {
    const fixed = this.build(name);
    if (fixed !== null) return fixed;
    if (name === "aws") {
      const aws = await this.awsConnection();
      if (aws !== null) return aws;
    }
    throw new AppError("unknown_connection", `There is no connection named "${name}". Connections are configured on the server.`);
  }

  close(): void {
    for (const c of this.built.values()) void c.then((conn) => conn.client.destroy());
    this.awsFound?.client.destroy();
  }
}

export async function listBuckets(conn: Connection): Promise<Bucket[]> {
  const out: Bucket[] = [];
  let token: string | undefined;
  for (let round = 0; round < 100; round++) {
    let res;
    try {
      res = await conn.client.send(new ListBucketsCommand(token !== undefined ? { ContinuationToken: token } : {}));
    } catch (err) {
      throw toAppError(err, { connection: conn.name });
    }
    for (const b of res.Buckets ?? []) {
      if (b.Name === undefined) continue;
      out.push({ name: b.Name, createdAt: b.CreationDate?.toISOString() ?? null, region: b.BucketRegion ?? null });
    }
    if (res.ContinuationToken === undefined || res.ContinuationToken === "" || res.ContinuationToken === token) break;
    token = res.ContinuationToken;
  }
  return out;
}

const GLOBAL_KEY = Symbol.for("bucketscope.connections");
type GlobalWithConnections = typeof globalThis & { [GLOBAL_KEY]?: ConnectionRegistry };

/** The process-wide registry built from the environment (one per process, across route bundles). */
export function connections(env: Env = process.env): ConnectionRegistry {
  const g = globalThis as GlobalWithConnections;
  g[GLOBAL_KEY] ??= new ConnectionRegistry({
    sandbox: loadSettings(env).sandbox,
    extra: validateConnectionsConfig(env),
    probeAws: env.BUCKETSCOPE_AWS !== "off",
    env,
  });
  return g[GLOBAL_KEY];
}
