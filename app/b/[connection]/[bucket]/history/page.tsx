import type { Metadata } from "next";
import { HistoryContainer } from "@/components/history/history-container";
import { parseHistoryView } from "@/components/history/search-params";
import { AddressProblems, bucketAddressProblems } from "@/components/address-problems";
import { history } from "@/lib/diff";
import { bucketHistoryOr404 } from "../bucket-or-404";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ connection: string; bucket: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { bucket } = await params;
  const { prefix } = parseHistoryView(await searchParams);
  return { title: `History of ${bucket}/${prefix}` };
}

export default async function HistoryPage({ params, searchParams }: Props) {
  const { connection, bucket } = await params;
  const view = parseHistoryView(await searchParams);
  const problems = [...bucketAddressProblems(connection, bucket), ...view.problems];
  if (problems.length > 0) {
    return <AddressProblems title="This history address cannot be shown" problems={problems} testId="history-error" />;
  }
  const target = { connection, bucket, prefix: view.prefix };
  const every = history().series(target);
  // Passes outlive their bucket and connection and stay visible; without any, a missing one is a 404.
  if (every.length === 0) await bucketHistoryOr404(connection, bucket);
  // Without a series in the link, the one of the most recent pass (read here so the page asks once).
  const series = view.series ?? every[0] ?? null;
  const key = series === null ? "" : `${series.kind}/${series.pageSize}/${series.delimiter ?? ""}/${series.startAfter ?? ""}`;
  return <HistoryContainer key={`${connection}/${bucket}/${view.prefix}/${key}`} target={target} series={series} />;
}

