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

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `The request body is larger than ${formatBytes(maxBytes)}, the most this server accepts (BUCKETSCOPE_MAX_JSON_BYTES).`);
}

function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Reads a JSON request body of at most `maxBytes`. A declared Content-Length over the limit is
 * refused before anything is read; a body without one (chunked) is counted as it arrives and
 * refused as soon as it passes the limit, so no request can make the server hold more.
 */
export async function readJson(request: Request, maxBytes: number = limits().maxJsonBytes): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
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
      if (size > maxBytes) {
        void reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(result.value);
    }
  }
  try {
    // As request.json() does: UTF-8, a byte order mark dropped.
    return JSON.parse(new TextDecoder().decode(Buffer.concat(chunks, size))) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}
