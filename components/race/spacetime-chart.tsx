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
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
  XAxis,
  YAxis,
  type ScatterShapeProps,
  type TooltipContentProps,
} from "recharts";
import { formatDuration } from "@/components/format";
import { VERDICTS, type Verdict } from "@/lib/wire";
import { placeLabels, textWidth, type Box, type LabelRequest } from "./labels";
import type { MutationPoint, Spacetime } from "./spacetime";
import { PENDING_COLOR, VERDICT_STYLE } from "./verdicts";
import styles from "./race.module.css";

const PAGE_COLOR = "#1c1d1f";
const STAIRS_COLOR = "#2f5bd3";
const FLIGHT_COLOR = "#2f5bd3";
const SANS = '"Inter Variable", system-ui, sans-serif';

const OP_LABEL: Record<MutationPoint["op"], string> = { put: "put", delete: "delete", overwrite: "overwrite" };

/** Few enough mutations to try naming each one on the picture. */
const LABELLED_POINTS = 30;

const markRadius = (large: boolean) => (large ? 9 : 6);
/** How far the presenter's ring around a mark reaches beyond the mark. */
const RING = 9;

function MutationShape(props: ScatterShapeProps, large: boolean, highlight: ReadonlySet<number>) {
  const p = props.payload as MutationPoint | undefined;
  if (p === undefined || props.cx === undefined || props.cy === undefined) return <g />;
  const r = markRadius(large) + (highlight.has(p.seq) ? 3 : 0);
  const { cx, cy } = props;
  const ring = highlight.has(p.seq) ? <circle cx={cx} cy={cy} r={markRadius(large) + RING - 1} fill="none" stroke={p.color} strokeWidth={2} strokeDasharray="3 3" /> : null;
  // Deletes are crosses, writes are discs: the shape says what happened, the colour what it did to the pass.
  if (p.op === "delete") {
    return (
      <g data-mark={p.key}>
        {ring}
        <g stroke={p.color} strokeWidth={large ? 4 : 3} strokeLinecap="round">
          <line x1={cx - r} y1={cy - r} x2={cx + r} y2={cy + r} />
          <line x1={cx - r} y1={cy + r} x2={cx + r} y2={cy - r} />
        </g>
      </g>
    );
  }
  return (
    <g data-mark={p.key}>
      {ring}
      <circle cx={cx} cy={cy} r={r} fill={p.color} stroke="#fff" strokeWidth={1.5} />
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

/** The legend of one picture: only the marks and verdicts it shows. */
export function SpacetimeLegend({ picture, large = false }: { picture: Spacetime; large?: boolean }) {
  const shown = new Set(picture.points.map((p) => p.verdict));
  const verdicts: Verdict[] = VERDICTS.filter((v) => shown.has(v));
  return (
    <div className={large ? `${styles.legend} ${styles.legendLarge}` : styles.legend} data-testid="spacetime-legend">
      <span className={styles.legendItem}>
        <span className={styles.swatchLine} style={{ background: PAGE_COLOR }} /> page (keys it returned, when answered)
      </span>
      <span className={styles.legendItem}>
        <span className={styles.swatchLine} style={{ background: STAIRS_COLOR }} /> cursor
      </span>
      {picture.inFlight !== null ? (
        <span className={styles.legendItem}>
          <span className={styles.swatchBand} /> page requested, not answered yet
        </span>
      ) : null}
      {picture.points.length > 0 ? <span className={styles.legendItem}>● write ✕ delete</span> : null}
      {verdicts.map((v) => (
        <span key={v} className={styles.legendItem} data-verdict={v}>
          <span className={styles.swatchDot} style={{ background: VERDICT_STYLE[v].color }} /> {v}
        </span>
      ))}
      {shown.has(null) ? (
        <span className={styles.legendItem} data-verdict="pending">
          <span className={styles.swatchDot} style={{ background: PENDING_COLOR }} /> not decided yet
        </span>
      ) : null}
    </div>
  );
}

/**
 * Every label of the picture (page names, the keys under the axis, mutated keys, the page in
 * flight), placed in pixels so that none covers another: most important first, each at its first
 * free spot, left out when there is none (its mark keeps its tooltip).
 */
function PictureLabels({ picture, large, highlight }: { picture: Spacetime; large: boolean; highlight: ReadonlySet<number> }) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  if (xScale === undefined || yScale === undefined || plot === undefined) return null;
  const px = (x: number) => xScale(x) ?? 0;
  const py = (y: number) => yScale(y) ?? 0;
  const pageFont = large ? 18 : 12;
  const keyFont = large ? 16 : 11;
  const markFont = large ? 17 : 12;
  const measure = (text: string, size: number, weight: number, mono = false) =>
    Math.ceil(textWidth(text, `${weight} ${size}px ${mono ? '"JetBrains Mono Variable", monospace' : SANS}`, size) * 1.04) + 2;
  const r = markRadius(large);
  const frame: Box = { x: 0, y: 0, width: plot.x + plot.width + (large ? 40 : 24), height: plot.y + plot.height + (large ? 60 : 44) };
  const requests: LabelRequest[] = [];
  const pageH = pageFont + 2;
  // The newest page first: in a live picture and in presenter mode it is the one being talked about.
  for (const s of [...picture.segments].reverse()) {
    const text = `page ${s.index + 1}`;
    const w = measure(text, pageFont, 650);
    const mid = (px(s.x1) + px(s.x2)) / 2;
    const y = py(s.y);
    requests.push({
      id: `page-${s.index}`,
      text,
      width: w,
      height: pageH,
      overMarks: true,
      spots: [
        { x: mid - w / 2, y: y - pageH - 3 },
        { x: mid - w / 2, y: y + 4 },
        { x: px(s.x1), y: y - pageH - 3 },
        { x: px(s.x2) - w, y: y - pageH - 3 },
      ],
    });
  }
  if (picture.inFlight !== null) {
    const f = picture.inFlight;
    const text = `page ${f.index + 1} requested…`;
    const w = measure(text, pageFont, 650);
    // The page in flight is what a watching room looks at: it is labelled before the pages answered,
    // may lie over marks, and has spots at both ends so a band near the right edge keeps its name.
    const left = px(f.x1) + 6;
    const right = px(f.x2) - w - 6;
    requests.unshift({
      id: "in-flight",
      text,
      width: w,
      height: pageH,
      overMarks: true,
      spots: [
        { x: left, y: py(f.yRequested) + 4 },
        { x: left, y: py(f.yNow) - pageH - 2 },
        { x: right, y: py(f.yRequested) + 4 },
        { x: right, y: py(f.yNow) - pageH - 2 },
      ],
    });
  }
  // Keys under the axis: the ends first, then each page's last key.
  const ticks = [...picture.ticks].sort((a, b) => (a === picture.ticks[0] || a === picture.ticks.at(-1) ? -1 : 0) - (b === picture.ticks[0] || b === picture.ticks.at(-1) ? -1 : 0));
  const tickY = plot.y + plot.height + 6;
  for (const t of ticks) {
    const w = measure(t.key, keyFont, 400, true);
    const x = px(t.x);
    requests.push({ id: `tick-${t.x}`, text: t.key, width: w, height: keyFont + 2, spots: [{ x: x - w / 2, y: tickY }, { x: x - w, y: tickY }, { x: x + 3, y: tickY }] });
  }
  const axis = "key order →";
  const axisW = measure(axis, keyFont, 400);
  requests.unshift({ id: "axis-x", text: axis, width: axisW, height: keyFont + 2, spots: [{ x: plot.x + plot.width - axisW, y: tickY + keyFont + 8 }] });
  // Every mutation is named when few enough; otherwise only those the presenter's step is about.
  const named = picture.points.length <= LABELLED_POINTS ? picture.points : picture.points.filter((p) => highlight.has(p.seq));
  const order = [...named].sort(
    (a, b) => Number(highlight.has(b.seq)) - Number(highlight.has(a.seq)) || Number(b.verdict !== "consistent") - Number(a.verdict !== "consistent") || a.seq - b.seq,
  );
  // A ringed mark (the presenter's step) is wider: its label starts beyond the ring.
  const radiusOf = (seq: number) => (highlight.has(seq) ? r + RING : r);
  for (const p of order) {
    const w = measure(p.key, markFont, 600);
    const h = markFont + 2;
    const cx = px(p.x);
    const cy = py(p.y);
    const rr = radiusOf(p.seq);
    requests.push({
      id: `mark-${p.seq}`,
      text: p.key,
      width: w,
      height: h,
      spots: [
        { x: cx + rr + 5, y: cy - h / 2 },
        { x: cx - rr - 5 - w, y: cy - h / 2 },
        { x: cx - w / 2, y: cy - rr - 4 - h },
        { x: cx - w / 2, y: cy + rr + 4 },
      ],
    });
  }
  // No label covers the time axis's labels (left of the plot, the lowest one reaching into the row
  // of keys); only page names may lie over marks.
  const marks: Box[] = picture.points.map((p) => {
    const rr = radiusOf(p.seq);
    return { x: px(p.x) - rr, y: py(p.y) - rr, width: 2 * rr, height: 2 * rr };
  });
  const timeAxis: Box = { x: 0, y: 0, width: plot.x - 1, height: plot.y + plot.height + keyFont };
  const placed = placeLabels(requests, frame, [timeAxis], marks);
  const colorOf = new Map(picture.points.map((p) => [`mark-${p.seq}`, p.color]));
  return (
    <g className={styles.labels} data-testid="spacetime-labels">
      {placed.map((l) => {
        const kind = l.id.startsWith("page-") || l.id === "in-flight" ? "page" : l.id.startsWith("mark-") ? "mark" : "axis";
        const size = kind === "page" ? pageFont : kind === "mark" ? markFont : keyFont;
        return (
          <text
            key={l.id}
            data-label={l.id}
            x={l.x}
            y={l.y + size}
            fontSize={size}
            fontWeight={kind === "page" ? 650 : kind === "mark" ? 600 : 400}
            fontFamily={l.id.startsWith("tick-") ? "var(--font-mono)" : undefined}
            fill={kind === "mark" ? colorOf.get(l.id) : kind === "page" ? (l.id === "in-flight" ? FLIGHT_COLOR : PAGE_COLOR) : "var(--muted)"}
            stroke={kind === "mark" ? "#fff" : undefined}
            strokeWidth={kind === "mark" ? 3 : undefined}
            paintOrder="stroke"
          >
            {l.text}
          </text>
        );
      })}
    </g>
  );
}

export interface SpacetimeChartProps {
  picture: Spacetime;
  /** Pixels, or a CSS height when the parent has one (presenter mode fills the screen). */
  height: number | string;
  /** Presenter mode: bigger marks and labels. */
  large?: boolean;
  /** Mutations (seq) to ring: presenter mode's step is about them. */
  highlight?: ReadonlySet<number>;
}

const NONE: ReadonlySet<number> = new Set();

/** x = position in key order, y = seconds since the first request (downwards). */
export const SpacetimeChart = memo(function SpacetimeChart({ picture, height, large = false, highlight = NONE }: SpacetimeChartProps) {
  const font = large ? 16 : 11;
  const lastPage = picture.segments[picture.segments.length - 1]?.index;
  const flight = picture.inFlight;
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
            tick={false}
            allowDataOverflow
            height={large ? 60 : 44}
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
          {flight !== null ? (
            <ReferenceArea
              x1={flight.x1}
              x2={flight.x2}
              y1={flight.yRequested}
              y2={flight.yNow}
              fill={FLIGHT_COLOR}
              fillOpacity={0.12}
              stroke={FLIGHT_COLOR}
              strokeDasharray="5 4"
              ifOverflow="hidden"
            />
          ) : null}
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
            />
          ))}
          <Scatter data={picture.points} shape={(props: ScatterShapeProps) => MutationShape(props, large, highlight)} isAnimationActive={false} />
          <PictureLabels picture={picture} large={large} highlight={highlight} />
          <Tooltip content={PointTooltip} isAnimationActive={false} cursor={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
});
