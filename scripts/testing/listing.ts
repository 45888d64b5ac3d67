import type { Page } from "playwright-core";
import { expect } from "vitest";
import { browseApiUrl, listingTarget, parseBrowseView } from "@/components/browser/search-params";

/** The listing the page's current URL asks for is complete (not the previous one, still drawn). */
export async function waitForListingComplete(page: Page, timeout = 30_000): Promise<void> {
  const u = new URL(page.url());
  const [, , connection = "", bucket = ""] = u.pathname.split("/");
  const expected = browseApiUrl(listingTarget(connection, bucket, parseBrowseView(u.searchParams).view));
  const status = page.getByTestId("listing-status");
  await expect
    .poll(async () => (await status.getAttribute("data-phase")) === "complete" && (await status.getAttribute("data-listing")) === expected, { timeout })
    .toBe(true);
}
