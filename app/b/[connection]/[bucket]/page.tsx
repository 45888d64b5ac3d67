import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { BrowserContainer } from "@/components/browser/browser-container";
import { parseBrowseView, splitPrefix } from "@/components/browser/search-params";
import { bucketNameSchema, connectionNameSchema } from "@/lib/wire";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ connection: string; bucket: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function routeProblems(connection: string, bucket: string): string[] {
  const problems: string[] = [];
  const c = connectionNameSchema.safeParse(connection);
  if (!c.success) problems.push(`“${connection}” is not a connection name: ${c.error.issues.map((i) => i.message).join("; ")}.`);
  const b = bucketNameSchema.safeParse(bucket);
  if (!b.success) problems.push(`“${bucket}” is not a valid bucket name: ${b.error.issues.map((i) => i.message).join("; ")}.`);
  return problems;
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { bucket } = await params;
  const { folder } = splitPrefix(parseBrowseView(await searchParams).view.prefix);
  return { title: folder === "" ? bucket : `${bucket}/${folder}` };
}

export default async function BrowsePage({ params }: Props) {
  const { connection, bucket } = await params;
  const problems = routeProblems(connection, bucket);
  if (problems.length > 0) {
    return (
      <div className="error-box" role="alert" data-testid="browse-error">
        <strong>This bucket address cannot be listed</strong>
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
  // useSearchParams in the container: the view follows the URL without a server round trip.
  return (
    <Suspense>
      <BrowserContainer connection={connection} bucket={bucket} />
    </Suspense>
  );
}
