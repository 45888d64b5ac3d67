import "server-only";
import type { z } from "zod";
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

export async function readJson(request: Request): Promise<unknown> {
  try {
    return (await request.json()) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}
