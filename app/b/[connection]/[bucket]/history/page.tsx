import type { Metadata } from "next";
import { HistoryContainer } from "@/components/history/history-container";
import { parseHistoryPrefix } from "@/components/history/search-params";
import { AddressProblems, bucketAddressProblems } from "@/components/address-problems";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ connection: string; bucket: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { bucket } = await params;
  const { prefix } = parseHistoryPrefix(await searchParams);
  return { title: `History of ${bucket}/${prefix}` };
}

export default async function HistoryPage({ params, searchParams }: Props) {
  const { connection, bucket } = await params;
  const { prefix, problem } = parseHistoryPrefix(await searchParams);
  const problems = [...bucketAddressProblems(connection, bucket), ...(problem === null ? [] : [problem])];
  if (problems.length > 0) {
    return <AddressProblems title="This history address cannot be shown" problems={problems} testId="history-error" />;
  }
  return <HistoryContainer key={`${connection}/${bucket}/${prefix}`} target={{ connection, bucket, prefix }} />;
}
