import { diffOnlySchema, passIdSchema, type DiffOnly } from "@/lib/wire";

// The compare view's state lives in the URL: /compare?a=&b=&only=changes&row=&allowIncomplete=1&allowDifferentBuckets=1.
// One parser for the server page and the client container, one builder for every link and API call.

export interface CompareView {
  a: string;
  b: string;
  /** The aligned view of every key (all, the default) or the changes only. */
  only: DiffOnly;
  /** The item at the top of the view (rows and page bands count), for deep links. */
  row: number;
  allowIncomplete: boolean;
  allowDifferentBuckets: boolean;
}

export interface ParsedCompareView {
  view: CompareView | null;
  problems: string[];
}

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function first(params: RawParams, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

const on = (v: string | undefined) => v === "1" || v === "true";

export function parseCompareView(params: RawParams): ParsedCompareView {
  const problems: string[] = [];
  const id = (name: "a" | "b"): string | null => {
    const raw = first(params, name);
    if (raw === undefined || raw === "") {
      problems.push(`Pass ${name.toUpperCase()} is missing: add ${name}=<pass id> to the address.`);
      return null;
    }
    const parsed = passIdSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    problems.push(`Pass ${name.toUpperCase()}: ${parsed.error.issues.map((i) => i.message).join("; ")}.`);
    return null;
  };
  const a = id("a");
  const b = id("b");
  const onlyRaw = first(params, "only");
  const only = diffOnlySchema.safeParse(onlyRaw ?? "all");
  if (!only.success) problems.push("only must be changes or all.");
  const rowRaw = Number(first(params, "row") ?? "0");
  const row = Number.isInteger(rowRaw) && rowRaw >= 0 ? rowRaw : 0;
  if (a === null || b === null) return { view: null, problems };
  return {
    view: {
      a,
      b,
      only: only.success ? only.data : "all",
      row,
      allowIncomplete: on(first(params, "allowIncomplete")),
      allowDifferentBuckets: on(first(params, "allowDifferentBuckets")),
    },
    problems,
  };
}

function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

function pairParams(v: Pick<CompareView, "a" | "b" | "allowIncomplete" | "allowDifferentBuckets">): [string, string][] {
  const pairs: [string, string][] = [
    ["a", v.a],
    ["b", v.b],
  ];
  if (v.allowIncomplete) pairs.push(["allowIncomplete", "1"]);
  if (v.allowDifferentBuckets) pairs.push(["allowDifferentBuckets", "1"]);
  return pairs;
}

export function compareHref(v: Pick<CompareView, "a" | "b"> & Partial<CompareView>): string {
  const full: CompareView = { only: "all", row: 0, allowIncomplete: false, allowDifferentBuckets: false, ...v };
  const pairs = pairParams(full);
  if (full.only !== "all") pairs.push(["only", full.only]);
  if (full.row > 0) pairs.push(["row", String(full.row)]);
  return `/compare?${query(pairs)}`;
}

export type DiffPair = Pick<CompareView, "a" | "b" | "allowIncomplete" | "allowDifferentBuckets">;

export function diffSummaryUrl(p: DiffPair): string {
  return `/api/diff/summary?${query(pairParams(p))}`;
}

export function diffRowsUrl(p: DiffPair, only: DiffOnly, offset: number, limit: number): string {
  return `/api/diff/rows?${query([...pairParams(p), ["only", only], ["offset", String(offset)], ["limit", String(limit)]])}`;
}

export function diffSeekUrl(p: DiffPair, only: DiffOnly, from: number, dir: "next" | "prev"): string {
  return `/api/diff/seek?${query([...pairParams(p), ["only", only], ["from", String(from)], ["dir", dir]])}`;
}

export function diffExportUrl(p: DiffPair, only: DiffOnly, format: "csv" | "ndjson"): string {
  return `/api/diff/export?${query([...pairParams(p), ["only", only], ["format", format]])}`;
}
