// Not server-only: the start script's gate (scripts/start.ts) answers in this shape before Next runs.
import { randomBytes } from "node:crypto";

// One error shape for the whole API: `{ error: { code, message, id? } }`, status from this map only.
export const errorStatus = {
  bad_request: 400,
  invalid_bucket_name: 400,
  invalid_prefix: 400,
  invalid_page_size: 400,
  invalid_token: 400,
  unauthorized: 401,
  access_denied: 403,
  read_only_connection: 403,
  cross_origin: 403,
  not_found: 404,
  unknown_connection: 404,
  no_such_bucket: 404,
  unknown_pass: 404,
  unknown_experiment: 404,
  unknown_watch: 404,
  conflict: 409,
  incomparable_passes: 409,
  incomplete_pass: 409,
  not_versioned: 409,
  too_many_watches: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_passes: 429,
  too_many_experiments: 429,
  too_many_attempts: 429,
  invalid_inventory: 422,
  unsupported_format: 422,
  throttled: 503,
  upstream_error: 502,
  upstream_unreachable: 502,
  short_listing: 502,
  storage_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

// Next bundles each route separately, so one process can hold several copies of this class, while
// process-wide singletons (connections, the pass runner) throw whichever copy built them. A global
// brand makes `instanceof AppError` true for all copies.
const APP_ERROR = Symbol.for("bucketscope.AppError");

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Response headers that belong to this answer (e.g. `Connection: close`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly [APP_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && APP_ERROR in value;
  }

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.headers = options?.headers ?? {};
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; id?: string };
}

export function errorBody(code: ErrorCode, message: string, id?: string): ErrorBody {
  return id === undefined ? { error: { code, message } } : { error: { code, message, id } };
}

/** What a client may learn of an error it cannot act on: the code, and an id to find it in the log. */
export interface InternalError {
  code: "internal_error";
  message: string;
  id: string;
}

/**
 * Logs an unexpected error under a new id and returns what a client may see instead: never its
 * message (paths, SQL, stack), only that it happened and the id the server log carries.
 */
export function internalError(err: unknown, what = "Something went wrong on the server"): InternalError {
  const id = randomBytes(6).toString("hex");
  console.error(`[bucketscope] internal error ${id}: ${what}`, err);
  return { code: "internal_error", message: `${what}; it has been logged (id ${id}).`, id };
}

/** True for an error whose message may be shown to a client as it is. */
export function isClientError(err: unknown): err is AppError {
  return err instanceof AppError && err.code !== "internal_error";
}

/** The `{code, message, id?}` of an error as a client may see it: AppErrors as they are, anything else logged. */
export function clientError(err: unknown, what?: string): { code: ErrorCode; message: string; id?: string } {
  if (isClientError(err)) return { code: err.code, message: err.message };
  return internalError(err, what);
}

// Internal messages never reach the client: anything that is not an AppError (or is one marked
// internal) is logged under an id and answered with a generic 500 naming that id.
export function errorResponse(err: unknown): Response {
  const e = clientError(err);
  const headers = { ...(isClientError(err) ? err.headers : {}), "Cache-Control": "no-store" };
  return Response.json(errorBody(e.code, e.message, e.id), { status: errorStatus[e.code], headers });
}
