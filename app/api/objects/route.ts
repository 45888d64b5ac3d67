import { objectDetails } from "@/lib/browse";
import { handle, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { objectQuerySchema, type ObjectDetails } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parseFields(objectQuerySchema, searchParamsObject(request.url));
  const body: ObjectDetails = await objectDetails(query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
