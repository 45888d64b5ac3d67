"use client";

import type { ReactNode } from "react";
import { formatBytes, formatCount } from "@/components/format";
import { Time } from "@/components/format/time";
import type { ObjectDetails } from "@/lib/wire";
import { KeyText } from "./key-text";
import { NavLink, type Navigate } from "./nav-link";
import styles from "./browser.module.css";

export interface ObjectPanelProps {
  objectKey: string;
  bucket: string;
  details: ObjectDetails | undefined;
  error: { code: string; message: string } | null;
  closeHref: string;
  onNavigate: Navigate;
  /** As-of mode: the panel shows the version that was current at this T. */
  asOf?: string | null;
  /** The key through the recorded passes, under the details (also when HEAD fails: a deleted key has a history). */
  history?: ReactNode;
  /** What the details are, when the place that opens the panel needs to say it. */
  hint?: string | null;
}

function Prop({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? styles.mono : undefined}>{children}</dd>
    </>
  );
}

function OptionalProp({ label, value, mono }: { label: string; value: string | null; mono?: boolean }) {
  return value === null ? null : (
    <Prop label={label} mono={mono}>
      {value}
    </Prop>
  );
}

export function ObjectPanel({ objectKey, bucket, details, error, closeHref, onNavigate, asOf = null, history = null, hint = null }: ObjectPanelProps) {
  return (
    <aside className={styles.panel} aria-label="Object details" data-testid="object-panel">
      <div className={styles.panelHead}>
        <div className={styles.panelTitle} data-testid="object-key">
          <KeyText value={objectKey} />
        </div>
        <NavLink href={closeHref} onNavigate={onNavigate} className={`${styles.close}`} aria-label="Close details" title="Close (Esc)">
          ×
        </NavLink>
      </div>
      <div className={styles.panelBody}>
        {asOf !== null ? (
          <p className={styles.hint} data-testid="object-as-of">
            The version current at <Time iso={asOf} ms="auto" /> (server clock): its HEAD, and a download of that version, not of the current one.
          </p>
        ) : null}
        {hint !== null ? <p className={styles.hint}>{hint}</p> : null}
        {error !== null ? (
          <div className="error-box" role="alert">
            {error.message}
          </div>
        ) : details === undefined ? (
          <p className="muted">Reading the object&rsquo;s metadata (HEAD)…</p>
        ) : (
          <ObjectDetailsView details={details} bucket={bucket} />
        )}
        {history}
      </div>
    </aside>
  );
}

function ObjectDetailsView({ details, bucket }: { details: ObjectDetails; bucket: string }) {
  const metadata = Object.entries(details.metadata);
  const checksums = Object.entries(details.checksums);
  return (
    <>
      <a className={styles.download} href={details.download.url} rel="noreferrer" data-testid="download-link">
        Download
      </a>
      <div className={styles.hint}>
        presigned on the server · valid until <Time iso={details.download.expiresAt} />
      </div>
      <div className={styles.panelSection}>HEAD</div>
      <dl className={styles.props} data-testid="object-head">
        <Prop label="Size">
          {formatBytes(details.size)} <span className="muted">({formatCount(details.size)} bytes)</span>
        </Prop>
        <Prop label="Last modified">
          <Time iso={details.lastModified} />
        </Prop>
        <Prop label="ETag" mono>
          {details.etag ?? "—"}
        </Prop>
        <Prop label="Storage class">{details.storageClass ?? "—"}</Prop>
        <OptionalProp label="Content-Type" value={details.contentType} mono />
        <OptionalProp label="Encoding" value={details.contentEncoding} mono />
        <OptionalProp label="Language" value={details.contentLanguage} />
        <OptionalProp label="Disposition" value={details.contentDisposition} mono />
        <OptionalProp label="Cache-Control" value={details.cacheControl} mono />
        <OptionalProp label="Version" value={details.versionId} mono />
        <OptionalProp label="Encryption" value={details.serverSideEncryption} />
        {checksums.map(([algorithm, value]) => (
          <Prop key={algorithm} label={algorithm} mono>
            {value}
          </Prop>
        ))}
        <Prop label="S3 URI" mono>
          s3://{bucket}/<KeyText value={details.key} />
        </Prop>
      </dl>
      <div className={styles.panelSection}>User metadata</div>
      {metadata.length === 0 ? (
        <p className={styles.hint}>none</p>
      ) : (
        <dl className={styles.props} data-testid="object-metadata">
          {metadata.map(([name, value]) => (
            <Prop key={name} label={name} mono>
              {value}
            </Prop>
          ))}
        </dl>
      )}
    </>
  );
}
