import { bucketNameSchema, connectionNameSchema, prefixSchema } from "@/lib/wire";

// The inventory page's view lives in the URL: /inventory?connection=&bucket=&prefix= names the
// destination whose reports are listed, so every view is a link.

export interface InventoryView {
  connection: string | null;
  bucket: string | null;
  prefix: string;
}

type RawParams = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function parseInventoryView(params: RawParams): { value: InventoryView; problems: string[] } {
  const problems: string[] = [];
  const pick = <T,>(name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | null => {
    const raw = first(params[name]);
    if (raw === undefined || raw === "") return null;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    problems.push(`${name} "${raw}" is not valid`);
    return null;
  };
  return {
    value: {
      connection: pick("connection", connectionNameSchema),
      bucket: pick("bucket", bucketNameSchema),
      prefix: pick("prefix", prefixSchema) ?? "",
    },
    problems,
  };
}

function query(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function inventoryHref(view: Partial<InventoryView>): string {
  const pairs: [string, string][] = [];
  if (view.connection) pairs.push(["connection", view.connection]);
  if (view.bucket) pairs.push(["bucket", view.bucket]);
  if (view.prefix) pairs.push(["prefix", view.prefix]);
  return pairs.length > 0 ? `/inventory?${query(pairs)}` : "/inventory";
}

export function reportsApiUrl(connection: string, bucket: string, prefix: string): string {
  return `/api/inventory/reports?${query([
    ["connection", connection],
    ["bucket", bucket],
    ["prefix", prefix],
    ["limit", "50"],
  ])}`;
}
