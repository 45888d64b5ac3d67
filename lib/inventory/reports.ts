import "server-only";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { toAppError, type Connection } from "@/lib/connections";
import { parseManifest, parseManifestKey, ReportFormatError } from "@/lib/inventory-format";
import type { InventoryReport, InventoryReportsQuery, InventoryReportsResponse } from "@/lib/wire";

// The reports under a destination: S3 puts each in {prefix}/{source}/{config}/{YYYY-MM-DDTHH-MMZ}/,
// so three delimited listings find them without listing the data files. The prefix may also name a
// source's or a configuration's folder. Manifests are read (not verified: that is the import's job)
// only for the newest `limit` reports.

const TIMESTAMP_FOLDER = /\/(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z\/$/;
const MANIFEST_CONCURRENCY = 8;
const MAX_LISTED_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Folder levels searched below the prefix, and delimited listings spent at most. */
const MAX_DEPTH = 5;
const MAX_LISTINGS = 500;

async function folders(conn: Connection, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const res = await conn.client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix === "" ? undefined : prefix, Delimiter: "/", ContinuationToken: token }))
      .catch((err: unknown) => {
        throw toAppError(err, { connection: conn.name, bucket });
      });
    for (const p of res.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix);
    token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

function folderTime(folder: string): number | null {
  const m = TIMESTAMP_FOLDER.exec(`/${folder}`);
  if (m === null) return null;
  const [, y, mo, d, h, mi] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
}

async function describe(conn: Connection, bucket: string, folder: string): Promise<InventoryReport | null> {
  const manifestKey = `${folder}manifest.json`;
  const parts = parseManifestKey(manifestKey);
  if (parts === null) return null;
  const base: InventoryReport = {
    manifestKey,
    sourceBucket: parts.sourceBucket,
    configId: parts.configId,
    createdAt: new Date(folderTime(folder) ?? 0).toISOString(),
    fileFormat: null,
    files: null,
    bytes: null,
    versions: null,
    problem: null,
  };
  try {
    const res = await conn.client.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }));
    const bytes = Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    if (bytes.length > MAX_LISTED_MANIFEST_BYTES) return { ...base, problem: "manifest.json is too large to be a manifest" };
    const m = parseManifest(bytes, null);
    return {
      ...base,
      sourceBucket: m.sourceBucket,
      createdAt: new Date(m.createdAt).toISOString(),
      fileFormat: m.fileFormat,
      files: m.files.length,
      bytes: m.files.reduce((sum, f) => sum + f.size, 0),
      versions: /\b(IsLatest|is_latest)\b/.test(m.fileSchema),
    };
  } catch (err) {
    if (err instanceof ReportFormatError) return { ...base, problem: err.message };
    const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
    if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return { ...base, problem: "no manifest.json: the report is still being written, or was not finished" };
    throw toAppError(err, { connection: conn.name, bucket });
  }
}

export async function listReports(conn: Connection, q: InventoryReportsQuery): Promise<InventoryReportsResponse> {
  const root = q.prefix === "" ? "" : `${q.prefix.replace(/\/+$/, "")}/`;
  // Breadth first below the prefix: report folders sit two levels down from a destination prefix
  // ({source}/{config}/{timestamp}/), and the prefix given may be shallower (a parent of the
  // destination prefix) or deeper (a source's or configuration's folder).
  const reportFolders: string[] = [];
  let level = [root];
  let listings = 0;
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0 && listings < MAX_LISTINGS; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      if (listings++ >= MAX_LISTINGS) break;
      for (const child of await folders(conn, q.bucket, folder)) {
        if (folderTime(child) !== null) reportFolders.push(child);
        else if (!/(^|\/)(data|hive)\/$/.test(child)) next.push(child);
      }
    }
    level = next;
  }
  const matching = reportFolders
    .filter((f) => {
      const parts = parseManifestKey(`${f}manifest.json`);
      return parts !== null && (q.source === undefined || parts.sourceBucket === q.source) && (q.config === undefined || parts.configId === q.config);
    })
    .sort((a, b) => (folderTime(b) ?? 0) - (folderTime(a) ?? 0) || (a < b ? 1 : -1));
  const shown = matching.slice(0, q.limit);
  const reports: (InventoryReport | null)[] = new Array<InventoryReport | null>(shown.length).fill(null);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(MANIFEST_CONCURRENCY, shown.length) }, async () => {
      while (next < shown.length) {
        const i = next++;
        reports[i] = await describe(conn, q.bucket, shown[i] as string);
      }
    }),
  );
  return {
    connection: conn.name,
    bucket: q.bucket,
    prefix: q.prefix,
    reports: reports.filter((r): r is InventoryReport => r !== null).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)),
    truncated: matching.length > shown.length,
  };
}
