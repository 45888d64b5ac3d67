"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Time, ZoneLabel } from "@/components/format/time";
import { bucketsQuery, connectionsQuery } from "@/components/home/queries";
import { MAX_RACE_CONCURRENCY, type ExperimentParamsInput, type Scenario } from "@/lib/wire";
import { experimentListQuery, useCreateExperiment } from "./queries";
import { formatSteps, parseSteps } from "./steps";
import styles from "./race.module.css";

const SCENARIOS: { id: Scenario; name: string; text: string }[] = [
  { id: "seed", name: "The seed", text: "3000 keys, pages of 1000; after page 1, obj_1100 is deleted. The pass never shows it, although it was there when the pass began." },
  { id: "behind-ahead", name: "Behind and ahead", text: "After page 1: an insert, a delete and an overwrite each behind the cursor and ahead of it." },
  { id: "churn", name: "Churn", text: "A background mutator inserts, deletes and overwrites keys all over the key space while small pages are read." },
  { id: "custom", name: "Custom", text: "Your own schedule: after page N, or t ms into the pass, put, delete or overwrite a key." },
];

const DEFAULT_STEPS = formatSteps([
  { afterPage: 1, op: "delete", key: "obj_1100" },
  { afterPage: 2, op: "put", key: "obj_0500x" },
]);

function NumberField({ label, value, onChange, min, max }: { label: string; value: number; onChange: (n: number) => void; min: number; max: number }) {
  return (
    <label className={styles.field}>
      {label}
      <input type="number" value={value} min={min} max={max} onChange={(e) => onChange(Number(e.target.value))} />
    </label>
  );
}

/** Cursor counts the form offers: one (sequential), and a few that still draw as distinct staircases. */
const CONCURRENCIES = [1, 2, 4, MAX_RACE_CONCURRENCY] as const;

/** `?concurrency=` of the address: a whole number of cursors the lab can draw, or why not. */
export function concurrencyFromUrl(raw: string | null): { value: number; problem: string | null } {
  if (raw === null || raw === "") return { value: 1, problem: null };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RACE_CONCURRENCY) {
    return { value: 1, problem: `concurrency=${raw} in the address is not a number of cursors from 1 to ${MAX_RACE_CONCURRENCY}; one cursor is selected.` };
  }
  return { value: n, problem: null };
}

/** Slow enough that a room sees each page requested, in flight and answered, and the mutations between pages. */
const DEMO_PACE_MS = 800;
type Pace = "demo" | "full" | "custom";

function ExperimentForm() {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const fromUrl = concurrencyFromUrl(search.get("concurrency"));
  const concurrency = fromUrl.value;
  const setConcurrency = (n: number) => {
    const next = new URLSearchParams(search.toString());
    if (n === 1) next.delete("concurrency");
    else next.set("concurrency", String(n));
    const q = next.toString();
    router.replace(q === "" ? pathname : `${pathname}?${q}`, { scroll: false });
  };
  const connections = useQuery(connectionsQuery());
  const writable = (connections.data?.connections ?? []).filter((c) => c.writable);
  const [connection, setConnection] = useState<string | null>(null);
  const conn = writable.find((c) => c.name === connection) ?? writable[0];
  const buckets = useQuery({ ...bucketsQuery(conn?.name ?? ""), enabled: conn !== undefined });
  const [bucket, setBucket] = useState<string | null>(null);
  const bucketNames = (buckets.data?.buckets ?? []).map((b) => b.name);
  const chosenBucket = bucket !== null && bucketNames.includes(bucket) ? bucket : bucketNames.includes("demo") ? "demo" : (bucketNames[0] ?? null);
  const [scenario, setScenario] = useState<Scenario>("seed");
  const [pace, setPace] = useState<Pace>("demo");
  const [customLatencyMs, setCustomLatencyMs] = useState(DEMO_PACE_MS);
  const [keyCount, setKeyCount] = useState(1000);
  const [pageSize, setPageSize] = useState(100);
  const [rate, setRate] = useState(20);
  const [seed, setSeed] = useState("");
  const [stepsText, setStepsText] = useState(DEFAULT_STEPS);
  const [keepData, setKeepData] = useState(false);
  const create = useCreateExperiment();
  const parsedSteps = parseSteps(stepsText);

  if (connections.isPending) return <p className="muted">Loading connections…</p>;
  if (connections.error !== null) return <div className="error-box">{connections.error.message}</div>;
  if (conn === undefined) {
    return (
      <div className="panel">
        No writable connection. Experiments write and delete objects, so they run only on connections configured <code>writable</code> (the sandbox is).
      </div>
    );
  }
  const sandbox = conn.kind === "sandbox";
  const build = (): ExperimentParamsInput | null => {
    if (chosenBucket === null) return null;
    const latencyMs = !sandbox || pace === "full" ? 0 : pace === "demo" ? DEMO_PACE_MS : customLatencyMs;
    const base = { connection: conn.name, bucket: chosenBucket, keepData, latencyMs, concurrency };
    switch (scenario) {
      case "seed":
      case "behind-ahead":
        return { ...base, scenario };
      case "churn":
        return { ...base, scenario, keyCount, pageSize, rate, ...(seed.trim() !== "" ? { seed: Number(seed) } : {}) };
      case "custom":
        return { ...base, scenario, keyCount, pageSize: pageSize, steps: parsedSteps.steps };
    }
  };
  const run = () => {
    const params = build();
    if (params === null) return;
    create.mutate(params, { onSuccess: ({ id }) => router.push(`/race/${encodeURIComponent(id)}`) });
  };

  return (
    <div className="panel">
      <div className={styles.scenarios} role="group" aria-label="Scenario">
        {SCENARIOS.map((s) => (
          <button
            key={s.id}
            type="button"
            className={styles.scenario}
            aria-pressed={scenario === s.id}
            onClick={() => {
              setScenario(s.id);
              if (s.id === "custom") {
                setKeyCount(3000);
                setPageSize(1000);
              } else if (s.id === "churn") {
                setKeyCount(1000);
                setPageSize(100);
              }
            }}
          >
            <span className={styles.scenarioName}>{s.name}</span>
            <span className={styles.scenarioText}>{s.text}</span>
          </button>
        ))}
      </div>
      <div className={styles.form} style={{ marginTop: 12 }}>
        <label className={styles.field}>
          connection (writable only)
          <select value={conn.name} onChange={(e) => setConnection(e.target.value)} aria-label="connection">
            {writable.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          bucket
          <select value={chosenBucket ?? ""} onChange={(e) => setBucket(e.target.value)} aria-label="bucket" disabled={bucketNames.length === 0}>
            {bucketNames.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        {scenario === "churn" || scenario === "custom" ? (
          <>
            <NumberField label="keys" value={keyCount} onChange={setKeyCount} min={1} max={20000} />
            <NumberField label="page size" value={pageSize} onChange={setPageSize} min={1} max={1000} />
          </>
        ) : null}
        {scenario === "churn" ? (
          <>
            <NumberField label="mutations per second" value={rate} onChange={setRate} min={0.1} max={200} />
            <label className={styles.field}>
              random seed (blank: a new one)
              <input value={seed} onChange={(e) => setSeed(e.target.value.replace(/\D/g, ""))} inputMode="numeric" />
            </label>
          </>
        ) : null}
        <label className={styles.field} title="A parallel pass splits the prefix into key ranges, each listed by its own cursor at the same time: the picture then shows one staircase per range">
          cursors
          <select value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} aria-label="cursors">
            {(CONCURRENCIES.includes(concurrency as (typeof CONCURRENCIES)[number]) ? CONCURRENCIES : [...CONCURRENCIES, concurrency].sort((a, b) => a - b)).map((n) => (
              <option key={n} value={n}>
                {n === 1 ? "one cursor: sequential pass" : `parallel pass: ${n} cursors`}
              </option>
            ))}
          </select>
          {fromUrl.problem !== null ? <span style={{ color: "var(--bad)" }}>{fromUrl.problem}</span> : null}
        </label>
        {sandbox ? (
          <label className={styles.field} title="The sandbox answers a page in milliseconds; an added delay per page lets a room watch each page and each mutation land">
            pace
            <select value={pace} onChange={(e) => setPace(e.target.value as Pace)} aria-label="pace">
              <option value="demo">demo pace: {DEMO_PACE_MS} ms per page</option>
              <option value="full">full speed: no delay added</option>
              <option value="custom">my own delay per page…</option>
            </select>
          </label>
        ) : (
          <span className={styles.field}>pace: full speed (a delay per page can be added on the sandbox only)</span>
        )}
        {sandbox && pace === "custom" ? <NumberField label="added latency per page (ms)" value={customLatencyMs} onChange={setCustomLatencyMs} min={0} max={10000} /> : null}
        <label className={styles.field} style={{ flexDirection: "row", alignItems: "center", gap: 8 }}>
          <input type="checkbox" checked={keepData} onChange={(e) => setKeepData(e.target.checked)} /> keep the objects afterwards
        </label>
        {scenario === "custom" ? (
          <label className={`${styles.field} ${styles.wide}`}>
            schedule, one step a line: &quot;after N put|delete|overwrite KEY&quot; or &quot;at MS put|delete|overwrite KEY&quot; (keys start obj_0000)
            <textarea value={stepsText} onChange={(e) => setStepsText(e.target.value)} />
            {parsedSteps.errors.map((e) => (
              <span key={e} style={{ color: "var(--bad)" }}>
                {e}
              </span>
            ))}
          </label>
        ) : null}
      </div>
      <div className={styles.actions} style={{ marginTop: 12 }}>
        <button type="button" className="primary" onClick={run} disabled={create.isPending || chosenBucket === null || (scenario === "custom" && parsedSteps.errors.length > 0)}>
          {create.isPending ? "Starting…" : "Run experiment"}
        </button>
        <span className="muted">
          Writes only under <code>bucketscope-race/&lt;id&gt;/</code> in {chosenBucket ?? "the bucket"}, and deletes it afterwards unless kept.
        </span>
      </div>
      {create.error !== null ? <div className="error-box" style={{ marginTop: 10 }}>{create.error.message}</div> : null}
    </div>
  );
}

function ExperimentList() {
  const list = useQuery(experimentListQuery());
  if (list.isPending) return <p className="muted">Loading experiments…</p>;
  if (list.error !== null) return <div className="error-box">{list.error.message}</div>;
  if (list.data.experiments.length === 0) return <p className="muted">No experiment yet.</p>;
  return (
    <table className="plain">
      <thead>
        <tr>
          <th>experiment</th>
          <th>scenario</th>
          <th>where</th>
          <th>status</th>
          <th>
            started <ZoneLabel />
          </th>
          <th>answer</th>
        </tr>
      </thead>
      <tbody>
        {list.data.experiments.map((e) => (
          <tr key={e.id}>
            <td>
              <Link href={`/race/${encodeURIComponent(e.id)}`} className="mono">
                {e.id}
              </Link>
            </td>
            <td>{e.scenario}</td>
            <td className="mono">
              {e.connection}/{e.bucket}
            </td>
            <td>
              <span className={`badge ${e.status === "complete" ? "ok" : e.status === "running" ? "accent" : "bad"}`}>{e.status}</span>
            </td>
            <td>
              <Time iso={e.createdAt} zone={false} />
            </td>
            <td>{e.result?.line ?? e.error?.message ?? e.phase}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** /race: pick a scenario and a writable connection, run it; past experiments below. */
export function RaceHome() {
  return (
    <div className={styles.race}>
      <div className={styles.head}>
        <h1>Race lab</h1>
        <span className="muted">Change a prefix while a multi-page listing runs, and see what each page saw.</span>
      </div>
      <ExperimentForm />
      <h2>Experiments</h2>
      <ExperimentList />
    </div>
  );
}
