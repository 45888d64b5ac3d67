import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";

// A tiny S3 look-alike over real HTTP for behaviour the sandbox never shows (keys out of order, a
// token that repeats, a truncated page without a token). Each ListObjectsV2 request is answered by
// the scripted handler.

export interface FakeObject {
  key: string;
  size?: number;
}

export interface FakeListing {
  status?: number;
  /** Raw keys; encoded form-style unless `encode` is false (a server that ignores encoding-type). */
  contents?: FakeObject[];
  commonPrefixes?: string[];
  isTruncated?: boolean;
  nextToken?: string;
  encode?: boolean;
  errorCode?: string;
  errorMessage?: string;
}

export interface ListRequest {
  bucket: string;
  query: URLSearchParams;
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");

function render(req: ListRequest, l: FakeListing): { status: number; body: string } {
  if (l.errorCode !== undefined) {
    return {
      status: l.status ?? 500,
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${l.errorCode}</Code><Message>${xmlEscape(l.errorMessage ?? l.errorCode)}</Message><RequestId>fake-req</RequestId></Error>`,
    };
  }
  const encode = l.encode ?? req.query.get("encoding-type") === "url";
  const enc = (s: string) => xmlEscape(encode ? formEncode(s) : s);
  const contents = l.contents ?? [];
  const prefixes = l.commonPrefixes ?? [];
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
    `<Name>${req.bucket}</Name><Prefix>${enc(req.query.get("prefix") ?? "")}</Prefix>`,
    `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${req.query.get("max-keys") ?? "1000"}</MaxKeys>`,
    encode ? `<EncodingType>url</EncodingType>` : "",
    `<IsTruncated>${l.isTruncated === true ? "true" : "false"}</IsTruncated>`,
    req.query.get("continuation-token") !== null ? `<ContinuationToken>${xmlEscape(req.query.get("continuation-token") ?? "")}</ContinuationToken>` : "",
    l.nextToken !== undefined ? `<NextContinuationToken>${xmlEscape(l.nextToken)}</NextContinuationToken>` : "",
    ...contents.map(
      (o) =>
        `<Contents><Key>${enc(o.key)}</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified><ETag>&quot;0123&quot;</ETag><Size>${o.size ?? 1}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    ),
    ...prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`),
    `</ListBucketResult>`,
  ];
  return { status: l.status ?? 200, body: parts.join("") };
}

export interface FakeS3 {
  endpoint: string;
  client: S3Client;
  requests: ListRequest[];
  close(): Promise<void>;
}

export async function startFakeS3(handler: (req: ListRequest, n: number) => FakeListing, clientOptions: { maxAttempts?: number } = {}): Promise<FakeS3> {
  const requests: ListRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const bucket = decodeURIComponent(url.pathname.split("/")[1] ?? "");
    const r: ListRequest = { bucket, query: url.searchParams };
    requests.push(r);
    const { status, body } = render(r, handler(r, requests.length - 1));
    res.writeHead(status, { "Content-Type": "application/xml", "x-amz-request-id": `fake-${requests.length}` });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
    maxAttempts: clientOptions.maxAttempts ?? 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    endpoint,
    client,
    requests,
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
