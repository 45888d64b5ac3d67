import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Sandbox } from "@/lib/sandbox";

// Test helpers: the sandbox's inventory writer over its admin route, objects in and out of the
// sandbox with the SDK, and DuckDB as a reader of reports that shares no code with ours.

export async function sandboxInventory(sandbox: Sandbox, body: Record<string, unknown>): Promise<{ status: number; json: { manifestKey?: string; error?: string; files?: { key: string }[]; rows?: number } }> {
  const res = await fetch(`${sandbox.endpoint}/_bucketscope/inventory`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.secretAccessKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { manifestKey?: string; error?: string } };
}

export async function getObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

export async function putObject(client: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** SHA-256 of the keys in UTF-8 byte order, each followed by a NUL: one value for a key set. */
export function keySetHash(keys: Iterable<string>): string {
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  const h = createHash("sha256");
  for (const k of sorted) h.update(k, "utf8").update("\0");
  return h.digest("hex");
}

export interface ReadByDuckDB {
  rows: number;
  totalSize: number;
  keys: string[];
  columns: { name: string; type: string }[];
}

/**
 * Downloads a report's data files (from its manifest) and reads them with DuckDB: Parquet with
 * read_parquet, CSV with read_csv (no header, the manifest's columns, keys URL-decoded in SQL).
 */
export async function readWithDuckDB(client: S3Client, bucket: string, manifestKey: string, dir: string): Promise<ReadByDuckDB> {
  const manifest = JSON.parse((await getObject(client, bucket, manifestKey)).toString("utf8")) as {
    fileFormat: string;
    fileSchema: string;
    files: { key: string }[];
  };
  fs.mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, f] of manifest.files.entries()) {
    const p = path.join(dir, `f${i}${manifest.fileFormat === "CSV" ? ".csv.gz" : ".parquet"}`);
    fs.writeFileSync(p, await getObject(client, bucket, f.key));
    paths.push(p);
  }
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const list = `[${paths.map((p) => `'${p}'`).join(", ")}]`;
    let source: string;
    let keyExpr: string;
    let sizeCol: string;
    if (manifest.fileFormat === "CSV") {
      const names = manifest.fileSchema.split(",").map((s) => s.trim());
      const types: Record<string, string> = { Size: "BIGINT", LastModifiedDate: "TIMESTAMP", IsLatest: "BOOLEAN", IsDeleteMarker: "BOOLEAN" };
      const columns = `{${names.map((n) => `'${n}': '${types[n] ?? "VARCHAR"}'`).join(", ")}}`;
      source = `read_csv(${list}, header = false, quote = '"', escape = '"', columns = ${columns}, compression = 'gzip')`;
      keyExpr = `url_decode(replace("Key", '+', '%20'))`;
      sizeCol = `"Size"`;
    } else {
      source = `read_parquet(${list})`;
      keyExpr = "key";
      sizeCol = "size";
    }
    const agg = (await c.runAndReadAll(`SELECT count(*) AS n, coalesce(sum(${sizeCol}), 0) AS s FROM ${source}`)).getRowObjects()[0] as { n: bigint; s: bigint | number };
    const keys = (await c.runAndReadAll(`SELECT ${keyExpr} AS k FROM ${source}`)).getRowObjects().map((r) => String(r.k));
    const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    return { rows: Number(agg.n), totalSize: Number(agg.s), keys, columns: described };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
