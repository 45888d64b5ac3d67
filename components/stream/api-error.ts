import { errorBodySchema } from "@/lib/wire";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Turns a non-2xx response into an ApiError carrying the server's own message. */
export async function ensureOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  let code = "http_error";
  let message = `The server answered ${res.status} ${res.statusText}.`;
  try {
    const body = errorBodySchema.safeParse(await res.json());
    if (body.success) {
      code = body.data.error.code;
      message = body.data.error.message;
    }
  } catch {
    // Not JSON: keep the status line as the message.
  }
  throw new ApiError(res.status, code, message);
}

/** JSON both ways: the server refuses a write (POST, PUT, PATCH, DELETE) that is not sent as JSON. */
export async function fetchJson<T>(url: string, schema: { parse(v: unknown): T }, init?: RequestInit): Promise<T> {
  const write = init?.method !== undefined && !["GET", "HEAD"].includes(init.method.toUpperCase());
  const headers = { Accept: "application/json", ...(write ? { "Content-Type": "application/json" } : {}), ...init?.headers };
  const res = await ensureOk(await fetch(url, { ...init, headers }));
  return schema.parse(await res.json());
}
