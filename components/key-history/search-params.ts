// The key-history API's URLs, one builder for every caller.

function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export interface KeyHistoryTarget {
  connection: string;
  bucket: string;
  /** The prefix of the passes (their target), not the key's folder. */
  prefix: string;
}

export function keyHistoryApiUrl(t: KeyHistoryTarget, key: string): string {
  return `/api/history/key?${query([
    ["connection", t.connection],
    ["bucket", t.bucket],
    ["prefix", t.prefix],
    ["key", key],
  ])}`;
}

export function keyPrefixHistoryApiUrl(t: KeyHistoryTarget, keyPrefix: string, keyLimit: number): string {
  return `/api/history/key?${query([
    ["connection", t.connection],
    ["bucket", t.bucket],
    ["prefix", t.prefix],
    ["keyPrefix", keyPrefix],
    ["keyLimit", String(keyLimit)],
  ])}`;
}

/**
 * The prefixes whose passes may hold a key, most specific first: the one the browser shows (what its
 * "Record a pass" lists), the folder without a typed filter, and the whole bucket.
 */
export function coveringPrefixes(key: string, shown: string, folder: string): string[] {
  const out: string[] = [];
  for (const p of [shown, folder, ""]) if (key.startsWith(p) && !out.includes(p)) out.push(p);
  return out;
}

/** What the history page follows through its passes: one key, or the keys under a prefix. */
export type KeyChoice = { mode: "key"; value: string } | { mode: "keyPrefix"; value: string };

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function first(params: Params, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const raw = params[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** `?key=` or `?keyPrefix=` of the history page (a key wins when both are there); null for neither. */
export function parseKeyChoice(params: Params): KeyChoice | null {
  const key = first(params, "key");
  if (key !== undefined && key !== "") return { mode: "key", value: key };
  const keyPrefix = first(params, "keyPrefix");
  if (keyPrefix !== undefined) return { mode: "keyPrefix", value: keyPrefix };
  return null;
}

/** The history page's address with this choice in it, every other parameter kept. */
export function withKeyChoice(search: string, choice: KeyChoice | null): string {
  const params = new URLSearchParams(search);
  params.delete("key");
  params.delete("keyPrefix");
  if (choice !== null) params.set(choice.mode, choice.value);
  const q = params.toString().replaceAll("+", "%20");
  return q === "" ? "" : `?${q}`;
}

/** The history page of a target following one key or the keys under a prefix. */
export function keyHistoryHref(connection: string, bucket: string, prefix: string, choice: KeyChoice): string {
  const path = `/b/${encodeURIComponent(connection)}/${encodeURIComponent(bucket)}/history`;
  return `${path}${withKeyChoice(prefix === "" ? "" : `prefix=${encodeURIComponent(prefix)}`, choice)}`;
}
