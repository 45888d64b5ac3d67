import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { CompareContainer } from "@/components/diff/compare-container";
import { parseCompareView } from "@/components/diff/search-params";
import { passes } from "@/lib/passes";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { view } = parseCompareView(await searchParams);
  return { title: view !== null ? `Compare ${view.a} → ${view.b}` : "Compare" };
}

// The comparison is computed on first request (about a second per million keys), so the page does
// not wait for it: the container asks for the summary and the rows it shows. Unknown passes are
// answered here, with a 404 page (./not-found.tsx).
export default async function ComparePage({ searchParams }: Props) {
  const { view } = parseCompareView(await searchParams);
  if (view !== null && (passes().store.summary(view.a) === null || passes().store.summary(view.b) === null)) notFound();
  return (
    <Suspense>
      <CompareContainer />
    </Suspense>
  );
}
