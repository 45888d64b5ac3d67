import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { browseEventSchema, objectDetailsSchema, passCreatedSchema, type PassCreated } from "@/lib/wire";
import { ensureOk, fetchJson } from "@/components/stream/api-error";
import { readNdjson } from "@/components/stream/read-ndjson";
import { applyBrowseEvent, emptyListing, snapshotListing, type Listing } from "./listing";
import { browseApiUrl, objectApiUrl, type ListingTarget } from "./search-params";

const LISTING_FRESH_MS = 30_000;

// Each published snapshot re-lays out every row of the virtual list (about 10 ms per 100k rows), so
// a big folder is published less often: every 100 ms, plus 1 ms per thousand rows.
const publishGapMs = (rows: number) => 100 + rows / 1000;

// Generations grow across page loads too (from the load's start time), so "a listing newer than
// the one I saw" holds after a reload as well.
let generations = 0;
function nextGeneration(): number {
  if (generations === 0) generations = Math.floor(performance.timeOrigin) * 1000;
  return ++generations;
}

/**
 * Reads the NDJSON listing and publishes snapshots into the query cache while it streams, so the
 * rows of each page show soon after the page arrives.
 */
async function streamListing(url: string, signal: AbortSignal, publish: (listing: Listing) => void): Promise<Listing> {
  const listing = emptyListing(url, nextGeneration());
  let lastPublished = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frame: number | null = null;
  const flush = () => {
    frame = null;
    lastPublished = performance.now();
    publish(snapshotListing(listing));
  };
  const schedule = () => {
    if (timer !== null || frame !== null) return;
    timer = setTimeout(
      () => {
        timer = null;
        frame = requestAnimationFrame(flush);
      },
      Math.max(0, lastPublished + publishGapMs(listing.rows.length) - performance.now()),
    );
  };
  // A listing again starts from nothing: the rows of the last one are not this one's.
  publish(snapshotListing(listing));
  try {
    const res = await ensureOk(await fetch(url, { signal, headers: { Accept: "application/x-ndjson" } }));
    if (!res.body) throw new Error("The server sent no body.");
    for await (const event of readNdjson(res.body, browseEventSchema)) {
      applyBrowseEvent(listing, event);
      schedule();
    }
  } finally {
    if (timer !== null) clearTimeout(timer);
    if (frame !== null) cancelAnimationFrame(frame);
  }
  return snapshotListing(listing);
}

export function listingQuery(target: ListingTarget) {
  return queryOptions({
    queryKey: ["browse", target] as const,
    queryFn: ({ signal, client, queryKey }) =>
      streamListing(browseApiUrl(target), signal, (listing) => {
        if (!signal.aborted) client.setQueryData(queryKey, listing);
      }),
    // A listing cut short (stopped, or left while it streamed) is listed again on return.
    staleTime: (query) => (query.state.data?.end ? LISTING_FRESH_MS : 0),
    // The rows are shared between snapshots: comparing them deeply per page would be quadratic.
    structuralSharing: false,
    retry: false,
  });
}

export interface ObjectTarget {
  connection: string;
  bucket: string;
  key: string;
  /** A version of the key (as-of mode); null for the current one. */
  versionId: string | null;
}

export function objectDetailsQuery(target: ObjectTarget) {
  return queryOptions({
    queryKey: ["object", target] as const,
    queryFn: ({ signal }) => fetchJson(objectApiUrl(target.connection, target.bucket, target.key, target.versionId), objectDetailsSchema, { signal }),
    // The presigned link lives 15 minutes; a minute-old one is still good to click.
    staleTime: 60_000,
    retry: false,
  });
}

export interface RecordListingInput {
  /** "snapshot": the bucket as of `asOf`, rebuilt from ListObjectVersions (takes no delimiter). */
  kind?: "list" | "snapshot";
  asOf?: string;
  connection: string;
  bucket: string;
  prefix: string;
  delimiter?: string;
  pageSize: number;
  /** Cursors listing key ranges at once (default 1: sequential). */
  concurrency?: number;
}

/** Turns the current listing into a recorded pass (POST /api/passes). */
export function useRecordListing(onCreated: (created: PassCreated) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RecordListingInput) =>
      fetchJson("/api/passes", passCreatedSchema, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(input),
      }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ["passes"] });
      onCreated(created);
    },
  });
}
