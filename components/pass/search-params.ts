import { objectKeySchema, entriesQuerySchema, entrySortSchema, pageNumberSchema, passListQuerySchema, prefixSummaryQuerySchema, sortOrderSchema, type EntrySort, type SortOrder } from "@/lib/wire";

// The pass view's state lives in the URL, so every view is a link: one parser for the server page
// and the client containers, one builder for every link. A parameter that does not parse falls back
// to its default and says why in `problems`.

export const PASS_TABS = ["keys", "pages", "prefixes"] as const;
export type PassTab = (typeof PASS_TABS)[number];

export interface PassView {
  tab: PassTab;
  sort: EntrySort;
  order: SortOrder;
  /** Substring searched over the whole pass; "" shows every key. */
  q: string;
  /** Only keys that begin with this (a prefix filter, from the Prefixes tab); "" for every key. */
  prefix: string;
  /** The selected page's index (from 0). The URL carries its number, index + 1, as people count. */
  page: number | null;
  /** Prefix summary level (1 = first-level prefixes). */
  depth: number;
  /** The key whose panel is open (its details and history), or null. */
  key: string | null;
}

export const DEFAULT_PASS_VIEW: PassView = { tab: "keys", sort: "key", order: "asc", q: "", prefix: "", page: null, depth: 1, key: null };

export interface PassListFilters {
  connection?: string;
  bucket?: string;
  prefix?: string;
}

export interface Parsed<T> {
  value: T;
  problems: string[];
}

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function first(params: RawParams, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

interface SafeParser<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

function take<T>(params: RawParams, name: string, schema: SafeParser<T>, problems: string[]): T | undefined {
  const raw = first(params, name);
  if (raw === undefined || raw === "") return undefined;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((i) => i.message).join("; ");
  problems.push(message.startsWith(name) ? message : `${name}: ${message}`);
  return undefined;
}

const tabSchema: SafeParser<PassTab> = {
  safeParse: (v) =>
    PASS_TABS.includes(v as PassTab)
      ? { success: true, data: v as PassTab }
      : { success: false, error: { issues: [{ message: `must be one of ${PASS_TABS.join(", ")}` }] } },
};

/** `?page=` is a page number (from 1); the view keeps the page's index. */
const pageIndexSchema: SafeParser<number> = {
  safeParse: (v) => {
    const parsed = pageNumberSchema.safeParse(v);
    return parsed.success ? { success: true, data: parsed.data - 1 } : { success: false, error: { issues: parsed.error.issues } };
  },
};

export function parsePassView(params: RawParams): Parsed<PassView> {
  const problems: string[] = [];
  const value: PassView = {
    tab: take(params, "tab", tabSchema, problems) ?? DEFAULT_PASS_VIEW.tab,
    sort: take(params, "sort", entrySortSchema, problems) ?? DEFAULT_PASS_VIEW.sort,
    order: take(params, "order", sortOrderSchema, problems) ?? DEFAULT_PASS_VIEW.order,
    q: take(params, "q", entriesQuerySchema.shape.q, problems) ?? DEFAULT_PASS_VIEW.q,
    prefix: take(params, "prefix", entriesQuerySchema.shape.prefix, problems) ?? DEFAULT_PASS_VIEW.prefix,
    page: take(params, "page", pageIndexSchema, problems) ?? DEFAULT_PASS_VIEW.page,
    depth: take(params, "depth", prefixSummaryQuerySchema.shape.depth, problems) ?? DEFAULT_PASS_VIEW.depth,
    key: take(params, "key", objectKeySchema, problems) ?? DEFAULT_PASS_VIEW.key,
  };
  return { value, problems };
}

/** encodeURIComponent keeps "+" (%2B) and space (%20) apart, which form encoding would not. */
function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function passHref(id: string, view: Partial<PassView> = {}): string {
  const v = { ...DEFAULT_PASS_VIEW, ...view };
  const pairs: [string, string][] = [];
  if (v.tab !== DEFAULT_PASS_VIEW.tab) pairs.push(["tab", v.tab]);
  if (v.sort !== DEFAULT_PASS_VIEW.sort) pairs.push(["sort", v.sort]);
  if (v.order !== DEFAULT_PASS_VIEW.order) pairs.push(["order", v.order]);
  if (v.prefix !== "") pairs.push(["prefix", v.prefix]);
  if (v.q !== "") pairs.push(["q", v.q]);
  if (v.page !== null) pairs.push(["page", String(v.page + 1)]);
  if (v.depth !== DEFAULT_PASS_VIEW.depth) pairs.push(["depth", String(v.depth)]);
  if (v.key !== null) pairs.push(["key", v.key]);
  const path = `/passes/${encodeURIComponent(id)}`;
  return pairs.length > 0 ? `${path}?${query(pairs)}` : path;
}

export function parsePassListFilters(params: RawParams): Parsed<PassListFilters> {
  const problems: string[] = [];
  const value: PassListFilters = {};
  const connection = take(params, "connection", passListQuerySchema.shape.connection, problems);
  const bucket = take(params, "bucket", passListQuerySchema.shape.bucket, problems);
  const prefix = take(params, "prefix", passListQuerySchema.shape.prefix, problems);
  if (connection !== undefined) value.connection = connection;
  if (bucket !== undefined) value.bucket = bucket;
  if (prefix !== undefined) value.prefix = prefix;
  return { value, problems };
}

export function passListHref(filters: PassListFilters): string {
  const pairs: [string, string][] = [];
  if (filters.connection) pairs.push(["connection", filters.connection]);
  if (filters.bucket) pairs.push(["bucket", filters.bucket]);
  if (filters.prefix) pairs.push(["prefix", filters.prefix]);
  return pairs.length > 0 ? `/passes?${query(pairs)}` : "/passes";
}

/** The API query string for the pass list: the same filters the page's URL holds. */
export function passListApiUrl(filters: PassListFilters, limit: number): string {
  const pairs: [string, string][] = [["limit", String(limit)]];
  if (filters.connection) pairs.push(["connection", filters.connection]);
  if (filters.bucket) pairs.push(["bucket", filters.bucket]);
  if (filters.prefix !== undefined) pairs.push(["prefix", filters.prefix]);
  return `/api/passes?${query(pairs)}`;
}
