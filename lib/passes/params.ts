import "server-only";
import type { z } from "zod";
import { AppError, type ErrorCode } from "@/lib/http";

const FIELD_CODES: Partial<Record<string, ErrorCode>> = {
  bucket: "invalid_bucket_name",
  prefix: "invalid_prefix",
  pageSize: "invalid_page_size",
};

/**
 * Like `parse`, but the error code names the offending field (an invalid bucket name is
 * `invalid_bucket_name`, a page size out of range `invalid_page_size`), taken from the first issue.
 */
export function parseFields<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const field = issues[0]?.path[0];
  const code = (typeof field === "string" ? FIELD_CODES[field] : undefined) ?? "bad_request";
  const message = issues
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
  throw new AppError(code, message);
}
