import { prefixSchema } from "@/lib/wire";

// /b/{connection}/{bucket}/history?prefix=: the timeline of the passes of one bucket/prefix.

function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function historyHref(connection: string, bucket: string, prefix = ""): string {
  const path = `/b/${encodeURIComponent(connection)}/${encodeURIComponent(bucket)}/history`;
  return prefix === "" ? path : `${path}?${query([["prefix", prefix]])}`;
}

export function historyApiUrl(connection: string, bucket: string, prefix: string): string {
  return `/api/history?${query([
    ["connection", connection],
    ["bucket", bucket],
    ["prefix", prefix],
  ])}`;
}

export function parseHistoryPrefix(params: Record<string, string | string[] | undefined>): { prefix: string; problem: string | null } {
  const raw = params.prefix;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return { prefix: "", problem: null };
  const parsed = prefixSchema.safeParse(value);
  return parsed.success ? { prefix: parsed.data, problem: null } : { prefix: "", problem: parsed.error.issues.map((i) => i.message).join("; ") };
}
