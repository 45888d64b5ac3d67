import type { IncomingMessage } from "node:http";
import { S3Error } from "./errors";
import { safeDecode, splitQuery } from "./sigv4";

// The request as the S3 layer sees it: path-style addressing, /bucket[/key], query decoded.

export interface S3Request {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Decoded query parameters; the first occurrence of a name wins. Flags ("versions") map to "". */
  query: ReadonlyMap<string, string>;
  /** "" for service-level requests (GET /). */
  bucket: string;
  /** "" for bucket-level requests (/bucket and /bucket/). */
  key: string;
  rawHeaders: readonly string[];
  /** Header value by lower-case name (duplicates joined by Node). */
  header(name: string): string | undefined;
}

export function parseS3Request(req: IncomingMessage): S3Request {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? "" : url.slice(q + 1);
  if (!rawPath.startsWith("/")) throw new S3Error("InvalidURI", "Couldn't parse the specified URI.");

  const query = new Map<string, string>();
  for (const [k, v] of splitQuery(rawQuery)) {
    const name = safeDecode(k);
    if (!query.has(name)) query.set(name, safeDecode(v));
  }

  const slash = rawPath.indexOf("/", 1);
  const rawBucket = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
  const rawKey = slash === -1 ? "" : rawPath.slice(slash + 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(rawBucket);
    key = decodeURIComponent(rawKey);
  } catch {
    throw new S3Error("InvalidURI", "Couldn't parse the specified URI.", { URI: url });
  }

  const headers = req.headers;
  return {
    method: req.method ?? "GET",
    rawPath,
    rawQuery,
    query,
    bucket,
    key,
    rawHeaders: req.rawHeaders,
    header(name: string): string | undefined {
      const value = headers[name];
      return Array.isArray(value) ? value.join(",") : value;
    },
  };
}
