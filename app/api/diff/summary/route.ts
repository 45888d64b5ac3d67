import { diffs } from "@/lib/diff";
import { handle, parse, searchParamsObject } from "@/lib/http";
import { diffPairQuerySchema, type DiffSummary } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parse(diffPairQuerySchema, searchParamsObject(request.url));
  const body: DiffSummary = await diffs().summary(query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
