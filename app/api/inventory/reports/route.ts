import { connections } from "@/lib/connections";
import { handle, searchParamsObject } from "@/lib/http";
import { listReports } from "@/lib/inventory";
import { parseFields } from "@/lib/passes";
import { inventoryReportsQuerySchema, type InventoryReportsResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The S3 Inventory reports under a destination bucket and prefix, newest first. */
export const GET = handle(async (request: Request) => {
  const query = parseFields(inventoryReportsQuerySchema, searchParamsObject(request.url));
  const conn = await connections().get(query.connection);
  const body: InventoryReportsResponse = await listReports(conn, query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
