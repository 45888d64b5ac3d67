import type { Metadata } from "next";
import { Suspense } from "react";
import { BrowserContainer } from "@/components/browser/browser-container";
import { parseBrowseView, splitPrefix } from "@/components/browser/search-params";
import { AddressProblems, bucketAddressProblems } from "@/components/address-problems";
import { bucketHistoryOr404 } from "./bucket-or-404";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ connection: string; bucket: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { bucket } = await params;
  const { folder } = splitPrefix(parseBrowseView(await searchParams).view.prefix);
  return { title: folder === "" ? bucket : `${bucket}/${folder}` };
}

export default async function BrowsePage({ params }: Props) {
  const { connection, bucket } = await params;
  const problems = bucketAddressProblems(connection, bucket);
  if (problems.length > 0) {
    return <AddressProblems title="This bucket address cannot be listed" problems={problems} testId="browse-error" />;
  }
  // Whether the bucket has history decides, before anyone clicks, whether "As of" is offered.
  const history = await bucketHistoryOr404(connection, bucket);
  // useSearchParams in the container: the view follows the URL without a server round trip.
  return (
    <Suspense>
      <BrowserContainer connection={connection} bucket={bucket} history={history} />
    </Suspense>
  );
}
