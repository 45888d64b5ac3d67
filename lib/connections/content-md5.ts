import "server-only";
import { createHash } from "node:crypto";
import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-s3";
import type { BuildHandlerArguments, BuildMiddleware, HandlerExecutionContext } from "@smithy/types";

// DeleteObjects must carry an integrity check. Since v3.729.0 the SDK sends x-amz-checksum-crc32
// where it used to send Content-MD5; S3 takes either, but servers that predate the flexible
// checksums (OpenStack Swift's s3api, older Ceph RGW and MinIO releases) answer 400 InvalidRequest
// "Missing required header for this request: Content-MD5". The SDK's own fallback for them
// (aws-sdk-js-v3 supplemental-docs/MD5_FALLBACK.md) swaps the checksum headers for Content-MD5.

const DELETE_OBJECTS = new Set(["DeleteObjectsCommand", "DeleteObjects"]);

interface RequestLike {
  headers: Record<string, string>;
  body?: unknown;
}

function isRequestLike(x: unknown): x is RequestLike {
  return typeof x === "object" && x !== null && "headers" in x && typeof x.headers === "object" && x.headers !== null;
}

function bodyBytes(body: unknown): Buffer | null {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return null;
}

const contentMd5: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> =
  (next, context: HandlerExecutionContext) =>
  async (args: BuildHandlerArguments<ServiceInputTypes>) => {
    const request = args.request;
    if (context.commandName === undefined || !DELETE_OBJECTS.has(context.commandName) || !isRequestLike(request)) return next(args);
    const bytes = bodyBytes(request.body);
    if (bytes === null) return next(args);
    for (const name of Object.keys(request.headers)) {
      const lower = name.toLowerCase();
      if (lower.startsWith("x-amz-checksum-") || lower.startsWith("x-amz-sdk-checksum-")) delete request.headers[name];
    }
    request.headers["content-md5"] = createHash("md5").update(bytes).digest("base64");
    return next(args);
  };

/** Makes the client's DeleteObjects carry Content-MD5 instead of the SDK's CRC32 checksum. */
export function sendContentMd5OnDeleteObjects(client: S3Client): void {
  // Low priority in the build step runs after the SDK's flexibleChecksumsMiddleware has set its headers.
  client.middlewareStack.add(contentMd5, { step: "build", priority: "low", name: "bucketscopeContentMd5", override: true });
}
