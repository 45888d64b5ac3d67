"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { ConnectionBucketFields } from "@/components/home/connection-bucket-fields";
import { bucketsQuery, connectionsQuery } from "@/components/home/queries";
import { formatBytes, formatCount, formatDuration, parseTimeInput, plural, visibleKey, zoneLabel } from "@/components/format";
import { Time, useTimeZone, ZoneLabel } from "@/components/format/time";
import { RacePassLink } from "@/components/race/race-pass-link";
import { ScrollX } from "@/components/scroll-x";
import { MAX_PAGE_SIZE, type PassKind, type PassParamsInput, type PassSummary } from "@/lib/wire";
import { ConcurrencySelect } from "./concurrency";
import { PassKindBadge, STATUS_BADGE } from "./pass-header";
import { asOfSourceText } from "./snapshot";
import { PASS_LIST_LIMIT, passListQuery, useCreatePass } from "./queries";
import { parsePassListFilters, passHref, passListHref, type PassListFilters } from "./search-params";
import styles from "./pass.module.css";

function KindCell({ pass }: { pass: PassSummary }) {
  if (pass.kind === "list") {
    return (
      <>
        <span className="muted">{pass.concurrency > 1 ? `list, ${pass.concurrency} cursors` : "list"}</span> <RacePassLink prefix={pass.prefix} />
      </>
    );
  }
  if (pass.kind === "inventory") {
    return (
      <span>
        <PassKindBadge pass={pass} /> {pass.inventory !== null ? <span className={styles.mono}>as of <Time iso={pass.inventory.asOf} ms="auto" /></span> : null}
      </span>
    );
  }
  if (pass.snapshot === null) return <span className="badge accent">snapshot</span>;
  return (
    <span title={`${asOfSourceText(pass.snapshot.asOfSource)}; T is on the server's clock`}>
      <span className="badge accent">snapshot</span> <span className={styles.mono}>
        as of <Time iso={pass.snapshot.asOf} ms="auto" />
      </span>
      <span className="muted"> ({pass.snapshot.asOfSource === "start" ? "pass start" : "chosen"})</span>
    </span>
  );
}

export function PassListTable({ passes, filterHref }: { passes: readonly PassSummary[]; filterHref: (f: PassListFilters) => string }) {
  if (passes.length === 0) return <div className={`${styles.tableWrap} ${styles.empty}`}>No passes match. Start one above, or record a listing from the bucket browser.</div>;
  return (
    <ScrollX className={styles.tableWrap}>
      <table className={styles.listTable} data-testid="pass-list">
        <thead>
          <tr>
            <th>Status</th>
            <th>Pass</th>
            <th>Kind</th>
            <th>Connection · bucket / prefix</th>
            <th className={styles.num}>Page size</th>
            <th className={styles.num}>Pages</th>
            <th className={styles.num}>Keys</th>
            <th className={styles.num}>Bytes</th>
            <th className={styles.num}>Anomalies</th>
            <th className={styles.num}>Listing time</th>
            <th>
              Started <ZoneLabel />
            </th>
          </tr>
        </thead>
        <tbody>
          {passes.map((p) => (
            <tr key={p.id} data-pass={p.id} data-kind={p.kind}>
              <td>
                <span className={STATUS_BADGE[p.status]} title={p.error?.message}>
                  {p.status}
                </span>
              </td>
              <td className={styles.key}>
                <Link href={passHref(p.id)} prefetch={false}>
                  {p.id}
                </Link>
              </td>
              <td data-testid="pass-kind">
                <KindCell pass={p} />
              </td>
              <td className={styles.whereCell}>
                <Link href={filterHref({ connection: p.connection })} className="muted" prefetch={false}>
                  {p.connection}
                </Link>{" "}
                ·{" "}
                <Link href={filterHref({ connection: p.connection, bucket: p.bucket })} prefetch={false}>
                  {p.bucket}
                </Link>
                <span className={styles.key}>/{visibleKey(p.prefix)}</span>
                {p.delimiter !== null ? <span className="muted"> (by “{visibleKey(p.delimiter)}”)</span> : null}
              </td>
              <td className={styles.num}>{formatCount(p.pageSize)}</td>
              <td className={styles.num}>
                {formatCount(p.totals.pages)}
                {p.totals.failedPages > 0 ? <span className={styles.statusBad}> +{p.totals.failedPages} failed</span> : null}
              </td>
              <td className={styles.num}>{formatCount(p.totals.keys)}</td>
              <td className={styles.num}>{formatBytes(p.totals.bytes)}</td>
              <td className={styles.num} style={p.totals.anomalies > 0 ? { color: "var(--bad)" } : undefined}>
                {formatCount(p.totals.anomalies)}
              </td>
              <td className={styles.num}>{formatDuration(p.activeMs)}</td>
              <td className={styles.started}>
                <Time iso={p.createdAt} zone={false} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  );
}

function NewPassForm() {
  const router = useRouter();
  const connections = useQuery(connectionsQuery());
  const names = connections.data?.connections.map((c) => c.name) ?? [];
  const [connection, setConnection] = useState("");
  const chosen = connection !== "" ? connection : (names.includes("sandbox") ? "sandbox" : (names[0] ?? ""));
  const buckets = useQuery({ ...bucketsQuery(chosen), enabled: chosen !== "" });
  const [bucket, setBucket] = useState("");
  const [prefix, setPrefix] = useState("");
  const [pageSize, setPageSize] = useState(String(MAX_PAGE_SIZE));
  const [byFolder, setByFolder] = useState(false);
  const [kind, setKind] = useState<PassKind>("list");
  const [concurrency, setConcurrency] = useState(1);
  const maxConcurrency = connections.data?.connections.find((c) => c.name === chosen)?.maxConcurrency;
  const [asOf, setAsOf] = useState("");
  const [asOfProblem, setAsOfProblem] = useState<string | null>(null);
  const choice = useTimeZone();
  const create = useCreatePass();
  const bucketNames = buckets.data?.buckets.map((b) => b.name) ?? [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // T is typed as everywhere else in the app: a date, or a date and time, in the app's zone.
    const t = kind === "snapshot" && asOf.trim() !== "" ? parseTimeInput(asOf, choice) : null;
    if (t !== null && !t.ok) {
      setAsOfProblem(`As of: ${t.message}`);
      return;
    }
    setAsOfProblem(null);
    const params: PassParamsInput =
      kind === "snapshot"
        ? { kind, connection: chosen, bucket, prefix, pageSize: Number(pageSize), ...(t !== null ? { asOf: t.iso } : {}) }
        : { connection: chosen, bucket, prefix, pageSize: Number(pageSize), concurrency, ...(byFolder ? { delimiter: "/" } : {}) };
    create.mutate(params, { onSuccess: ({ id }) => router.push(passHref(id)) });
  };

  return (
    <form className={styles.newPassForm} onSubmit={submit} data-testid="new-pass-form">
      <ConnectionBucketFields
        connections={names}
        connection={chosen}
        onConnection={setConnection}
        buckets={bucketNames}
        bucket={bucket}
        onBucket={setBucket}
        loading={buckets.isPending}
        fieldClass={styles.field ?? ""}
        listId="new-pass-buckets"
      />
      <label className={styles.field}>
        Prefix
        <input name="prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="(whole bucket)" spellCheck={false} />
      </label>
      <label className={styles.field}>
        Page size
        <input name="pageSize" type="number" min={1} max={MAX_PAGE_SIZE} value={pageSize} onChange={(e) => setPageSize(e.target.value)} style={{ width: 100, minWidth: 0 }} />
      </label>
      <label className={styles.field}>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value === "snapshot" ? "snapshot" : "list")} name="kind" style={{ minWidth: 0 }}>
          <option value="list">list (ListObjectsV2)</option>
          <option value="snapshot">snapshot as of T (versions)</option>
        </select>
      </label>
      {kind === "snapshot" ? (
        <label className={styles.field} title={`A date, or a date and time, read as ${zoneLabel(choice)} time unless it names a zone; on the server's clock. Blank: the moment the pass starts.`}>
          As of ({zoneLabel(choice)}, server clock)
          <input name="asOf" value={asOf} onChange={(e) => setAsOf(e.target.value)} placeholder="blank = now, e.g. 2024-03-01 12:00" spellCheck={false} style={{ minWidth: 270 }} />
        </label>
      ) : (
        <>
          <label className={styles.field}>
            Cursors
            <ConcurrencySelect value={concurrency} onChange={setConcurrency} max={maxConcurrency} label="Cursors" />
          </label>
          <label className={`${styles.field} ${styles.checkField}`}>
            <input type="checkbox" checked={byFolder} onChange={(e) => setByFolder(e.target.checked)} name="byFolder" />
            roll up folders by “/”
          </label>
        </>
      )}
      <button type="submit" className="primary" disabled={create.isPending || chosen === ""} data-testid="start-pass">
        {create.isPending ? "Starting…" : "Start pass"}
      </button>
      {asOfProblem !== null || create.error !== null ? (
        <div className={`error-box ${styles.formError}`} style={{ flexBasis: "100%" }} data-testid="new-pass-error">
          {asOfProblem ?? create.error?.message}
        </div>
      ) : null}
      {buckets.error !== null ? (
        <div className="muted" style={{ flexBasis: "100%", fontSize: 12 }}>
          Buckets of “{chosen}” could not be listed: {buckets.error.message}
        </div>
      ) : null}
    </form>
  );
}

function Filters({ filters }: { filters: PassListFilters }) {
  const router = useRouter();
  const connections = useQuery(connectionsQuery());
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (name: string) => {
      const v = data.get(name);
      return typeof v === "string" && v !== "" ? v : undefined;
    };
    router.push(passListHref({ connection: text("connection"), bucket: text("bucket"), prefix: text("prefix") }));
  };
  // Keyed by the filters so the inputs show the URL's values after back/forward.
  return (
    <form className={styles.filters} onSubmit={submit} key={passListHref(filters)} data-testid="pass-filters">
      <label className={styles.field}>
        Connection
        <select name="connection" defaultValue={filters.connection ?? ""}>
          <option value="">any</option>
          {connections.data?.connections.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
          {filters.connection !== undefined && connections.data?.connections.every((c) => c.name !== filters.connection) ? (
            <option value={filters.connection}>{filters.connection}</option>
          ) : null}
        </select>
      </label>
      <label className={styles.field}>
        Bucket
        <input name="bucket" defaultValue={filters.bucket ?? ""} placeholder="any" spellCheck={false} />
      </label>
      <label className={styles.field}>
        Prefix (exact)
        <input name="prefix" defaultValue={filters.prefix ?? ""} placeholder="any" spellCheck={false} />
      </label>
      <button type="submit">Filter</button>
      {filters.connection !== undefined || filters.bucket !== undefined || filters.prefix !== undefined ? <Link href="/passes">Clear filters</Link> : null}
    </form>
  );
}

/** Every recorded pass, newest first, filtered by the URL; a form to start a new one. */
export function PassListContainer() {
  const searchParams = useSearchParams();
  const { value: filters, problems } = useMemo(() => parsePassListFilters(searchParams), [searchParams]);
  const list = useQuery(passListQuery(filters));
  return (
    <div>
      <div className={styles.listHead}>
        <h1>Passes</h1>
        <span className="muted" style={{ fontSize: 13 }}>
          {list.data !== undefined
            ? `${plural(list.data.passes.length, "pass", "passes")}${list.data.passes.length === PASS_LIST_LIMIT ? " or more" : ""}, newest first`
            : ""}
        </span>
      </div>
      <section className={`panel ${styles.newPass}`}>
        <h2 style={{ marginTop: 0 }}>Start a pass</h2>
        <NewPassForm />
        <p className="muted" style={{ margin: "8px 0 0", fontSize: 12.5 }}>
          Or <Link href="/inventory">import an S3 Inventory report</Link> as a pass, to compare AWS&rsquo;s daily listing with a live one.
        </p>
      </section>
      {problems.length > 0 ? (
        <div className={styles.notice} data-testid="view-problems">
          Some filters in this link could not be used and are ignored: {problems.join("; ")}.
        </div>
      ) : null}
      <Filters filters={filters} />
      {list.error !== null ? <div className="error-box">{list.error.message}</div> : null}
      {list.data !== undefined ? <PassListTable passes={list.data.passes} filterHref={passListHref} /> : list.isPending ? <p className="muted">Loading passes…</p> : null}
    </div>
  );
}
