import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HistoryContainer } from "@/components/history/history-container";
import { parseHistoryView } from "@/components/history/search-params";
import { AddressProblems, bucketAddressProblems } from "@/components/address-problems";
import { connections } from "@/lib/connections";
import { history } from "@/lib/diff";
import { AppError } from "@/lib/http";

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
  // A connection removed from the configuration keeps its recorded passes, and they stay visible.
  if (every.length === 0 && !(await connectionExists(connection))) notFound();
  // Without a series in the link, the one of the most recent pass (read here so the page asks once).
  const series = view.series ?? every[0] ?? null;
  const key = series === null ? "" : `${series.kind}/${series.pageSize}/${series.delimiter ?? ""}/${series.startAfter ?? ""}`;
  return <HistoryContainer key={`${connection}/${bucket}/${view.prefix}/${key}`} target={target} series={series} />;
}

async function connectionExists(name: string): Promise<boolean> {
  try {
    await connections().get(name);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === "unknown_connection") return false;
    throw err;
  }
}
