"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { historyHref } from "./search-params";

/** The browser's way to the history of the prefix it shows (it follows the URL as the user moves). */
export function HistoryLink({ connection, bucket }: { connection: string; bucket: string }) {
  const prefix = useSearchParams().get("prefix") ?? "";
  return (
    <Link href={historyHref(connection, bucket, prefix)} className="badge accent" style={{ padding: "4px 10px", fontSize: 13 }} data-testid="history-link" prefetch={false}>
      History &amp; compare
    </Link>
  );
}
