import type { Page } from "playwright-core";
import { expect } from "vitest";
import { browseApiUrl, listingTarget, parseBrowseView } from "@/components/browser/search-params";

// The bucket browser says what it shows on its status line (components/browser/listing-status.tsx):
// `data-listing` is the request the rows on screen answer, `data-generation` which run of a listing
// they come from (every listing started in the page gets the next number, a repeat of the same URL
// too), and `data-phase` is "complete" only when that run has ended and nothing is being fetched.
// A wait that reads the phase alone returns on the listing before (still drawn while the next one
// starts); these waits compare what is shown with what was asked for.

export interface ListingShown {
  phase: string | null;
  listing: string | null;
  generation: number;
}

export async function listingShown(page: Page): Promise<ListingShown> {
  const status = page.getByTestId("listing-status");
  if ((await status.count()) === 0) return { phase: null, listing: null, generation: 0 };
  const [phase, listing, generation] = await Promise.all([
    status.getAttribute("data-phase"),
    status.getAttribute("data-listing"),
    status.getAttribute("data-generation"),
  ]);
  return { phase, listing, generation: generation === null ? 0 : Number(generation) };
}

/** The listing request the page's current URL asks for. */
export function listingAskedFor(page: Page): string {
  const u = new URL(page.url());
  const [, , connection = "", bucket = ""] = u.pathname.split("/").map(decodeURIComponent);
  return browseApiUrl(listingTarget(connection, bucket, parseBrowseView(u.searchParams).view));
}

/**
 * Waits until the page shows a complete listing of what its current URL asks for. With `after` (a
 * generation read before an action), only a listing started after it counts: a new run, never the
 * one on screen before the action, nor a cached copy of the same URL.
 */
export async function waitForListingComplete(page: Page, opts: number | { timeout?: number; after?: number } = {}): Promise<ListingShown> {
  const { timeout = 30_000, after } = typeof opts === "number" ? { timeout: opts } : opts;
  let shown: ListingShown = { phase: null, listing: null, generation: 0 };
  await expect
    .poll(
      async () => {
        shown = await listingShown(page);
        return shown.phase === "complete" && shown.listing === listingAskedFor(page) && (after === undefined || shown.generation > after);
      },
      { timeout },
    )
    .toBe(true);
  return shown;
}

/** Runs `action` (which starts a new listing) and waits for that listing to be complete. */
export async function afterNewListing(page: Page, action: () => Promise<unknown>, timeout?: number): Promise<ListingShown> {
  const before = (await listingShown(page)).generation;
  await action();
  return waitForListingComplete(page, { after: before, ...(timeout !== undefined ? { timeout } : {}) });
}
