import { experiments } from "@/lib/experiments";
import { handle, parse, readJson, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { experimentParamsSchema, type ExperimentCreated, type ExperimentListResponse } from "@/lib/wire";
import { z } from "zod";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const listQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export const POST = handle(async (request: Request) => {
  const params = parseFields(experimentParamsSchema, await readJson(request));
  const body: ExperimentCreated = { id: await experiments().create(params) };
  return Response.json(body, { status: 201, headers: { "Cache-Control": "no-store" } });
});

export const GET = handle((request: Request) => {
  const { limit } = parse(listQuerySchema, searchParamsObject(request.url));
  const body: ExperimentListResponse = { experiments: experiments().list(limit) };
  return Promise.resolve(Response.json(body, { headers: { "Cache-Control": "no-store" } }));
});
