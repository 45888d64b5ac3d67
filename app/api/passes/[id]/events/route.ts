import { handle, ndjsonResponse, searchParamsObject } from "@/lib/http";
import { parseFields, passes } from "@/lib/passes";
import { passEventsQuerySchema, type PassEvent, type PassEventWithoutEntries } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const query = parseFields(passEventsQuerySchema, searchParamsObject(request.url));
  const lean = query.entries === "0";
  const events = passes().events(id, request.signal, { entries: !lean });
  return ndjsonResponse(lean ? withoutEntries(events) : events, request.signal);
});

// Page lines without their entries: most of a line's bytes (a 1M-key pass replays ~150 MB of them),
// and recorded pages are not read from the database for them.
async function* withoutEntries(events: AsyncGenerator<PassEvent, void, undefined>): AsyncGenerator<PassEventWithoutEntries, void, undefined> {
  for await (const e of events) {
    if (e.type !== "page") yield e;
    else yield { type: "page", page: e.page, commonPrefixes: e.commonPrefixes };
  }
}
