import { pageSizeSchema, passKindSchema, prefixSchema, type HistorySeriesKey } from "@/lib/wire";

// /b/{connection}/{bucket}/history?prefix=&kind=&pageSize=&delimiter=&startAfter=: the timeline of
// the passes of one bucket/prefix, one series (the passes listed with one setting) at a time. With
// pageSize present the series is in the link (an absent or empty delimiter / startAfter means none);
// without it the page shows the series of the most recent pass.

function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

function seriesPairs(series: HistorySeriesKey | null): [string, string][] {
  if (series === null) return [];
  const pairs: [string, string][] = [
    ["kind", series.kind],
    ["pageSize", String(series.pageSize)],
  ];
  if (series.delimiter !== null) pairs.push(["delimiter", series.delimiter]);
  if (series.startAfter !== null) pairs.push(["startAfter", series.startAfter]);
  return pairs;
}

export function historyHref(connection: string, bucket: string, prefix = "", series: HistorySeriesKey | null = null): string {
  const path = `/b/${encodeURIComponent(connection)}/${encodeURIComponent(bucket)}/history`;
  const pairs: [string, string][] = [...(prefix === "" ? [] : [["prefix", prefix] as [string, string]]), ...seriesPairs(series)];
  return pairs.length === 0 ? path : `${path}?${query(pairs)}`;
}

export function historyApiUrl(connection: string, bucket: string, prefix: string, series: HistorySeriesKey | null = null): string {
  const pairs: [string, string][] = [
    ["connection", connection],
    ["bucket", bucket],
    ["prefix", prefix],
  ];
  if (series !== null) {
    pairs.push(["kind", series.kind], ["pageSize", String(series.pageSize)], ["delimiter", series.delimiter ?? ""], ["startAfter", series.startAfter ?? ""]);
  }
  return `/api/history?${query(pairs)}`;
}

export function sameSeries(a: HistorySeriesKey, b: HistorySeriesKey): boolean {
  return a.kind === b.kind && a.pageSize === b.pageSize && a.delimiter === b.delimiter && a.startAfter === b.startAfter;
}

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function first(params: Params, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const raw = params[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

export interface HistoryView {
  prefix: string;
  /** Null: the series of the most recent pass. */
  series: HistorySeriesKey | null;
  problems: string[];
}

export function parseHistoryView(params: Params): HistoryView {
  const problems: string[] = [];
  const rawPrefix = first(params, "prefix");
  let prefix = "";
  if (rawPrefix !== undefined) {
    const parsed = prefixSchema.safeParse(rawPrefix);
    if (parsed.success) prefix = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => i.message));
  }
  const rawPageSize = first(params, "pageSize");
  if (rawPageSize === undefined) return { prefix, series: null, problems };
  const pageSize = pageSizeSchema.safeParse(rawPageSize);
  const kind = passKindSchema.safeParse(first(params, "kind") ?? "list");
  if (!pageSize.success) problems.push(`pageSize: ${pageSize.error.issues.map((i) => i.message).join("; ")}`);
  if (!kind.success) problems.push(`kind must be one of ${passKindSchema.options.join(", ")}`);
  if (!pageSize.success || !kind.success) return { prefix, series: null, problems };
  const orNull = (v: string | undefined) => (v === undefined || v === "" ? null : v);
  return {
    prefix,
    series: { kind: kind.data, pageSize: pageSize.data, delimiter: orNull(first(params, "delimiter")), startAfter: orNull(first(params, "startAfter")) },
    problems,
  };
}
