"use client";

import { useEffect, useMemo, type ReactNode } from "react";
import { TRUTH_METHODS, type ExperimentPage, type ExperimentSummary, type KeyVerdict, type Mutation, type TruthSnapshot } from "@/lib/wire";
import { useTimeZone } from "@/components/format/time";
import { clockTime, gap, narrate, parallelShape } from "./narrate";
import { buildSpacetime, cursorColor, presenterSteps } from "./spacetime";
import { rangeText, SpacetimeChart, SpacetimeLegend } from "./spacetime-chart";
import { VerdictBadge } from "./verdict-table";
import { VERDICT_STYLE } from "./verdicts";
import styles from "./race.module.css";

const MAX_NOTES = 10;

export interface PresenterProps {
  experiment: ExperimentSummary;
  truth: readonly TruthSnapshot[];
  pages: readonly ExperimentPage[];
  mutations: readonly Mutation[];
  verdicts: readonly KeyVerdict[];
  step: number;
  onStep: (step: number) => void;
  onExit: () => void;
}

function Note({ color, title, children }: { color?: string; title: ReactNode; children?: ReactNode }) {
  return (
    <div className={styles.note} style={color !== undefined ? { borderLeftColor: color } : undefined}>
      <div className={styles.noteTitle}>{title}</div>
      {children}
    </div>
  );
}

/**
 * Full screen, large type, the picture full width and the story below it (a 1024×768 projector
 * fits both). One step per page, and before each page one step per mutation sent before it was
 * requested: space / → / ↓ forward, ← / ↑ back, Esc leaves.
 */
export function Presenter({ experiment, truth, pages, mutations, verdicts, step, onStep, onExit }: PresenterProps) {
  const steps = useMemo(() => presenterSteps(pages, mutations), [pages, mutations]);
  const last = steps.length - 1;
  const current = Math.min(Math.max(0, step), last);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === " " || e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === "PageDown") {
        e.preventDefault();
        onStep(Math.min(last, current + 1));
      } else if (e.key === "ArrowLeft" || e.key === "ArrowUp" || e.key === "PageUp" || e.key === "Backspace") {
        e.preventDefault();
        onStep(Math.max(0, current - 1));
      } else if (e.key === "Home") onStep(0);
      else if (e.key === "End") onStep(last);
      else if (e.key === "Escape") onExit();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [current, last, onStep, onExit]);

  const start = truth.find((t) => t.which === "start");
  const at = steps[current] ?? steps[0];
  const picture = useMemo(() => buildSpacetime({ pages, mutations, verdicts, startCount: start?.count ?? 0 }, at ?? null), [pages, mutations, verdicts, start, at]);
  const highlight = useMemo(() => new Set(at?.fresh ?? []), [at]);
  const choice = useTimeZone();
  if (at === undefined) return null;
  const page = at.kind === "page" && at.page !== null ? pages[at.page] : undefined;
  const fresh = mutations.filter((m) => at.fresh.includes(m.seq));
  const decided = at.kind === "page" ? verdicts.filter((v) => v.verdict !== "consistent" && (current === last ? v.page === null || v.page >= at.pages - 1 : v.page === at.pages - 1)) : [];
  const narration = { pages, mutations, startedAt: pages[0]?.requestedAt ?? null, endedAt: pages[pages.length - 1]?.receivedAt ?? null, timeZone: choice };
  const nextPage = at.page !== null ? at.page + 1 : null;
  const parallel = experiment.params.concurrency > 1;
  const shape = current === last ? parallelShape(verdicts, narration) : null;
  const title =
    at.kind === "before"
      ? "Before the pass"
      : page !== undefined
        ? `Page ${page.index + 1} of ${pages.length}`
        : fresh.length === 1 && fresh[0] !== undefined
          ? `${fresh[0].op} ${fresh[0].key}`
          : `${fresh.length} mutations`;

  return (
    <div className={styles.presenter} role="dialog" aria-label="Presenter mode" data-testid="presenter" data-step-kind={at.kind}>
      <div className={styles.presenterHead}>
        <div className={styles.presenterTitle} data-testid="presenter-title">
          {title}
        </div>
        <div className={styles.presenterHint}>
          step {current} of {last} · space / → next · ← back · Esc leave
        </div>
      </div>
      <SpacetimeLegend picture={picture} large />
      <div className={styles.presenterChart}>
        <SpacetimeChart picture={picture} height="100%" large highlight={highlight} />
      </div>
      <div className={styles.presenterNotes} data-testid="presenter-notes">
        {at.kind === "before" ? (
          <Note title={`The bucket holds ${start?.count ?? "…"} keys`}>
            under <code>{experiment.prefix}</code>
            {start !== undefined ? `, read at ${clockTime(start.takenAt, choice)} (${TRUTH_METHODS[start.method].label})` : ""}. Pages of {experiment.pageSize} keys.
            {parallel
              ? ` Up to ${experiment.params.concurrency} cursors list at once: range 0 starts at the first key, and once its first page shows what the keys look like the rest of the key space is split into ranges, each listed by its own cursor. Every range has its own frontier. Press space to see page 1.`
              : " Press space to request page 1."}
          </Note>
        ) : null}
        {fresh.slice(0, MAX_NOTES).map((m) => (
          <Note key={m.seq} color="#2f5bd3" title={`${m.op} ${m.key}`}>
            sent {clockTime(m.sentAt, choice)}, acknowledged {gap(m.sentAt, m.ackedAt)} later
            {nextPage !== null && nextPage <= pages.length ? `, before page ${nextPage} was requested` : ", after the last page was requested"}
            {m.ok ? "" : ` — failed: ${m.error ?? ""}`}
          </Note>
        ))}
        {fresh.length > MAX_NOTES ? <div className="muted">and {fresh.length - MAX_NOTES} more mutations</div> : null}
        {page !== undefined ? (
          <Note
            color={page.cursor !== undefined ? cursorColor(page.cursor.range) : "#1c1d1f"}
            title={`Page ${page.index + 1}${page.cursor !== undefined ? ` (range ${page.cursor.range})` : ""}: ${page.firstKey ?? "—"} … ${page.lastKey ?? "—"}`}
          >
            requested {clockTime(page.requestedAt, choice)}, answered in {gap(page.requestedAt, page.receivedAt)}, {page.keyCount} keys
            {page.cursor !== undefined ? `; range ${page.cursor.range} holds the keys ${rangeText(page.cursor.after, page.cursor.through)}` : ""}
          </Note>
        ) : null}
        {decided.slice(0, MAX_NOTES).map((v) => (
          <Note
            key={v.key}
            color={VERDICT_STYLE[v.verdict].color}
            title={
              <>
                <span className="mono">{v.key}</span> <VerdictBadge verdict={v.verdict} />
              </>
            }
          >
            {narrate(v, narration)}
          </Note>
        ))}
        {decided.length > MAX_NOTES ? <div className="muted">and {decided.length - MAX_NOTES} more keys decided by this page</div> : null}
        {current === last && shape !== null ? (
          <Note color={cursorColor(1)} title="Several frontiers at once">
            {shape}
          </Note>
        ) : null}
        {current === last && experiment.result !== null ? <div className={styles.presenterSummary}>{experiment.result.line}</div> : null}
      </div>
    </div>
  );
}
