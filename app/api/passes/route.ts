import { handle, readJson, searchParamsObject } from "@/lib/http";
import { parseFields, passes } from "@/lib/passes";
import { passListQuerySchema, passParamsSchema, type PassCreated, type PassListResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = handle(async (request: Request) => {
  const params = parseFields(passParamsSchema, await readJson(request));
  const body: PassCreated = { id: await passes().create(params) };
  return Response.json(body, { status: 201, headers: { "Cache-Control": "no-store" } });
});

export const GET = handle((request: Request) => {
  const query = parseFields(passListQuerySchema, searchParamsObject(request.url));
  const body: PassListResponse = { passes: passes().list(query) };
  return Promise.resolve(Response.json(body, { headers: { "Cache-Control": "no-store" } }));
});
