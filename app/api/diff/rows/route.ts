import { diffs } from "@/lib/diff";
import { handle, parse, searchParamsObject } from "@/lib/http";
import { diffWindowQuerySchema, type DiffWindow } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// Items offset..offset+limit of the compare view (rows and page bands), by position.
export const GET = handle(async (request: Request) => {
  const query = parse(diffWindowQuerySchema, searchParamsObject(request.url));
  const body: DiffWindow = await diffs().window(query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
