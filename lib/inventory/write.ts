import "server-only";
import { createReadStream } from "node:fs";
import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { toAppError, type Connection } from "@/lib/connections";
import { AppError } from "@/lib/http";
import type { ReportObject, ReportOutput } from "@/lib/inventory-format";

// Where an exported report goes: objects of a writable connection (each with its Content-MD5, so
// S3 checks every file it stores), or a tar archive streamed as a download with the same layout.

/** Refuses to write over an existing report: a tool holding credentials does not clobber a bucket. */
export async function refuseExistingReport(conn: Connection, bucket: string, manifestKey: string): Promise<void> {
  try {
    await conn.client.send(new HeadObjectCommand({ Bucket: bucket, Key: manifestKey }));
  } catch (err) {
    const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
    if (e.name === "NotFound" || e.name === "NoSuchKey" || (e.$metadata?.httpStatusCode === 404 && e.name !== "NoSuchBucket")) return;
    throw toAppError(err, { connection: conn.name, bucket });
  }
  throw new AppError("conflict", `A report already exists at s3://${bucket}/${manifestKey}; export to another prefix or configId.`);
}

export function s3Output(conn: Connection, bucket: string): ReportOutput {
  return {
    async put(o: ReportObject) {
      const Body = "body" in o ? o.body : createReadStream(o.path);
      try {
        await conn.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: o.key,
            Body,
            ContentLength: o.size,
            ContentType: o.contentType,
            ContentMD5: Buffer.from(o.md5, "hex").toString("base64"),
          }),
        );
      } catch (err) {
        throw toAppError(err, { connection: conn.name, bucket });
      } finally {
        if (!("body" in o)) (Body as Readable).destroy();
      }
    },
  };
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, type: "0" | "x", mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(Math.floor(mtime / 1000), 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(type, 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

/** A POSIX pax record "len path=value\n", len counting itself. */
function paxRecord(keyword: string, value: string): string {
  const body = ` ${keyword}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

/**
 * A tar archive (POSIX pax: any key length, UTF-8 names) written as objects arrive; `stream` is
 * what a download route sends. Call `end()` after the last object.
 */
export class TarOutput implements ReportOutput {
  readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly mtime = Date.now();

  private async write(chunk: Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await Promise.race([once(this.stream, "drain"), once(this.stream, "close")]);
    if (this.stream.destroyed) throw new AppError("conflict", "The download was closed before the report was written.");
  }

  async put(o: ReportObject): Promise<void> {
    const name = o.key;
    if (Buffer.byteLength(name) > 100 || /[^\x20-\x7e]/.test(name)) {
      const pax = Buffer.from(paxRecord("path", name), "utf8");
      await this.write(header("PaxHeader", pax.length, "x", this.mtime));
      await this.write(Buffer.concat([pax, Buffer.alloc((BLOCK - (pax.length % BLOCK)) % BLOCK)]));
    }
    await this.write(header(Buffer.from(name).subarray(0, 100).toString("latin1").replace(/[^\x20-\x7e]/g, "_"), o.size, "0", this.mtime));
    if ("body" in o) await this.write(o.body);
    else for await (const chunk of createReadStream(o.path) as AsyncIterable<Buffer>) await this.write(chunk);
    const pad = (BLOCK - (o.size % BLOCK)) % BLOCK;
    if (pad > 0) await this.write(Buffer.alloc(pad));
  }

  async end(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    this.stream.end();
  }
}
