import { diffs, keyHistory, keyPrefixHistory } from "@/lib/diff";
import { AppError, handle, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { keyHistoryQuerySchema, keyPrefixHistoryQuerySchema, type KeyHistoryResponse, type KeyPrefixHistoryResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// One key (`key=`) or the keys under a prefix (`keyPrefix=`) through the passes of a bucket/prefix.
export const GET = handle(async (request: Request) => {
  const params = searchParamsObject(request.url);
  const hasKey = params.key !== undefined;
  const hasKeyPrefix = params.keyPrefix !== undefined;
  if (hasKey === hasKeyPrefix) {
    throw new AppError("bad_request", hasKey ? "Give key or keyPrefix, not both." : "Give key (one key) or keyPrefix (the keys under a prefix).");
  }
  const headers = { "Cache-Control": "no-store" };
  if (hasKeyPrefix) {
    const query = parseFields(keyPrefixHistoryQuerySchema, params);
    const body: KeyPrefixHistoryResponse = await keyPrefixHistory(diffs().store, query, request.signal);
    return Response.json(body, { headers });
  }
  const body: KeyHistoryResponse = await Promise.resolve(keyHistory(diffs().store, parseFields(keyHistoryQuerySchema, params)));
  return Response.json(body, { headers });
});
