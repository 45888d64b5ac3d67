import { connections } from "@/lib/connections";
import { handle } from "@/lib/http";
import type { ConnectionsResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async () => {
  const body: ConnectionsResponse = { connections: await connections().list() };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
