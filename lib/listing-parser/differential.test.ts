import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  CreateBucketCommand,
  S3Client,
  type ListObjectsV2CommandInput,
  type ListObjectVersionsCommandInput,
} from "@aws-sdk/client-s3";
import type { DeserializeMiddleware, MetadataBearer } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listingParser, listingParseOf, versionOrderOf } from "@/lib/listing-parser";
import { sdkClient, startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import { UNICODE_DEMO_KEYS } from "@/lib/sandbox/seed";
import { FIXTURES, type Fixture } from "./testing/fixtures";
import { seededRandom } from "@/lib/random";

// Differential: the same bytes, served over real HTTP, read by the SDK's own deserializer (a client
// without the listing parser) and by a client with it. The outputs must be equal field for field
// (toStrictEqual: same members, values, types, Dates), errors equal too, and the listing parser must
// say whether it took the body or handed it to the SDK. Bodies come from the sandbox (its hostile
// `unicode` seed and more) and from fixtures written after other servers' output.

type Operation = "ListObjectsV2" | "ListObjectVersions";

interface Reply {
  status: number;
  body: Buffer;
}

let reply: Reply = { status: 200, body: Buffer.alloc(0) };
let server: Server;
let plain: S3Client;
let fast: S3Client;
let sandbox: TestSandbox;
let capture: S3Client;
let captured: Buffer | null = null;

function replayClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "replay", secretAccessKey: "replay" },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(reply.status, { "Content-Type": "application/xml", "x-amz-request-id": "REPLAY1", "x-amz-id-2": "replay/id2", "x-amz-request-charged": "requester" });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  plain = replayClient(endpoint);
  fast = replayClient(endpoint);
  fast.middlewareStack.use(listingParser());

  sandbox = await startTestSandbox({ seed: true });
  capture = sdkClient(sandbox);
  // Keeps the raw body of each listing answered by the sandbox, then hands the SDK the same bytes.
  const keepBody: DeserializeMiddleware<object, MetadataBearer> = (next) => async (args) => {
      const out = await next(args);
      const response = out.response as { body: AsyncIterable<Uint8Array> | Uint8Array };
      const chunks: Buffer[] = [];
      for await (const c of response.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
      captured = Buffer.concat(chunks);
      response.body = new Uint8Array(captured);
      return out;
  };
  capture.middlewareStack.addRelativeTo(keepBody, { relation: "after", toMiddleware: "deserializerMiddleware", name: "captureBody" });
  await seedChecks(sdkClient(sandbox));
}, 60_000);

afterAll(async () => {
  plain.destroy();
  fast.destroy();
  capture.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sandbox.stop();
});

/** A versioned bucket with checksummed objects, a 1024-byte key, and a delete marker in an overwrite's second. */
async function seedChecks(client: S3Client): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: "checks" }));
  await client.send(new PutBucketVersioningCommand({ Bucket: "checks", VersioningConfiguration: { Status: "Enabled" } }));
  const long = `long/${"é".repeat(200)}${"x".repeat(1024 - 5 - 400)}`;
  expect(Buffer.byteLength(long)).toBe(1024);
  for (const [key, algorithm] of [
    ["crc32.txt", "CRC32"],
    ["sha256 & <more>.txt", "SHA256"],
    [long, "CRC32C"],
    ["plain\r\n.txt", undefined],
  ] as const) {
    await client.send(new PutObjectCommand({ Bucket: "checks", Key: key, Body: `body of ${key}`, ChecksumAlgorithm: algorithm }));
  }
  await client.send(new PutObjectCommand({ Bucket: "checks", Key: "crc32.txt", Body: "second", ChecksumAlgorithm: "CRC32" }));
  await client.send(new DeleteObjectCommand({ Bucket: "checks", Key: "crc32.txt" }));
  await client.send(new PutObjectCommand({ Bucket: "checks", Key: "crc32.txt", Body: "third" }));
}

type Outcome = { ok: true; output: Record<string, unknown> } | { ok: false; error: Record<string, unknown> };

async function outcome(client: S3Client, operation: Operation): Promise<Outcome> {
  try {
    const output = operation === "ListObjectsV2" ? await client.send(new ListObjectsV2Command({ Bucket: "b" })) : await client.send(new ListObjectVersionsCommand({ Bucket: "b" }));
    return { ok: true, output: output as unknown as Record<string, unknown> };
  } catch (err) {
    const e = err as Error & { $fault?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
    return { ok: false, error: { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode, code: e.Code } };
  }
}

/** Both readings of the same bytes. */
async function both(operation: Operation, body: string | Buffer, status = 200): Promise<{ sdk: Outcome; ours: Outcome }> {
  reply = { status, body: typeof body === "string" ? Buffer.from(body, "utf8") : body };
  return { sdk: await outcome(plain, operation), ours: await outcome(fast, operation) };
}

function expectSame(sdk: Outcome, ours: Outcome, label: string): void {
  expect(ours.ok, label).toBe(sdk.ok);
  if (sdk.ok && ours.ok) expect(ours.output, label).toStrictEqual(sdk.output);
  if (!sdk.ok && !ours.ok) expect(ours.error, label).toStrictEqual(sdk.error);
}

function parserOf(o: Outcome): string | null {
  return o.ok ? (listingParseOf(o.output)?.parser ?? null) : null;
}

describe("the listing parser against the SDK's deserializer, same bytes", () => {
  it.each(FIXTURES.map((f) => [f.name, f] as const))("%s", async (_name, f: Fixture) => {
    const { sdk, ours } = await both(f.operation, f.body);
    expectSame(sdk, ours, f.name);
    if (ours.ok) {
      const parse = listingParseOf(ours.output);
      expect(parse?.parser, parse?.parser === "sdk" ? parse.reason : "taken").toBe(f.parser);
      if (f.order !== undefined) expect(versionOrderOf(ours.output)?.join("")).toBe(f.order);
    } else {
      expect(f.parser).toBe("sdk");
    }
  });

  it("reads the sandbox's hostile keys (unicode seed, 1024-byte key, checksums, owners) like the SDK, page after page", async () => {
    const v2Cases: ListObjectsV2CommandInput[] = [
      { Bucket: "unicode", EncodingType: "url" },
      { Bucket: "unicode" },
      { Bucket: "unicode", EncodingType: "url", FetchOwner: true, Delimiter: "/" },
      { Bucket: "unicode", Delimiter: "/", Prefix: "folder-marker/" },
      { Bucket: "unicode", EncodingType: "url", StartAfter: "literal%20not-a-space.txt", MaxKeys: 4 },
      { Bucket: "checks", EncodingType: "url", FetchOwner: true },
      { Bucket: "checks" },
      { Bucket: "photos", Delimiter: "/", EncodingType: "url" },
    ];
    let pages = 0;
    for (const input of v2Cases) {
      let token: string | undefined;
      do {
        const res = await capture.send(new ListObjectsV2Command({ ...input, ContinuationToken: token, MaxKeys: input.MaxKeys ?? 5 }));
        const { sdk, ours } = await both("ListObjectsV2", captured as Buffer);
        expectSame(sdk, ours, JSON.stringify(input));
        expect(parserOf(ours), JSON.stringify(input)).toBe("bucketscope");
        pages++;
        token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
    expect(pages).toBeGreaterThan(UNICODE_DEMO_KEYS.length / 5);

    const versionCases: ListObjectVersionsCommandInput[] = [
      { Bucket: "versioned", EncodingType: "url" },
      { Bucket: "versioned" },
      { Bucket: "checks", EncodingType: "url" },
      { Bucket: "checks", Delimiter: "/" },
    ];
    for (const input of versionCases) {
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const res = await capture.send(new ListObjectVersionsCommand({ ...input, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, MaxKeys: 3 }));
        const body = captured as Buffer;
        const { sdk, ours } = await both("ListObjectVersions", body);
        expectSame(sdk, ours, JSON.stringify(input));
        expect(parserOf(ours)).toBe("bucketscope");
        const documentOrder = [...body.toString("utf8").matchAll(/<(Version|DeleteMarker)>/g)].map((m) => (m[1] === "Version" ? "v" : "d")).join("");
        expect(ours.ok && versionOrderOf(ours.output)?.join("")).toBe(documentOrder);
        if (res.IsTruncated !== true) break;
        keyMarker = res.NextKeyMarker;
        versionIdMarker = res.NextVersionIdMarker;
      }
    }
  });

  it("answers errors (non-2xx) exactly as the SDK does, without reading them", async () => {
    const error = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>R</RequestId></Error>`;
    for (const [status, body] of [
      [404, error("NoSuchBucket", "The specified bucket does not exist")],
      [403, error("AccessDenied", "Access Denied")],
      [503, error("SlowDown", "Please reduce your request rate.")],
      [500, ""],
    ] as const) {
      for (const operation of ["ListObjectsV2", "ListObjectVersions"] as const) {
        const { sdk, ours } = await both(operation, body, status);
        expect(sdk.ok).toBe(false);
        expectSame(sdk, ours, `${status} ${operation}`);
      }
    }
  });

  it("agrees with the SDK on random documents: hostile keys escaped every way, optional members, element order, whitespace, CR LF", async () => {
    const random = seededRandom(20241206);
    for (let doc = 0; doc < 120; doc++) {
      const operation: Operation = doc % 3 === 2 ? "ListObjectVersions" : "ListObjectsV2";
      const body = randomDocument(random, operation);
      const { sdk, ours } = await both(operation, body);
      expectSame(sdk, ours, body);
      const parse = ours.ok ? listingParseOf(ours.output) : null;
      expect(parse, body).toEqual({ parser: "bucketscope" });
    }
  });
});

// ---- random documents ----

const ALPHABET = ["a", "Z", "0", "/", " ", "+", "%", "#", "?", "<", "&", ">", '"', "'", "\u{1F600}", "é", "e\u0301", "\uFF21", "日", "\n", "\r", "\t", "\u0001", "\uFFFD", "]", "]]>", "=", ";"];

function pick<T>(random: () => number, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)] as T;
}

/** One character as XML text, written one of the ways XML allows (and the SDK reads). */
function escapeChar(random: () => number, ch: string): string {
  const code = ch.codePointAt(0) as number;
  const forms: string[] = [];
  const must = ch === "<" || ch === "&" || code < 0x20 || ch === "]]>";
  if (!must || ch === "\t" || ch === "\n") forms.push(ch);
  if (ch === "]]>") forms.push("]]&gt;");
  const named: Record<string, string> = { "<": "&lt;", "&": "&amp;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  if (named[ch] !== undefined) forms.push(named[ch]);
  if (ch.length === 1 && code <= 0xffff && ch !== "]]>") forms.push(`&#${code};`, `&#x${code.toString(16)};`, `&#x${code.toString(16).toUpperCase().padStart(4, "0")};`);
  if (code >= 0x20 && ch !== "]]>" && ch !== "\r") forms.push(`<![CDATA[${ch}]]>`);
  if (ch === "\r") forms.push("\r"); // a raw CR, which both fold into LF
  return pick(random, forms);
}

function text(random: () => number, value: string): string {
  let out = "";
  for (let i = 0; i < value.length; ) {
    const ch = value.startsWith("]]>", i) ? "]]>" : String.fromCodePoint(value.codePointAt(i) as number);
    out += escapeChar(random, ch);
    i += ch.length;
  }
  return out;
}

function randomKey(random: () => number): string {
  const n = Math.floor(random() * 12);
  let k = "";
  for (let i = 0; i < n; i++) k += pick(random, ALPHABET);
  return k;
}

function stamp(random: () => number): string {
  const ms = Date.UTC(2000 + Math.floor(random() * 30), Math.floor(random() * 12), 1 + Math.floor(random() * 28), Math.floor(random() * 24), Math.floor(random() * 60), Math.floor(random() * 60));
  const base = new Date(ms).toISOString().slice(0, 19);
  const digits = Math.floor(random() * 10);
  const fraction = digits === 0 ? "" : `.${Array.from({ length: digits }, () => Math.floor(random() * 10)).join("")}`;
  return `${base}${fraction}Z`;
}

function shuffle<T>(random: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

function randomDocument(random: () => number, operation: Operation): string {
  const ws = pick(random, ["", "", "\n", "\n  ", "\r\n\t", "\r\n    "]);
  const join = (parts: string[]) => (ws === "" ? parts.join("") : `${ws}${parts.join(ws)}${ws}`);
  const leaf = (name: string, value: string) => (value === "" && random() < 0.3 ? `<${name}/>` : element(name, text(random, value)));
  const owner = () => `<Owner>${join(shuffle(random, [leaf("ID", randomKey(random)), leaf("DisplayName", randomKey(random))]))}</Owner>`;
  const entry = (name: string, deleteMarker: boolean) => {
    const parts = [leaf("Key", randomKey(random)), leaf("LastModified", stamp(random))];
    if (!deleteMarker) {
      parts.push(leaf("ETag", `"${randomKey(random)}"`), leaf("Size", String(Math.floor(random() * 1e12))));
      if (random() < 0.5) parts.push(leaf("StorageClass", pick(random, ["STANDARD", "GLACIER", "ONEZONE_IA", ""])));
      for (let i = Math.floor(random() * 3); i > 0; i--) parts.push(leaf("ChecksumAlgorithm", pick(random, ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])));
      if (random() < 0.3) parts.push(leaf("ChecksumType", pick(random, ["FULL_OBJECT", "COMPOSITE"])));
      if (random() < 0.2) parts.push(`<RestoreStatus>${join([leaf("IsRestoreInProgress", pick(random, ["true", "false", "TRUE"])), ...(random() < 0.5 ? [leaf("RestoreExpiryDate", stamp(random))] : [])])}</RestoreStatus>`);
    }
    if (operation === "ListObjectVersions") parts.push(leaf("VersionId", randomKey(random)), leaf("IsLatest", pick(random, ["true", "false"])));
    if (random() < 0.4) parts.push(owner());
    if (random() < 0.2) parts.push(leaf("Type", "Normal")); // not in the SDK's model: skipped
    return `<${name}>${join(shuffle(random, parts))}</${name}>`;
  };
  const top = [leaf("Name", randomKey(random)), leaf("Prefix", randomKey(random)), leaf("MaxKeys", String(Math.floor(random() * 1001))), leaf("IsTruncated", pick(random, ["true", "false"]))];
  if (random() < 0.5) top.push(leaf("Delimiter", pick(random, ["/", "", "&", "\u{1F600}"])));
  if (random() < 0.5) top.push(leaf("EncodingType", "url"));
  if (operation === "ListObjectsV2") {
    for (const name of ["KeyCount", "ContinuationToken", "NextContinuationToken", "StartAfter"]) if (random() < 0.5) top.push(leaf(name, name === "KeyCount" ? String(Math.floor(random() * 1000)) : randomKey(random)));
    for (let i = Math.floor(random() * 6); i > 0; i--) top.push(entry("Contents", false));
  } else {
    for (const name of ["KeyMarker", "VersionIdMarker", "NextKeyMarker", "NextVersionIdMarker"]) if (random() < 0.5) top.push(leaf(name, randomKey(random)));
    for (let i = Math.floor(random() * 6); i > 0; i--) top.push(random() < 0.6 ? entry("Version", false) : entry("DeleteMarker", true));
  }
  for (let i = Math.floor(random() * 3); i > 0; i--) top.push(`<CommonPrefixes>${leaf("Prefix", randomKey(random))}</CommonPrefixes>`);
  const root = operation === "ListObjectsV2" ? "ListBucketResult" : "ListVersionsResult";
  const decl = pick(random, ['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='UTF-8'?>\n", ""]);
  const xmlns = pick(random, [' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', " xmlns='http://doc.s3.amazonaws.com/2006-03-01'", ""]);
  // Versions and delete markers keep their order; everything else may come in any order.
  const ordered = shuffle(random, top.filter((p) => !p.startsWith("<Version>") && !p.startsWith("<DeleteMarker>")));
  const entries = top.filter((p) => p.startsWith("<Version>") || p.startsWith("<DeleteMarker>"));
  return `${decl}<${root}${xmlns}>${join([...ordered, ...entries])}</${root}>${pick(random, ["", "\n", "\r\n"])}`;
}
