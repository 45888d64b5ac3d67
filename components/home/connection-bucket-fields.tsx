"use client";

// The connection select and the bucket field (a free text input offering the connection's buckets),
// as every form that names a bucket shows them.

export interface ConnectionBucketFieldsProps {
  connections: readonly string[];
  connection: string;
  onConnection: (name: string) => void;
  buckets: readonly string[];
  bucket: string;
  onBucket: (name: string) => void;
  /** The buckets are still being listed. */
  loading: boolean;
  fieldClass: string;
  /** Ties the input to its list of offered buckets; unique on the page. */
  listId: string;
  bucketLabel?: string;
  placeholder?: string;
}

export function ConnectionBucketFields(p: ConnectionBucketFieldsProps) {
  return (
    <>
      <label className={p.fieldClass}>
        Connection
        <select value={p.connection} onChange={(e) => p.onConnection(e.target.value)} name="connection">
          {p.connections.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className={p.fieldClass}>
        {p.bucketLabel ?? "Bucket"}
        <input
          name="bucket"
          list={p.listId}
          value={p.bucket}
          onChange={(e) => p.onBucket(e.target.value)}
          placeholder={p.loading ? "loading buckets…" : (p.placeholder ?? "bucket name")}
          required
          spellCheck={false}
        />
        <datalist id={p.listId}>
          {p.buckets.map((b) => (
            <option key={b} value={b} />
          ))}
        </datalist>
      </label>
    </>
  );
}
