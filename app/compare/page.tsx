import type { Metadata } from "next";
import { Suspense } from "react";
import { CompareContainer } from "@/components/diff/compare-container";
import { parseCompareView } from "@/components/diff/search-params";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { view } = parseCompareView(await searchParams);
  return { title: view !== null ? `Compare ${view.a} → ${view.b}` : "Compare" };
}

// The comparison is computed on first request (about a second per million keys), so the page does
// not wait for it: the container asks for the summary and the rows it shows.
export default function ComparePage() {
  return (
    <Suspense>
      <CompareContainer />
    </Suspense>
  );
}
