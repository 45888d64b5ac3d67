import type { Metadata } from "next";
import Link from "next/link";
import { HistoryContainer } from "@/components/history/history-container";
import { parseHistoryPrefix } from "@/components/history/search-params";
import { bucketNameSchema, connectionNameSchema } from "@/lib/wire";

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
  const problems = [
    connectionNameSchema.safeParse(connection).success ? null : `“${connection}” is not a connection name.`,
    bucketNameSchema.safeParse(bucket).success ? null : `“${bucket}” is not a valid bucket name.`,
    problem,
  ].filter((p) => p !== null);
  if (problems.length > 0) {
    return (
      <div className="error-box" role="alert" data-testid="history-error">
        <strong>This history address cannot be shown</strong>
        {problems.map((p) => (
          <p key={p} style={{ margin: "4px 0 0" }}>
            {p}
          </p>
        ))}
        <p style={{ margin: "8px 0 0" }}>
          <Link href="/">Back to the connections</Link>
        </p>
      </div>
    );
  }
  return <HistoryContainer key={`${connection}/${bucket}/${prefix}`} target={{ connection, bucket, prefix }} />;
}
