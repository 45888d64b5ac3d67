"use client";

import { memo } from "react";
import {
  CartesianGrid,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  type ScatterShapeProps,
  type TooltipContentProps,
} from "recharts";
import { formatDuration } from "@/components/format";
import { VERDICTS } from "@/lib/wire";
import type { MutationPoint, Spacetime } from "./spacetime";
import { PENDING_COLOR, VERDICT_STYLE } from "./verdicts";
import styles from "./race.module.css";

const PAGE_COLOR = "#1c1d1f";
const STAIRS_COLOR = "#2f5bd3";

const OP_LABEL: Record<MutationPoint["op"], string> = { put: "put", delete: "delete", overwrite: "overwrite" };

/** Few enough mutations to name each one on the picture without covering it. */
const LABELLED_POINTS = 30;

function MutationShape(props: ScatterShapeProps, large: boolean, labelled: boolean) {
  const p = props.payload as MutationPoint | undefined;
  if (p === undefined || props.cx === undefined || props.cy === undefined) return <g />;
  const r = large ? 9 : 6;
  const { cx, cy } = props;
  const label = labelled ? (
    <text x={cx + r + 5} y={cy + (large ? 6 : 4)} fontSize={large ? 17 : 12} fontWeight={600} fill={p.color} stroke="#fff" strokeWidth={3} paintOrder="stroke">
      {p.key}
    </text>
  ) : null;
  // Deletes are crosses, writes are discs: the shape says what happened, the colour what it did to the pass.
  if (p.op === "delete") {
    return (
      <g>
        <g stroke={p.color} strokeWidth={large ? 4 : 3} strokeLinecap="round">
          <line x1={cx - r} y1={cy - r} x2={cx + r} y2={cy + r} />
          <line x1={cx - r} y1={cy + r} x2={cx + r} y2={cy - r} />
        </g>
        {label}
      </g>
    );
  }
  return (
    <g>
      <circle cx={cx} cy={cy} r={r} fill={p.color} stroke="#fff" strokeWidth={1.5} />
      {label}
    </g>
  );
}

function PointTooltip({ active, payload }: TooltipContentProps) {
  const p = payload[0]?.payload as MutationPoint | undefined;
  if (!active || p === undefined || p.key === undefined) return null;
  return (
    <div className={styles.tooltip}>
      <div className={styles.tooltipTitle}>
        {OP_LABEL[p.op]} {p.key}
      </div>
      <div>acknowledged {formatDuration(p.y * 1000)} into the pass</div>
      <div>{p.verdict !== null ? `${p.verdict}: ${VERDICT_STYLE[p.verdict].meaning}` : "its page has not been read yet"}</div>
    </div>
  );
}

export function SpacetimeLegend({ large = false }: { large?: boolean }) {
  return (
    <div className={large ? `${styles.legend} ${styles.legendLarge}` : styles.legend}>
      <span className={styles.legendItem}>
        <span className={styles.swatchLine} style={{ background: PAGE_COLOR }} /> page (keys it returned, when answered)
      </span>
      <span className={styles.legendItem}>
        <span className={styles.swatchLine} style={{ background: STAIRS_COLOR }} /> cursor
      </span>
      <span className={styles.legendItem}>● write ✕ delete</span>
      {VERDICTS.map((v) => (
        <span key={v} className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ background: VERDICT_STYLE[v].color }} /> {v}
        </span>
      ))}
      <span className={styles.legendItem}>
        <span className={styles.swatchDot} style={{ background: PENDING_COLOR }} /> not decided yet
      </span>
    </div>
  );
}

export interface SpacetimeChartProps {
  picture: Spacetime;
  /** Pixels, or a CSS height when the parent has one (presenter mode fills the screen). */
  height: number | string;
  /** Presenter mode: bigger marks and labels. */
  large?: boolean;
}

/** x = position in key order, y = seconds since the first request (downwards). */
export const SpacetimeChart = memo(function SpacetimeChart({ picture, height, large = false }: SpacetimeChartProps) {
  const font = large ? 16 : 11;
  const lastPage = picture.segments[picture.segments.length - 1]?.index;
  return (
    <div className={styles.chartFrame} style={{ height }} data-testid="spacetime">
      <ResponsiveContainer width="100%" height="100%" debounce={50}>
        <ScatterChart margin={{ top: large ? 28 : 20, right: large ? 40 : 24, bottom: large ? 16 : 8, left: large ? 16 : 4 }}>
          <CartesianGrid stroke="var(--line)" />
          <XAxis
            type="number"
            dataKey="x"
            domain={picture.xDomain}
            ticks={picture.ticks.map((t) => t.x)}
            tickFormatter={(x: number) => picture.ticks.find((t) => t.x === x)?.key ?? ""}
            tick={{ fontSize: font, fill: "var(--muted)" }}
            allowDataOverflow
            label={{ value: "key order →", position: "insideBottomRight", offset: -4, fontSize: font, fill: "var(--muted)" }}
            height={large ? 56 : 40}
          />
          <YAxis
            type="number"
            dataKey="y"
            reversed
            domain={picture.yDomain}
            ticks={picture.yTicks}
            tickFormatter={(y: number) => `${y.toFixed(picture.yDecimals)} s`}
            tick={{ fontSize: font, fill: "var(--muted)" }}
            width={large ? 70 : 52}
            allowDataOverflow
            label={{ value: "time ↓", angle: -90, position: "insideLeft", fontSize: font, fill: "var(--muted)" }}
          />
          {picture.segments.map((s) => (
            <ReferenceArea
              key={`window-${s.index}`}
              x1={s.x1}
              x2={s.x2}
              y1={s.yRequested}
              y2={s.y}
              fill={PAGE_COLOR}
              fillOpacity={0.06}
              stroke="none"
              ifOverflow="hidden"
            />
          ))}
          <Scatter
            data={picture.stairs}
            line={{ stroke: STAIRS_COLOR, strokeWidth: large ? 2.5 : 1.5, strokeDasharray: "6 4" }}
            lineType="joint"
            shape={() => <g />}
            isAnimationActive={false}
            tooltipType="none"
          />
          {picture.segments.map((s) => (
            <ReferenceLine
              key={`page-${s.index}`}
              segment={[
                { x: s.x1, y: s.y },
                { x: s.x2, y: s.y },
              ]}
              stroke={PAGE_COLOR}
              strokeWidth={s.index === lastPage && large ? 8 : large ? 6 : 4}
              strokeLinecap="round"
              ifOverflow="hidden"
              label={{ value: `page ${s.index + 1}`, position: "top", fontSize: large ? 18 : 12, fontWeight: 650, fill: PAGE_COLOR }}
            />
          ))}
          <Scatter
            data={picture.points}
            shape={(props: ScatterShapeProps) => MutationShape(props, large, picture.points.length <= LABELLED_POINTS)}
            isAnimationActive={false}
          />
          <Tooltip content={PointTooltip} isAnimationActive={false} cursor={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
});
