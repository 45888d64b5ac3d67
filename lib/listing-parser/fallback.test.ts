import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listingParser, listingParseOf } from "@/lib/listing-parser";
import { listPages, listVersionPages } from "@/lib/lister";

// A listing whose pages the fast parser takes and refuses in turn (a proxy's comment, an entity it
// does not decode, an astral character reference) comes out of the listers exactly as an all-SDK
// reading would: every key, decoded, in order, and for versions the exact interleaving of versions
// and delete markers, which the SDK's two arrays lose.

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const contents = (key: string, i: number) =>
  `<Contents><Key>${key}</Key><LastModified>2024-01-01T00:00:0${i}.000Z</LastModified><ETag>&quot;e${i}&quot;</ETag><Size>${i}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
const v2Page = (inner: string, next: string | null) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ${XMLNS}><Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>${next !== null}</IsTruncated>${next !== null ? `<NextContinuationToken>${next}</NextContinuationToken>` : ""}${inner}</ListBucketResult>`;

const V2_PAGES: Record<string, string> = {
  "": v2Page(contents("a%2F1", 1) + contents("a%2F2+two", 2), "t1"),
  // Refused: a comment between elements (the SDK skips it).
  t1: v2Page(`<!-- cached by proxy -->${contents("b%2F%F0%9F%98%80", 3)}${contents("b%2F%26amp", 4)}`, "t2"),
  t2: v2Page(contents("c%2Flast", 5), null),
};

const version = (key: string, id: string, latest: boolean, t: string) =>
  `<Version><Key>${key}</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${t}</LastModified><ETag>&quot;${id}&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Version>`;
const marker = (key: string, id: string, latest: boolean, t: string) =>
  `<DeleteMarker><Key>${key}</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${t}</LastModified></DeleteMarker>`;
const versionsPage = (inner: string, next: [string, string] | null) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult ${XMLNS}><Name>b</Name><Prefix></Prefix><MaxKeys>3</MaxKeys><EncodingType>url</EncodingType><IsTruncated>${next !== null}</IsTruncated>${next !== null ? `<NextKeyMarker>${next[0]}</NextKeyMarker><NextVersionIdMarker>${next[1]}</NextVersionIdMarker>` : ""}${inner}</ListVersionsResult>`;

// Within one second a delete marker came after a version and before the next: only the document's
// element order says so (the merge by time cannot).
const SECOND = "2024-01-01T00:00:00.000Z";
const VERSION_PAGES: Record<string, string> = {
  "": versionsPage(version("k", "v3", true, SECOND) + marker("k", "d2", false, SECOND) + version("k", "v1", false, SECOND), ["k", "v1"]),
  // Refused: a named entity XML does not define; the SDK decodes it to "" (so the key has none).
  "k v1": versionsPage(marker("k", "d0", false, SECOND) + version("k", "v0", false, SECOND) + marker("l&nbsp;", "d9", true, SECOND), null),
};

let server: Server;

function newClient(): S3Client {
  return new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
let client: S3Client;
const served: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const body = url.searchParams.has("versions")
      ? VERSION_PAGES[`${url.searchParams.get("key-marker") ?? ""}${url.searchParams.has("version-id-marker") ? ` ${url.searchParams.get("version-id-marker")}` : ""}`.trim()]
      : V2_PAGES[url.searchParams.get("continuation-token") ?? ""];
    served.push(url.search);
    res.writeHead(body !== undefined ? 200 : 404, { "Content-Type": "application/xml", "x-amz-request-id": "R" });
    res.end(body ?? "<Error><Code>NoSuchKey</Code></Error>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = newClient();
  client.middlewareStack.use(listingParser());
});

afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("a body the fast parser refuses", () => {
  it("is read by the SDK, and the SDK's answer says so", async () => {
    const taken = await client.send(new ListObjectsV2Command({ Bucket: "b", EncodingType: "url" }));
    expect(listingParseOf(taken)).toEqual({ parser: "bucketscope" });
    const refused = await client.send(new ListObjectsV2Command({ Bucket: "b", EncodingType: "url", ContinuationToken: "t1" }));
    expect(listingParseOf(refused)).toEqual({ parser: "sdk", reason: "a comment, CDATA or processing instruction between elements" });
    expect(refused.Contents?.map((o) => o.Key)).toEqual(["b%2F%F0%9F%98%80", "b%2F%26amp"]);
    expect(refused.Contents?.[0]?.LastModified).toEqual(new Date("2024-01-01T00:00:03.000Z"));
  });

  it("still gives listPages every key of every page, decoded and in order", async () => {
    const pages = [];
    for await (const p of listPages(client, { connection: "c", bucket: "b", prefix: "", delimiter: null, pageSize: 2, startAfter: null }, { signal: new AbortController().signal })) pages.push(p);
    expect(pages.map((p) => p.record.error)).toEqual([null, null, null]);
    expect(pages.flatMap((p) => p.entries.map((e) => [e.key, e.size, e.etag, e.lastModified]))).toEqual([
      ["a/1", 1, '"e1"', "2024-01-01T00:00:01.000Z"],
      ["a/2 two", 2, '"e2"', "2024-01-01T00:00:02.000Z"],
      ["b/\u{1F600}", 3, '"e3"', "2024-01-01T00:00:03.000Z"],
      ["b/&amp", 4, '"e4"', "2024-01-01T00:00:04.000Z"],
      ["c/last", 5, '"e5"', "2024-01-01T00:00:05.000Z"],
    ]);
  });

  it("still gives listVersionPages the exact order of versions and delete markers, on a client without the parser too", async () => {
    const without = newClient();
    for (const c of [client, without]) {
      const rows = [];
      for await (const p of listVersionPages(c, { connection: "c", bucket: "b", prefix: "", delimiter: null, pageSize: 3 }, { signal: new AbortController().signal })) {
        expect(p.record.error).toBeNull();
        rows.push(...p.rows.map((r) => `${r.key}:${r.versionId}:${r.deleteMarker ? "d" : "v"}`));
      }
      expect(rows).toEqual(["k:v3:v", "k:d2:d", "k:v1:v", "k:d0:d", "k:v0:v", "l:d9:d"]);
    }
    without.destroy();
  });
});
