import { passCreatedSchema, passSummarySchema, type PassParamsInput, type PassSummary } from "@/lib/wire";

/**
 * The pass API of a running app, as browser tests drive it next to the page: JSON checked by the wire
 * schemas. `headers` go with every request (an Authorization header when the app asks for a token).
 */
export function passApi(baseUrl: string, headers: Record<string, string> = {}) {
  async function api<T>(href: string, schema: { parse(v: unknown): T }, init?: RequestInit): Promise<T> {
    const res = await fetch(`${baseUrl}${href}`, { ...init, headers: { ...headers, ...(init?.headers as Record<string, string> | undefined) } });
    if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${href}: ${res.status} ${await res.text()}`);
    return schema.parse(await res.json());
  }

  async function startPass(params: Omit<PassParamsInput, "connection"> & { connection?: string }): Promise<string> {
    const { id } = await api("/api/passes", passCreatedSchema, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connection: "sandbox", ...params }),
    });
    return id;
  }

  async function settled(id: string): Promise<PassSummary> {
    for (;;) {
      const s = await api(`/api/passes/${id}`, passSummarySchema);
      if (s.status !== "running") return s;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return { api, startPass, settled };
}
