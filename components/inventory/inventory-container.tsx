"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { compareHref } from "@/components/diff/search-params";
import { formatBytes, formatCount } from "@/components/format";
import { Time, ZoneLabel } from "@/components/format/time";
import { ConnectionBucketFields } from "@/components/home/connection-bucket-fields";
import { bucketsQuery, connectionsQuery } from "@/components/home/queries";
import { importParams, livePassParams } from "@/components/pass/inventory";
import { passHref } from "@/components/pass/search-params";
import { useFollowedPass } from "@/components/pass/use-snapshot-at-start";
import { INVENTORY_CAVEAT, type InventoryReport } from "@/lib/wire";
import { inventoryReportsQuery } from "./queries";
import { inventoryHref, parseInventoryView, type InventoryView } from "./search-params";
import styles from "./inventory.module.css";

/** Buckets named like inventory destinations are offered first. */
function likelyDestination(names: readonly string[]): string {
  return names.find((n) => /inventor/i.test(n)) ?? "";
}

function DestinationForm({ view }: { view: InventoryView }) {
  const router = useRouter();
  const connections = useQuery(connectionsQuery());
  const names = connections.data?.connections.map((c) => c.name) ?? [];
  const [connection, setConnection] = useState<string | null>(null);
  const chosen = connection ?? view.connection ?? (names.includes("sandbox") ? "sandbox" : (names[0] ?? ""));
  const buckets = useQuery({ ...bucketsQuery(chosen), enabled: chosen !== "" });
  const bucketNames = buckets.data?.buckets.map((b) => b.name) ?? [];
  const [bucket, setBucket] = useState<string | null>(null);
  const target = bucket ?? view.bucket ?? likelyDestination(bucketNames);
  const [prefix, setPrefix] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    router.push(inventoryHref({ connection: chosen, bucket: target, prefix: prefix ?? view.prefix }));
  };
  return (
    <form className={styles.form} onSubmit={submit} data-testid="inventory-destination">
      <ConnectionBucketFields
        connections={names}
        connection={chosen}
        onConnection={setConnection}
        buckets={bucketNames}
        bucket={target}
        onBucket={setBucket}
        loading={buckets.isPending}
        fieldClass={styles.field ?? ""}
        listId="inventory-buckets"
        bucketLabel="Destination bucket"
        placeholder="where the reports are delivered"
      />
      <label className={styles.field}>
        Destination prefix
        <input name="prefix" value={prefix ?? view.prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="(searched below the bucket)" spellCheck={false} />
      </label>
      <button type="submit" className="primary" disabled={chosen === "" || target === ""} data-testid="find-reports">
        Find reports
      </button>
    </form>
  );
}

/**
 * Import a report, then (for "compare") list the bucket now and open the comparison once both are
 * complete: a comparison with a pass that is still reading would show its unread keys as changes.
 */
function useImport(connection: string, reportBucket: string) {
  const router = useRouter();
  const inventory = useFollowedPass();
  const live = useFollowedPass();
  const [compare, setCompare] = useState(false);
  const [manifestKey, setManifestKey] = useState<string | null>(null);
  const imported = inventory.pass?.status === "complete" ? inventory.pass : null;
  const liveDone = live.pass?.status === "complete" ? live.pass.id : null;
  // Each step happens once per import, however often the page renders meanwhile.
  const stepped = useRef<string | null>(null);
  const startLive = live.start;
  useEffect(() => {
    if (imported === null || stepped.current === imported.id) return;
    stepped.current = imported.id;
    if (!compare) router.push(passHref(imported.id));
    else startLive(livePassParams(imported));
  }, [imported, compare, startLive, router]);
  useEffect(() => {
    if (imported !== null && liveDone !== null) router.push(compareHref({ a: imported.id, b: liveDone }));
  }, [imported, liveDone, router]);
  const start = (report: InventoryReport, andCompare: boolean) => {
    setCompare(andCompare);
    setManifestKey(report.manifestKey);
    inventory.start(importParams(connection, reportBucket, report.sourceBucket, report.manifestKey));
  };
  const failed = inventory.pass !== undefined && inventory.pass.status !== "running" && inventory.pass.status !== "complete" ? inventory.pass : null;
  return {
    start,
    manifestKey,
    busy: inventory.busy || live.busy,
    error: inventory.error ?? live.error ?? (failed !== null ? new Error(failed.error?.message ?? `The import ${failed.status}.`) : null),
    status:
      inventory.passId === null
        ? null
        : imported === null
          ? `Importing the report: ${formatCount(inventory.pass?.totals.keys ?? 0)} keys so far…`
          : live.passId === null
            ? "Imported."
            : `Listing ${imported.bucket} now to compare: ${formatCount(live.pass?.totals.keys ?? 0)} keys so far…`,
  };
}

function ReportsTable({ view }: { view: InventoryView & { connection: string; bucket: string } }) {
  const reports = useQuery(inventoryReportsQuery(view.connection, view.bucket, view.prefix));
  const importer = useImport(view.connection, view.bucket);
  if (reports.error !== null) {
    return (
      <div className="error-box" role="alert" data-testid="reports-error">
        Cannot list the reports in {view.bucket}: {reports.error.message}
      </div>
    );
  }
  if (reports.data === undefined) return <p className="muted">Looking for reports in {view.bucket}…</p>;
  const rows = reports.data.reports;
  if (rows.length === 0) {
    return (
      <div className={`panel ${styles.empty}`} data-testid="no-reports">
        No S3 Inventory report under s3://{view.bucket}/{view.prefix}. Reports sit in {"{prefix}/{source bucket}/{configuration}/{YYYY-MM-DDTHH-MMZ}/manifest.json"}.
      </div>
    );
  }
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="inventory-reports">
          <thead>
            <tr>
              <th>
                Created (as of) <ZoneLabel />
              </th>
              <th>Source bucket</th>
              <th>Configuration</th>
              <th>Format</th>
              <th className={styles.num}>Files</th>
              <th className={styles.num}>Size</th>
              <th>Versions</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.manifestKey} data-manifest={r.manifestKey} data-testid="inventory-report">
                <td>
                  <Time iso={r.createdAt} zone={false} />
                </td>
                <td className={styles.mono}>{r.sourceBucket}</td>
                <td className={styles.mono}>{r.configId}</td>
                <td>{r.fileFormat ?? "—"}</td>
                <td className={styles.num}>{r.files !== null ? formatCount(r.files) : "—"}</td>
                <td className={styles.num}>{r.bytes !== null ? formatBytes(r.bytes) : "—"}</td>
                <td>{r.versions === null ? "—" : r.versions ? "all" : "current"}</td>
                <td className={styles.actions}>
                  {r.problem !== null ? (
                    <span className={styles.problem}>{r.problem}</span>
                  ) : (
                    <>
                      <button type="button" onClick={() => importer.start(r, false)} disabled={importer.busy} data-testid="import-report">
                        Import
                      </button>
                      <button type="button" className="primary" onClick={() => importer.start(r, true)} disabled={importer.busy} data-testid="import-and-compare">
                        Import and compare with a live pass
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {reports.data.truncated ? <p className="muted">Showing the newest {rows.length} reports.</p> : null}
      {importer.status !== null ? (
        <div className={styles.status} role="status" data-testid="import-status">
          <span className={styles.mono}>{importer.manifestKey}</span>: {importer.status}
        </div>
      ) : null}
      {importer.error !== null ? (
        <div className="error-box" role="alert" data-testid="import-error">
          {importer.error.message}
        </div>
      ) : null}
    </>
  );
}

export function InventoryContainer() {
  const params = useSearchParams();
  const { value: view, problems } = parseInventoryView(Object.fromEntries(params.entries()));
  const ready = view.connection !== null && view.bucket !== null;
  return (
    <div className={styles.page}>
      <div className={styles.head}>
        <h1>S3 Inventory</h1>
        <span className="muted">AWS&rsquo;s daily or weekly listing of a bucket, imported as a pass and compared with a live one</span>
      </div>
      <p className={styles.caveat}>{INVENTORY_CAVEAT}</p>
      {problems.length > 0 ? <div className="error-box">Some settings in this link could not be used: {problems.join("; ")}.</div> : null}
      <DestinationForm key={`${view.connection ?? ""}|${view.bucket ?? ""}|${view.prefix}`} view={view} />
      {ready ? (
        <ReportsTable view={{ ...view, connection: view.connection ?? "", bucket: view.bucket ?? "" }} />
      ) : (
        <p className="muted">
          Name the bucket your inventory configuration delivers to (and its prefix, if you know it). Any pass can also be written as a report: open a{" "}
          <Link href="/passes">complete pass</Link> and use &ldquo;Export as an S3 Inventory report&rdquo;.
        </p>
      )}
    </div>
  );
}
