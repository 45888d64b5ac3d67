import "server-only";
import type { z } from "zod";
import { limits } from "@/lib/config";
import { AppError, type ErrorCode } from "./errors";

export function parse<S extends z.ZodType>(schema: S, value: unknown, code: ErrorCode = "bad_request"): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  throw new AppError(code, message);
}

export function searchParamsObject(url: string | URL): Record<string, string> {
  const params = new URL(url).searchParams;
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

/** How much of a refused body is read and thrown away so that the client gets its 413 and keeps its connection. */
const DRAIN_FACTOR = 8;

function tooLarge(maxBytes: number, closeConnection: boolean): AppError {
  return new AppError("payload_too_large", `The request body is larger than ${formatBytes(maxBytes)}, the most this server accepts (BUCKETSCOPE_MAX_JSON_BYTES).`, {
    // The rest of the body is still on its way: this connection cannot carry another request.
    headers: closeConnection ? { Connection: "close" } : {},
  });
}

function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Reads a JSON request body of at most `maxBytes`, with or without a Content-Length (chunked bodies
 * are counted as they arrive). Past the limit nothing more is kept: the rest is read and dropped (up
 * to DRAIN_FACTOR times the limit) so the client gets a clean 413, and a body larger than that is
 * not read at all and its connection is closed after the answer.
 */
export async function readJson(request: Request, maxBytes: number = limits().maxJsonBytes): Promise<unknown> {
  const drainLimit = maxBytes * DRAIN_FACTOR;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > drainLimit) throw tooLarge(maxBytes, true);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        throw new AppError("bad_request", "The request body could not be read.");
      }
      if (result.done) break;
      size += result.value.byteLength;
      if (size > drainLimit) {
        // Not cancelled (that would reset the connection before the answer is out).
        reader.releaseLock();
        throw tooLarge(maxBytes, true);
      }
      if (size <= maxBytes) chunks.push(result.value);
      else chunks.length = 0;
    }
  }
  if (size > maxBytes) throw tooLarge(maxBytes, false);
  try {
    // As request.json() does: UTF-8, a byte order mark dropped.
    return JSON.parse(new TextDecoder().decode(Buffer.concat(chunks, size))) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}
