import "server-only";
import { AppError, type ErrorCode } from "@/lib/http";
import type { PassError } from "@/lib/wire";

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; extendedRequestId?: unknown };
}

const THROTTLING = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
]);
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const AUTH = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "RequestTimeTooSkewed",
  "AccountProblem",
]);

function shape(err: unknown): SdkErrorShape {
  return err !== null && typeof err === "object" ? err : {};
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function networkCode(err: unknown, depth = 0): string | null {
  const e = shape(err);
  const code = str(e.code);
  if (code !== null && NETWORK.has(code)) return code;
  const name = str(e.name);
  if (name !== null && NETWORK_NAMES.has(name)) return name;
  if (typeof e.message === "string" && /socket hang up/i.test(e.message)) return "ECONNRESET";
  return depth < 5 && e.cause !== undefined ? networkCode(e.cause, depth + 1) : null;
}

export function isAbortError(err: unknown): boolean {
  const name = str(shape(err).name);
  return name === "AbortError";
}

export interface ErrorContext {
  connection: string;
  bucket?: string;
}

/**
 * Classifies anything the SDK throws: the API error code and a message a person understands (S3's
 * own message where it is meant for people), plus what the page record keeps. Raw network messages
 * are not passed on: they name internal hosts.
 */
export function describeS3Error(err: unknown, ctx: ErrorContext): PassError {
  if (err instanceof AppError) {
    return { code: err.code, message: err.message, httpStatus: null, s3Code: null, requestId: null, retryable: false };
  }
  const e = shape(err);
  const httpStatus = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : null;
  const requestId = str(e.$metadata?.requestId);
  const name = str(e.name);
  const s3Message = str(e.message);
  const hasServiceCode = e.$fault === "client" || e.$fault === "server";
  const s3Code = hasServiceCode ? name : null;
  const bucket = ctx.bucket !== undefined ? `"${ctx.bucket}"` : "the bucket";
  const base = { httpStatus, s3Code, requestId };
  const result = (code: ErrorCode, message: string, retryable: boolean): PassError => ({ ...base, code, message, retryable });

  const net = httpStatus === null ? networkCode(err) : null;
  if (net !== null) {
    return result("upstream_unreachable", `Could not reach the S3 endpoint of connection "${ctx.connection}" (${net}).`, true);
  }
  if (name === "NoSuchBucket" || (httpStatus === 404 && name === "NotFound" && ctx.bucket !== undefined)) {
    return result("no_such_bucket", `Bucket ${bucket} does not exist on connection "${ctx.connection}".`, false);
  }
  if (name === "InvalidBucketName") {
    return result("invalid_bucket_name", s3Message ?? `${bucket} is not a valid bucket name.`, false);
  }
  if (name === "InvalidArgument" && s3Message !== null && /continuation token/i.test(s3Message)) {
    return result("invalid_token", `S3 rejected the continuation token: ${s3Message}`, false);
  }
  if ((name !== null && THROTTLING.has(name)) || httpStatus === 429 || httpStatus === 503) {
    return result("throttled", `S3 asked to slow down (${name ?? httpStatus}): ${s3Message ?? "try again later"}`, true);
  }
  if ((name !== null && AUTH.has(name)) || httpStatus === 403) {
    return result("access_denied", s3Message ?? `Access denied to ${bucket} on connection "${ctx.connection}".`, false);
  }
  if (name === "CredentialsProviderError" || (name !== null && /credential/i.test(name))) {
    return result("access_denied", `No usable credentials for connection "${ctx.connection}": ${s3Message ?? name}`, false);
  }
  if (httpStatus !== null && httpStatus >= 500) {
    return result("upstream_error", `The S3 server failed (${httpStatus}${name !== null ? ` ${name}` : ""}): ${s3Message ?? "no message"}`, true);
  }
  if (httpStatus === 301 || httpStatus === 307 || name === "PermanentRedirect") {
    return result("upstream_error", `${bucket} lives in another region or endpoint: ${s3Message ?? name ?? "redirect"}`, false);
  }
  if (httpStatus !== null && httpStatus >= 400) {
    return result("bad_request", `S3 rejected the request (${name ?? httpStatus}): ${s3Message ?? "no message"}`, false);
  }
  // A 200 with a body the SDK could not read, or an error with no HTTP exchange behind it.
  const what = name !== null && name !== "Error" ? `${name}: ` : "";
  return result("upstream_error", `Unexpected response from connection "${ctx.connection}": ${what}${s3Message ?? "unknown error"}`, httpStatus === 200);
}

export function toAppError(err: unknown, ctx: ErrorContext): AppError {
  if (err instanceof AppError) return err;
  const d = describeS3Error(err, ctx);
  return new AppError(d.code as ErrorCode, d.message, { cause: err });
}
