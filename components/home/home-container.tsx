"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "@/components/stream/api-error";
import type { ConnectionView } from "@/lib/wire";
import { ConnectionCard, type BucketsState } from "./connection-card";
import { PassesTable } from "./passes-table";
import { bucketsQuery, connectionsQuery, recentPassesQuery } from "./queries";
import styles from "./home.module.css";

function errorOf(err: Error): { code: string; message: string } {
  return { code: err instanceof ApiError ? err.code : "network", message: err.message };
}

function ConnectionContainer({ connection }: { connection: ConnectionView }) {
  const buckets = useQuery(bucketsQuery(connection.name));
  const state: BucketsState =
    buckets.data !== undefined
      ? { status: "success", buckets: buckets.data.buckets }
      : buckets.error !== null
        ? { status: "error", ...errorOf(buckets.error) }
        : { status: "pending" };
  return <ConnectionCard connection={connection} buckets={state} />;
}

export function HomeContainer() {
  const connections = useQuery(connectionsQuery());
  const passes = useQuery(recentPassesQuery());

  return (
    <div className={styles.home}>
      <div className={styles.sectionHead}>
        <h1>Connections</h1>
        <span className={styles.sectionNote}>defined on the server; credentials never leave it</span>
      </div>
      {connections.error !== null ? (
        <div className="error-box" role="alert">
          Cannot read the connections: {connections.error.message}
        </div>
      ) : connections.data === undefined ? (
        <p className="muted">Reading the connections…</p>
      ) : connections.data.connections.length === 0 ? (
        <div className="panel">
          <strong>No connections.</strong>
          <p className="muted" style={{ margin: "4px 0 0" }}>
            Start with the embedded sandbox (the default), configure AWS credentials, or add S3-compatible endpoints with BUCKETSCOPE_CONNECTIONS (see the README).
          </p>
        </div>
      ) : (
        <div className={styles.cards}>
          {connections.data.connections.map((c) => (
            <ConnectionContainer key={c.name} connection={c} />
          ))}
        </div>
      )}

      <div className={styles.sectionHead}>
        <h2>Recent passes</h2>
        <span className={styles.sectionNote}>
          recorded listings, newest first (race lab passes are with <Link href="/race">their experiments</Link>)
        </span>
      </div>
      {passes.error !== null ? (
        <div className="error-box" role="alert">
          Cannot read the passes: {passes.error.message}
        </div>
      ) : passes.data === undefined ? (
        <p className="muted">Reading the passes…</p>
      ) : passes.data.passes.length === 0 ? (
        <p className="muted">No passes yet. Open a bucket and press “Record a pass”.</p>
      ) : (
        <PassesTable passes={passes.data.passes} />
      )}
    </div>
  );
}
