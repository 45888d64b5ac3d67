import Link from "next/link";
import { formatTime, timeTitle } from "@/components/format";
import { useTimeZone } from "@/components/format/time";
import { browseHref } from "@/components/browser/search-params";
import type { Bucket, ConnectionKind, ConnectionView } from "@/lib/wire";
import styles from "./home.module.css";

export type BucketsState =
  | { status: "pending" }
  | { status: "error"; code: string; message: string }
  | { status: "success"; buckets: Bucket[] };

const KIND_LABEL: Record<ConnectionKind, string> = { sandbox: "sandbox", aws: "AWS", "s3-compatible": "S3-compatible" };

const ERROR_TITLE: Record<string, string> = {
  access_denied: "Access denied",
  upstream_unreachable: "Endpoint unreachable",
  upstream_error: "Endpoint error",
  throttled: "Throttled",
  unknown_connection: "Unknown connection",
};

export function ConnectionCard({ connection, buckets }: { connection: ConnectionView; buckets: BucketsState }) {
  return (
    <section className={styles.card} aria-label={`Connection ${connection.name}`} data-testid="connection-card" data-connection={connection.name}>
      <div className={styles.cardHead}>
        <div className={styles.cardTitle}>
          <span className={styles.cardName}>{connection.name}</span>
          <span className="badge accent">{KIND_LABEL[connection.kind]}</span>
          {connection.writable ? <span className="badge warn">writable</span> : <span className="badge">read-only</span>}
        </div>
        <div className={styles.cardMeta}>
          <span>
            endpoint <code>{connection.endpointHost ?? "AWS S3"}</code>
          </span>
          <span>
            region <code>{connection.region}</code>
          </span>
        </div>
      </div>
      <div className={styles.cardBody}>
        <BucketList connection={connection.name} state={buckets} />
      </div>
    </section>
  );
}

function BucketList({ connection, state }: { connection: string; state: BucketsState }) {
  const choice = useTimeZone();
  switch (state.status) {
    case "pending":
      return <p className={styles.quiet}>Listing buckets…</p>;
    case "error":
      return (
        <div className={styles.inlineError} role="alert" data-testid="connection-error">
          <strong>{ERROR_TITLE[state.code] ?? "Cannot list buckets"}</strong>
          {state.message}
        </div>
      );
    case "success":
      if (state.buckets.length === 0) return <p className={styles.quiet}>No buckets on this connection.</p>;
      return (
        <ul className={styles.buckets} aria-label={`Buckets of ${connection}`}>
          {state.buckets.map((b) => (
            <li key={b.name} className={styles.bucket}>
              <Link href={browseHref(connection, b.name)} prefetch={false} data-testid="bucket-link">
                {b.name}
              </Link>
              <span className={styles.bucketDate} title={b.createdAt !== null ? `created ${timeTitle(b.createdAt, choice) ?? ""}` : undefined}>
                {b.createdAt !== null ? formatTime(b.createdAt, choice, { zone: false }).slice(0, 10) : ""}
              </span>
            </li>
          ))}
        </ul>
      );
  }
}
