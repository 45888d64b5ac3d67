import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { startSandbox, type Sandbox, type SandboxOptions } from "./index";

// Shared by the sandbox's HTTP tests: a real sandbox on port 0 in a temp dir, SDK clients for it,
// and raw requests signed by the SDK's own SigV4 signer (@smithy/signature-v4), not by ours.

export interface TestSandbox extends Sandbox {
  dataDir: string;
  /** Closes the sandbox and removes its data dir. */
  stop(): Promise<void>;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bucketscope-sandbox-"));
  const sandbox = await startSandbox({ dataDir, port: 0, ...options });
  return {
    ...sandbox,
    dataDir,
    async stop() {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function sdkClient(sandbox: Sandbox, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
    forcePathStyle: true,
    ...overrides,
  });
}

/** Byte order of UTF-8, which is S3's listing order (never JS string order). */
export function byteOrder(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBinary(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBinary(secret);
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
}

export interface RawRequest {
  method: string;
  /** Already percent-encoded, e.g. "/bkt/a%20b.txt". */
  path: string;
  /** Raw query string without "?", sent as is. */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Sign as if at this time (skew tests). */
  signingDate?: Date;
  /** Sign with these instead of the sandbox's credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Leave the request unsigned. */
  unsigned?: boolean;
  /** Payload hash header; default: the SHA-256 of the body. */
  contentSha256?: string;
  /**
   * Streams the body in these pieces (HTTP chunked unless a content-length header is given), built
   * once the seed signature is known (for aws-chunked signed chunks).
   */
  bodyPieces?: (seed: SeedSignature) => Buffer[];
  /** A keep-alive agent to reuse connections; default: a fresh connection. */
  agent?: http.Agent;
}

export interface SeedSignature {
  signature: string;
  amzDate: string;
  scope: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** <Code> of an S3 error body, if any. */
  code: string | undefined;
}

function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const piece of query.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const k = decodeURIComponent(eq === -1 ? piece : piece.slice(0, eq));
    out[k] = eq === -1 ? "" : decodeURIComponent(piece.slice(eq + 1));
  }
  return out;
}

/** Sends a request signed by the AWS SDK's SigV4 signer and collects the whole response. */
export async function rawRequest(sandbox: Sandbox, req: RawRequest): Promise<RawResponse> {
  const url = new URL(sandbox.endpoint);
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": req.contentSha256 ?? createHash("sha256").update(body).digest("hex"),
    ...(body.length > 0 ? { "content-length": String(body.length) } : {}),
    ...req.headers,
  };
  const seed: SeedSignature = { signature: "", amzDate: "", scope: "" };
  if (!req.unsigned) {
    const signer = new SignatureV4({
      credentials: req.credentials ?? { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
      region: sandbox.region,
      service: "s3",
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: req.method,
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: req.path,
        query: parseQuery(req.query ?? ""),
        headers,
        body,
      },
      { signingDate: req.signingDate },
    );
    Object.assign(headers, signed.headers);
    const authorization = String(signed.headers.authorization ?? signed.headers.Authorization);
    seed.signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? "";
    seed.scope = /Credential=[^/]+\/([^,]+)/.exec(authorization)?.[1] ?? "";
    seed.amzDate = String(signed.headers["x-amz-date"]);
  } else {
    delete headers["x-amz-content-sha256"];
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.query ? `${req.path}?${req.query}` : req.path,
        headers,
        agent: req.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const data = Buffer.concat(chunks);
          const text = data.toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] });
        });
        res.on("error", reject);
      },
    );
    request.on("error", reject);
    if (!req.bodyPieces) {
      request.end(body);
      return;
    }
    const pieces = req.bodyPieces(seed);
    const writeNext = (i: number) => {
      if (i === pieces.length) {
        request.end();
        return;
      }
      // One piece per event-loop turn, so the server sees boundaries unrelated to the aws-chunks.
      request.write(pieces[i], () => setImmediate(() => writeNext(i + 1)));
    };
    writeNext(0);
  });
}
