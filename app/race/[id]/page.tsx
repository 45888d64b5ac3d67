import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ExperimentContainer } from "@/components/race/experiment-container";
import { experiments } from "@/lib/experiments";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Experiment ${(await params).id}` };
}

export default async function ExperimentPage({ params }: Props) {
  const { id } = await params;
  if (experiments().store.summary(id) === null) notFound();
  return (
    <Suspense fallback={<p className="muted">Loading the experiment…</p>}>
      <ExperimentContainer id={id} />
    </Suspense>
  );
}
