"use client";

import { useEffect, useMemo, type ReactNode } from "react";
import { TRUTH_METHODS, type ExperimentPage, type ExperimentSummary, type KeyVerdict, type Mutation, type TruthSnapshot } from "@/lib/wire";
import { useTimeZone } from "@/components/format/time";
import { clockTime, gap, narrate } from "./narrate";
import { buildSpacetime, stepCount, visibleAt } from "./spacetime";
import { SpacetimeChart, SpacetimeLegend } from "./spacetime-chart";
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

/** Full screen, large type, one page per step: space / → / ↓ forward, ← / ↑ back, Esc leaves. */
export function Presenter({ experiment, truth, pages, mutations, verdicts, step, onStep, onExit }: PresenterProps) {
  const last = stepCount(pages) - 1;
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
  const picture = useMemo(
    () => buildSpacetime({ pages, mutations, verdicts, startCount: start?.count ?? 0 }, current),
    [pages, mutations, verdicts, start, current],
  );
  const page = current > 0 ? pages[current - 1] : undefined;
  const fresh = visibleAt(mutations, pages, current).filter((m) => !visibleAt(mutations, pages, current - 1).some((n) => n.seq === m.seq));
  const decided = verdicts.filter((v) => v.verdict !== "consistent" && (current === last ? v.page === null || v.page >= current - 1 : v.page === current - 1));
  const choice = useTimeZone();
  const narration = { pages, mutations, startedAt: pages[0]?.requestedAt ?? null, endedAt: pages[pages.length - 1]?.receivedAt ?? null, timeZone: choice };

  return (
    <div className={styles.presenter} role="dialog" aria-label="Presenter mode" data-testid="presenter">
      <div className={styles.presenterHead}>
        <div className={styles.presenterTitle} data-testid="presenter-title">
          {page === undefined ? "Before the pass" : `Page ${page.index + 1} of ${pages.length}`}
        </div>
        <div className={styles.presenterHint}>
          step {current} of {last} · space / → next · ← back · Esc leave
        </div>
      </div>
      <SpacetimeLegend large />
      <div className={styles.presenterBody}>
        <div className={styles.presenterChart}>
          <SpacetimeChart picture={picture} height="100%" large />
        </div>
        <div className={styles.presenterNotes} data-testid="presenter-notes">
          {page === undefined ? (
            <Note title={`The bucket holds ${start?.count ?? "…"} keys`}>
              under <code>{experiment.prefix}</code>
              {start !== undefined ? `, read at ${clockTime(start.takenAt, choice)} (${TRUTH_METHODS[start.method].label})` : ""}. Pages of{" "}
              {experiment.pageSize} keys. Press space to request page 1.
            </Note>
          ) : null}
          {fresh.slice(0, MAX_NOTES).map((m) => (
            <Note key={m.seq} color="#2f5bd3" title={`${m.op} ${m.key}`}>
              sent {clockTime(m.sentAt, choice)}, acknowledged {gap(m.sentAt, m.ackedAt)} later{m.ok ? "" : ` — failed: ${m.error ?? ""}`}
            </Note>
          ))}
          {fresh.length > MAX_NOTES ? <div className="muted">and {fresh.length - MAX_NOTES} more mutations</div> : null}
          {page !== undefined ? (
            <Note color="#1c1d1f" title={`Page ${page.index + 1}: ${page.firstKey ?? "—"} … ${page.lastKey ?? "—"}`}>
              requested {clockTime(page.requestedAt, choice)}, answered in {gap(page.requestedAt, page.receivedAt)}, {page.keyCount} keys
            </Note>
          ) : null}
          {decided.slice(0, MAX_NOTES).map((v) => (
            <Note key={v.key} color={VERDICT_STYLE[v.verdict].color} title={<><span className="mono">{v.key}</span> <VerdictBadge verdict={v.verdict} /></>}>
              {narrate(v, narration)}
            </Note>
          ))}
          {decided.length > MAX_NOTES ? <div className="muted">and {decided.length - MAX_NOTES} more keys decided by this page</div> : null}
          {current === last && experiment.result !== null ? <div className={styles.presenterSummary}>{experiment.result.line}</div> : null}
        </div>
      </div>
    </div>
  );
}
