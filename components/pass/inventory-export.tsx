"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { browseHref } from "@/components/browser/search-params";
import { formatBytes, formatCount } from "@/components/format";
import { bucketsQuery, connectionsQuery } from "@/components/home/queries";
import type { InventoryFormat, PassSummary } from "@/lib/wire";
import { inventoryDownloadHref, useExportInventory } from "./queries";
import styles from "./pass.module.css";

/**
 * A complete pass written as an S3 Inventory report, in S3's layout and columns, so Athena, Trino,
 * Spark and DuckDB read it as they read inventories: into a bucket of a writable connection, or as
 * a tar archive of the same files.
 */
export function InventoryExport({ pass }: { pass: PassSummary }) {
  const connections = useQuery(connectionsQuery());
  const writable = connections.data?.connections.filter((c) => c.writable) ?? [];
  const [connection, setConnection] = useState<string | null>(null);
  const conn = connection ?? writable[0]?.name ?? "";
  const buckets = useQuery({ ...bucketsQuery(conn), enabled: conn !== "" });
  const [bucket, setBucket] = useState<string | null>(null);
  const target = bucket ?? buckets.data?.buckets.find((b) => b.name !== pass.bucket)?.name ?? buckets.data?.buckets[0]?.name ?? "";
  const [prefix, setPrefix] = useState("inventory");
  const [configId, setConfigId] = useState("bucketscope");
  const [format, setFormat] = useState<InventoryFormat>("Parquet");
  const exporter = useExportInventory(pass.id);
  const done = exporter.data;

  return (
    <details className={`${styles.explain} ${styles.exportBox}`} data-testid="inventory-export">
      <summary>Export as an S3 Inventory report</summary>
      <p className="muted" style={{ margin: "6px 0 0", fontSize: 12.5 }}>
        AWS&rsquo;s layout and columns (manifest.json, manifest.checksum, data files, hive/dt=…/symlink.txt): Athena with AWS&rsquo;s table definition, Trino, Spark
        and DuckDB read it as they read S3 Inventory.
      </p>
      <form
        className={styles.exportForm}
        onSubmit={(e) => {
          e.preventDefault();
          exporter.mutate({ connection: conn, bucket: target, prefix, configId, format });
        }}
      >
        <label>
          Connection
          <select value={conn} onChange={(e) => setConnection(e.target.value)} name="connection">
            {writable.length === 0 ? <option value="">no writable connection</option> : null}
            {writable.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Bucket
          <select value={target} onChange={(e) => setBucket(e.target.value)} name="bucket">
            {(buckets.data?.buckets ?? []).map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Prefix
          <input value={prefix} onChange={(e) => setPrefix(e.target.value)} name="prefix" />
        </label>
        <label>
          Configuration id
          <input value={configId} onChange={(e) => setConfigId(e.target.value)} name="configId" />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value === "CSV" ? "CSV" : "Parquet")} name="format">
            <option value="Parquet">Parquet</option>
            <option value="CSV">CSV (gzip)</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={exporter.isPending || conn === "" || target === ""} data-testid="export-inventory">
          {exporter.isPending ? "Writing…" : "Write to the bucket"}
        </button>
        <a className={styles.button} href={inventoryDownloadHref(pass.id, { format, prefix, configId, bucket: target || undefined })} download data-testid="download-inventory">
          Download (.tar)
        </a>
      </form>
      {exporter.error !== null ? (
        <div className="error-box" style={{ marginTop: 8 }} role="alert">
          {exporter.error.message}
        </div>
      ) : null}
      {done !== undefined ? (
        <div className={styles.exportDone} data-testid="inventory-exported">
          Written: <code>s3://{exporter.variables?.bucket}/{done.manifestKey}</code> · {formatCount(done.rows)} rows in {formatCount(done.files.length)} data{" "}
          {done.files.length === 1 ? "file" : "files"} ({formatBytes(done.bytes)}) ·{" "}
          <Link href={browseHref(exporter.variables?.connection ?? conn, exporter.variables?.bucket ?? target, { prefix: done.manifestKey.slice(0, done.manifestKey.lastIndexOf("/") + 1) })} prefetch={false}>
            open the folder
          </Link>
        </div>
      ) : null}
    </details>
  );
}
