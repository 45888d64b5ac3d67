import "server-only";

// One error shape for the whole API: `{ error: { code, message } }`, status from this map only.
export const errorStatus = {
  bad_request: 400,
  invalid_bucket_name: 400,
  invalid_prefix: 400,
  invalid_page_size: 400,
  invalid_token: 400,
  unauthorized: 401,
  access_denied: 403,
  read_only_connection: 403,
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
  invalid_inventory: 422,
  unsupported_format: 422,
  throttled: 503,
  upstream_error: 502,
  upstream_unreachable: 502,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

// Next bundles each route separately, so one process can hold several copies of this class, while
// process-wide singletons (connections, the pass runner) throw whichever copy built them. A global
// brand makes `instanceof AppError` true for all copies.
const APP_ERROR = Symbol.for("bucketscope.AppError");

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly [APP_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && APP_ERROR in value;
  }

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

// Internal messages never reach the client: anything that is not an AppError is logged and answered
// with a generic 500.
export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) {
    return Response.json(errorBody(err.code, err.message), {
      status: err.status,
      headers: { "Cache-Control": "no-store" },
    });
  }
  console.error("[bucketscope] unexpected error", err);
  return Response.json(errorBody("internal", "Something went wrong on the server; it has been logged."), {
    status: 500,
    headers: { "Cache-Control": "no-store" },
  });
}
