import { instantSchema, MAX_PAGE_SIZE, objectKeySchema, pageNumberSchema, pageSizeSchema, prefixSchema } from "@/lib/wire";

// The bucket browser's view state lives in the URL: /b/{connection}/{bucket}?prefix=&key=&pageSize=&flat=1
// (&asOf=<ISO instant> for the bucket as of T, &version= for the open object's version, &page=N for
// the page jumped to, numbered from 1).
// One parser for the server page and the client container, one builder for every link.

export const FOLDER_DELIMITER = "/";
export const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;
export const PAGE_SIZE_CHOICES = [1, 10, 100, 250, 500, 1000] as const;

export interface BrowseView {
  /** The full ListObjectsV2 prefix: the folder plus the filter typed after it. */
  prefix: string;
  /** The object whose details are open. */
  key: string | null;
  pageSize: number;
  /** List every key under the prefix instead of rolling folders up by "/". */
  flat: boolean;
  /** The bucket as of this instant (normalized ISO), or null for the live listing. */
  asOf: string | null;
  /** The open object's version (as-of mode: the one current at T). */
  version: string | null;
  /** The page jumped to ("Go to page"), numbered from 1 as people read it. */
  page: number | null;
}

export const DEFAULT_VIEW: BrowseView = { prefix: "", key: null, pageSize: DEFAULT_PAGE_SIZE, flat: false, asOf: null, version: null, page: null };

export interface ParsedView {
  view: BrowseView;
  /** Why a parameter was not usable, in words for the page; the view falls back to its default there. */
  problems: string[];
}

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function first(params: RawParams, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

function messageOf(issues: readonly { message: string }[]): string {
  return issues.map((i) => i.message).join("; ");
}

export function parseBrowseView(params: RawParams): ParsedView {
  const problems: string[] = [];
  const view: BrowseView = { ...DEFAULT_VIEW };

  const prefix = first(params, "prefix");
  if (prefix !== undefined) {
    const parsed = prefixSchema.safeParse(prefix);
    if (parsed.success) view.prefix = parsed.data;
    else problems.push(messageOf(parsed.error.issues));
  }
  const key = first(params, "key");
  if (key !== undefined && key !== "") {
    const parsed = objectKeySchema.safeParse(key);
    if (parsed.success) view.key = parsed.data;
    else problems.push(messageOf(parsed.error.issues));
  }
  const pageSize = first(params, "pageSize");
  if (pageSize !== undefined && pageSize !== "") {
    const parsed = pageSizeSchema.safeParse(pageSize);
    if (parsed.success) view.pageSize = parsed.data;
    else problems.push(messageOf(parsed.error.issues));
  }
  view.flat = first(params, "flat") === "1";
  const asOf = first(params, "asOf");
  if (asOf !== undefined && asOf !== "") {
    const parsed = instantSchema.safeParse(asOf);
    if (parsed.success) view.asOf = parsed.data;
    else problems.push(`asOf “${asOf}”: ${messageOf(parsed.error.issues)}.`);
  }
  const version = first(params, "version");
  if (version !== undefined && version !== "" && view.key !== null) view.version = version;
  const page = first(params, "page");
  if (page !== undefined && page !== "") {
    const parsed = pageNumberSchema.safeParse(page);
    if (parsed.success) view.page = parsed.data;
    else problems.push(`page “${page}”: ${messageOf(parsed.error.issues)}.`);
  }
  return { view, problems };
}

/** encodeURIComponent keeps "+" (%2B) and space (%20) apart, which form encoding would not. */
function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function browseHref(connection: string, bucket: string, view: Partial<BrowseView> = {}): string {
  const v = { ...DEFAULT_VIEW, ...view };
  const pairs: [string, string][] = [];
  if (v.prefix !== "") pairs.push(["prefix", v.prefix]);
  if (v.flat) pairs.push(["flat", "1"]);
  if (v.pageSize !== DEFAULT_PAGE_SIZE) pairs.push(["pageSize", String(v.pageSize)]);
  if (v.asOf !== null) pairs.push(["asOf", v.asOf]);
  if (v.page !== null) pairs.push(["page", String(v.page)]);
  if (v.key !== null) pairs.push(["key", v.key]);
  if (v.key !== null && v.version !== null) pairs.push(["version", v.version]);
  const path = `/b/${encodeURIComponent(connection)}/${encodeURIComponent(bucket)}`;
  return pairs.length > 0 ? `${path}?${query(pairs)}` : path;
}

export function browseApiUrl(target: ListingTarget): string {
  const pairs: [string, string][] = [
    ["connection", target.connection],
    ["bucket", target.bucket],
    ["prefix", target.prefix],
    ["pageSize", String(target.pageSize)],
  ];
  if (target.delimiter !== null) pairs.push(["delimiter", target.delimiter]);
  if (target.asOf !== null) pairs.push(["asOf", target.asOf]);
  return `/api/browse?${query(pairs)}`;
}

export function objectApiUrl(connection: string, bucket: string, key: string, versionId: string | null = null): string {
  const pairs: [string, string][] = [
    ["connection", connection],
    ["bucket", bucket],
    ["key", key],
  ];
  if (versionId !== null) pairs.push(["versionId", versionId]);
  return `/api/objects?${query(pairs)}`;
}

/**
 * The view after a change: a change of what is listed (prefix, page size, view, T) starts at the
 * first page again, so the page jumped to is dropped unless the change names one.
 */
export function changeView(view: BrowseView, patch: Partial<BrowseView>): BrowseView {
  const relisted = (["prefix", "pageSize", "flat", "asOf"] as const).some((k) => k in patch && patch[k] !== view[k]);
  return { ...view, ...(relisted ? { page: null } : {}), ...patch };
}

/** What one listing request is: the URL state that changes what S3 is asked. */
export interface ListingTarget {
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  pageSize: number;
  asOf: string | null;
}

export function listingTarget(connection: string, bucket: string, view: BrowseView): ListingTarget {
  return { connection, bucket, prefix: view.prefix, delimiter: view.flat ? null : FOLDER_DELIMITER, pageSize: view.pageSize, asOf: view.asOf };
}

/** The folder part of a prefix (up to and including its last "/") and the filter typed after it. */
export function splitPrefix(prefix: string): { folder: string; filter: string } {
  const cut = prefix.lastIndexOf(FOLDER_DELIMITER) + 1;
  return { folder: prefix.slice(0, cut), filter: prefix.slice(cut) };
}

export interface Crumb {
  /** The folder's own name, without the delimiter. */
  label: string;
  prefix: string;
}

/** One crumb per folder level: "a/b/" gives a/ and a/b/. Empty segments ("a//b/") are levels too. */
export function breadcrumbs(folder: string): Crumb[] {
  const crumbs: Crumb[] = [];
  let at = 0;
  for (;;) {
    const end = folder.indexOf(FOLDER_DELIMITER, at);
    if (end === -1) return crumbs;
    crumbs.push({ label: folder.slice(at, end), prefix: folder.slice(0, end + 1) });
    at = end + 1;
  }
}

/** A key or common prefix as shown inside its folder: the part after the folder. */
export function nameInFolder(keyOrPrefix: string, folder: string): string {
  return keyOrPrefix.startsWith(folder) ? keyOrPrefix.slice(folder.length) : keyOrPrefix;
}
