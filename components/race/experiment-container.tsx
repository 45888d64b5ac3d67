"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { formatCount } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { useNdjsonStream } from "@/components/stream/use-ndjson-stream";
import { experimentEventSchema, TRUTH_METHODS, VERDICTS, type Verdict } from "@/lib/wire";
import { GroundTruth } from "./ground-truth";
import { emptyLive, foldEvent } from "./live";
import { parallelShape, pictureCaption } from "./narrate";
import { Presenter } from "./presenter";
import { experimentDetailQuery, experimentEventsUrl, useStopExperiment } from "./queries";
import { RacePages } from "./race-pages";
import { SideBySide } from "./side-by-side";
import { buildSpacetime } from "./spacetime";
import { SpacetimeChart, SpacetimeLegend } from "./spacetime-chart";
import { VerdictTable } from "./verdict-table";
import styles from "./race.module.css";

const ANOMALIES: Verdict[] = VERDICTS.filter((v) => v !== "consistent");

function parseShown(param: string | null): Set<Verdict> {
  if (param === null) return new Set(ANOMALIES);
  return new Set(VERDICTS.filter((v) => param.split(",").includes(v)));
}

/** Fits a 1024×768 projector with the page's header above it. */
const CHART_HEIGHT = 420;
/** A page in flight grows on screen this often. */
const FLIGHT_TICK_MS = 100;

/** The viewer's clock, ticking while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), FLIGHT_TICK_MS);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

function paceText(latencyMs: number): string {
  return latencyMs > 0 ? `pace: ${formatCount(latencyMs)} ms added per page` : "pace: full speed (no latency added)";
}

function SetupProgress({ written, total }: { written: number; total: number }) {
  return (
    <div className={styles.setup} data-testid="setup-progress">
      <div className={styles.setupText}>
        {written < total ? "Writing the keys the pass will list: " : "Set up: the keys the pass lists, "}
        <b>{formatCount(written)}</b> / {formatCount(total)} written
      </div>
      <progress max={total} value={written} aria-label="Keys written" />
    </div>
  );
}

/** One experiment: live while it runs (events stream), complete from its detail once it has ended. */
export function ExperimentContainer({ id }: { id: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const client = useQueryClient();
  const live = useNdjsonStream(experimentEventsUrl(id), experimentEventSchema, emptyLive, foldEvent);
  const ended = live.state.ended;
  const detail = useQuery(experimentDetailQuery(id));
  const stop = useStopExperiment(id);
  const choice = useTimeZone();
  useEffect(() => {
    if (ended) void client.invalidateQueries({ queryKey: experimentDetailQuery(id).queryKey });
  }, [ended, client, id]);

  const finished = detail.data !== undefined && detail.data.experiment.status !== "running" ? detail.data : null;
  const experiment = finished?.experiment ?? live.state.experiment ?? detail.data?.experiment ?? null;
  const pages = finished?.pages ?? live.state.pages;
  const mutations = finished?.mutations ?? live.state.mutations;
  const truth = finished?.truth ?? live.state.truth;
  const verdicts = useMemo(() => finished?.verdicts ?? [], [finished]);
  const startCount = truth.find((t) => t.which === "start")?.count ?? 0;
  const inFlight = finished === null ? live.state.inFlight : null;
  const now = useNow(inFlight !== null);
  const picture = useMemo(
    () => buildSpacetime({ pages, mutations, verdicts, startCount, inFlight, now }),
    [pages, mutations, verdicts, startCount, inFlight, now],
  );

  const setParams = useCallback(
    (change: Record<string, string | null>) => {
      const next = new URLSearchParams(search.toString());
      for (const [k, v] of Object.entries(change)) {
        if (v === null) next.delete(k);
        else next.set(k, v);
      }
      const q = next.toString();
      router.replace(q === "" ? pathname : `${pathname}?${q}`, { scroll: false });
    },
    [router, pathname, search],
  );
  const shown = parseShown(search.get("verdicts"));
  const toggle = (v: Verdict) => {
    const next = new Set(shown);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    setParams({ verdicts: VERDICTS.filter((x) => next.has(x)).join(",") });
  };
  const presenting = search.get("present") === "1" && finished !== null;
  const step = Number(search.get("step") ?? "0") || 0;
  const onStep = useCallback((s: number) => setParams({ step: String(s) }), [setParams]);
  const onExit = useCallback(() => setParams({ present: null, step: null }), [setParams]);

  if (detail.error !== null && live.state.experiment === null) {
    return <div className="error-box">{detail.error.message}</div>;
  }
  if (experiment === null) return <p className="muted">Loading the experiment…</p>;
  const result = experiment.result;
  const narration = { pages, mutations, startedAt: pages[0]?.requestedAt ?? null, endedAt: pages[pages.length - 1]?.receivedAt ?? null, timeZone: choice };
  const concurrency = experiment.params.concurrency;
  const parallel = concurrency > 1;
  const shape = finished !== null ? parallelShape(verdicts, narration) : null;

  return (
    <div className={styles.race}>
      <div className={styles.head}>
        <h1>
          Experiment <code>{experiment.id}</code>: {experiment.scenario}
        </h1>
        <div className={styles.actions}>
          <Link href="/race">All experiments</Link>
          {experiment.passId !== null ? <Link href={`/passes/${encodeURIComponent(experiment.passId)}`}>Its pass</Link> : null}
          {experiment.status === "running" ? (
            <button type="button" onClick={() => stop.mutate()} disabled={stop.isPending}>
              {stop.isPending ? "Stopping…" : "Stop"}
            </button>
          ) : null}
          <button type="button" className="primary" disabled={finished === null} onClick={() => setParams({ present: "1", step: "0" })}>
            Presenter mode
          </button>
        </div>
      </div>
      <div className={styles.meta}>
        <span>
          status <span className={`badge ${experiment.status === "complete" ? "ok" : experiment.status === "running" ? "accent" : "bad"}`}>{experiment.status}</span>
        </span>
        {experiment.status === "running" ? <span data-testid="phase">{live.state.phase ?? experiment.phase}</span> : null}
        <span>{paceText(experiment.params.latencyMs)}</span>
        <span>
          <code>
            {experiment.connection}/{experiment.bucket}/{experiment.prefix}
          </code>
        </span>
        <span>page size {experiment.pageSize}</span>
        <span data-testid="cursors">{parallel
            ? `parallel pass: up to ${concurrency} cursors at once, ${picture.lanes.length} key ${picture.lanes.length === 1 ? "range" : "ranges"}${finished === null ? " so far" : ""}`
            : "one cursor (sequential pass)"}</span>
        <span title={TRUTH_METHODS[experiment.truthMethod].sentence}>ground truth: {TRUTH_METHODS[experiment.truthMethod].label}</span>
        <span>
          started <Time iso={experiment.createdAt} />
        </span>
        {experiment.cleanedUp !== null ? <span>{experiment.cleanedUp ? "prefix cleaned up" : experiment.cleanupNote !== null ? "cleanup incomplete" : "data kept"}</span> : null}
      </div>
      {experiment.error !== null ? <div className="error-box">{experiment.error.message}</div> : null}
      {live.error !== null ? <div className="error-box">{live.error.message}</div> : null}
      {stop.error !== null ? <div className="error-box">{stop.error.message}</div> : null}
      {experiment.status === "running" && live.state.setup !== null ? <SetupProgress {...live.state.setup} /> : null}
      <GroundTruth experiment={experiment} truth={truth} />
      {result !== null ? (
        <div className={`${styles.summaryLine} ${result.equalsStart && result.equalsEnd ? "" : styles.differs}`} data-testid="summary-line">
          {result.line}
        </div>
      ) : null}
      <div className="panel">
        <SpacetimeLegend picture={picture} />
        {pages.length === 0 && inFlight === null ? (
          <div className={styles.chartWaiting} style={{ height: CHART_HEIGHT }} data-testid="spacetime-waiting">
            {experiment.status === "running" ? "The picture begins when page 1 is requested." : "No page was requested."}
          </div>
        ) : (
          <SpacetimeChart picture={picture} height={CHART_HEIGHT} />
        )}
        {pictureCaption(parallel).map((text, i) => (
          <p key={i} className="muted" data-testid={i === 1 ? "parallel-shape" : undefined}>
            {text}
          </p>
        ))}
        {shape !== null ? (
          <p className={styles.shapeExample} data-testid="parallel-example">
            {shape}
          </p>
        ) : null}
        <RacePages pages={pages} passId={experiment.passId} />
      </div>
      {finished !== null ? (
        <>
          <h2>Every key</h2>
          <VerdictTable verdicts={verdicts} shown={shown} onToggle={toggle} narration={narration} />
          <h2>Side by side: the bucket at the start, the pass, the bucket at the end</h2>
          <SideBySide
            verdicts={verdicts}
            startCount={result?.startKeys ?? 0}
            endCount={result?.endKeys ?? 0}
            listedCount={result?.listedKeys ?? 0}
          />
        </>
      ) : (
        <p className="muted">Verdicts appear when the pass has ended and the bucket has been read again.</p>
      )}
      {presenting ? (
        <Presenter
          experiment={experiment}
          truth={truth}
          pages={pages}
          mutations={mutations}
          verdicts={verdicts}
          step={step}
          onStep={onStep}
          onExit={onExit}
        />
      ) : null}
    </div>
  );
}
