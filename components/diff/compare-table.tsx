"use client";

import { memo, useEffect, useImperativeHandle, useMemo, useRef, type ReactNode, type Ref } from "react";
import { KeyText, plainKey } from "@/components/browser/key-text";
import { formatBytes, formatCount, formatDuration, plural } from "@/components/format";
import { Time, useTimeZone, ZoneLabel } from "@/components/format/time";
import { useTallList } from "@/components/virtual/use-tall-list";
import type { DiffBandItem, DiffBandSide, DiffField, DiffItem, DiffRowItem, DiffSide } from "@/lib/wire";
import { INVENTORY_CAVEAT } from "@/lib/wire";
import { changeText, inventoryCaveat, KIND_MARK, pagesText, pageShift, shortEtag, signedShift, type InventorySides } from "./cells";
import styles from "./compare.module.css";

// Both passes in one virtual list, so they scroll together by construction: each row holds a key in A
// (left) and in B (right), aligned; a band row marks where a page of A (left half) or of B (right
// half) begins, so each side shows its own page boundaries and a shift reads as bands out of step.
// A 10M-key comparison is taller than a browser lets an element be: useTallList maps the scroll
// position onto every row.

export const ITEM_HEIGHT = 26;

export interface ItemRange {
  first: number;
  last: number;
}

export interface CompareTableHandle {
  scrollToItem(index: number, align: "start" | "center"): void;
}

export interface CompareTableProps {
  total: number;
  /** The aligned view of every key: a band says where a page begins; in the changes only, which page the changes below are on. */
  aligned: boolean;
  itemAt: (index: number) => DiffItem | undefined;
  /** The row a jump landed on, outlined. */
  currentItem: number | null;
  /** Item shown at the top on first render (deep link). */
  initialItem: number;
  /** Items drawn (overscan included: what to fetch) and items in view (what the user sees). */
  onRangeChange: (drawn: ItemRange, shown: ItemRange) => void;
  /** Sides that are S3 Inventory reports: keys in one pass only carry the report's caveat. */
  inventory?: InventorySides;
  ref?: Ref<CompareTableHandle>;
}

const NO_INVENTORY: InventorySides = { a: false, b: false };

const KIND_CLASS = { added: styles.markAdded, removed: styles.markRemoved, changed: styles.markChanged, unchanged: "" } as const;

function BandHalf({ side, label, aligned }: { side: DiffBandSide | null; label: "A" | "B"; aligned: boolean }) {
  if (side === null) return <div className={`${styles.bandHalf} ${styles.bandOff}`} />;
  return (
    <div className={`${styles.bandHalf} ${styles.bandOn}`} title={side.firstKey !== null ? `${plainKey(side.firstKey)} … ${plainKey(side.lastKey ?? "")}` : undefined}>
      <b>
        {label} · page {formatCount(side.page + 1)}
      </b>
      {aligned ? <span>{side.begins ? "begins" : "continues"}</span> : null}
      <span className={styles.bandKeys}>
        {side.firstKey !== null ? (
          <>
            <KeyText value={side.firstKey} /> … <KeyText value={side.lastKey ?? ""} />
          </>
        ) : (
          "no keys"
        )}
      </span>
      <span className={styles.bandFig}>{plural(side.entryCount, "key")}</span>
      <span className={styles.bandFig}>{formatDuration(side.durationMs)}</span>
    </div>
  );
}

const Band = memo(function Band({ item, aligned }: { item: DiffBandItem; aligned: boolean }) {
  return (
    <>
      <BandHalf side={item.a} label="A" aligned={aligned} />
      <div className={styles.bandGutter} />
      <BandHalf side={item.b} label="B" aligned={aligned} />
    </>
  );
});

function Cell({ field, row, which, children, className }: { field: DiffField; row: DiffRowItem; which: "a" | "b"; children: ReactNode; className?: string }) {
  const marked = row.changed.includes(field) ? (which === "a" ? styles.cellOld : styles.cellNew) : "";
  return (
    <span className={className}>
      <span className={marked}>{children}</span>
    </span>
  );
}

function Half({ row, which, inventory }: { row: DiffRowItem; which: "a" | "b"; inventory: InventorySides }) {
  const side: DiffSide | null = row[which];
  const tone =
    side === null
      ? styles.absent
      : row.kind === "added"
        ? styles.addedB
        : row.kind === "removed"
          ? styles.removedA
          : row.kind === "changed"
            ? styles.changedHalf
            : "";
  if (side === null) {
    const caveat = inventoryCaveat(row, inventory);
    return (
      <div className={`${styles.half} ${tone}`} data-side={which}>
        {caveat !== null ? (
          <span className={styles.caveat} title={INVENTORY_CAVEAT} data-testid="inventory-caveat">
            {caveat}
          </span>
        ) : null}
      </div>
    );
  }
  const shifted = pageShift(row) !== null;
  return (
    <div className={`${styles.half} ${tone}`} data-side={which}>
      <span className={`${styles.page} ${shifted ? styles.pageShifted : ""}`} title={`page ${side.page + 1} of pass ${which.toUpperCase()}`}>
        p{side.page + 1}
      </span>
      <span className={styles.key} title={plainKey(row.key)}>
        <KeyText value={row.key} />
      </span>
      <Cell field="size" row={row} which={which} className={styles.num}>
        <span title={`${formatCount(side.size)} bytes`}>{formatBytes(side.size)}</span>
      </Cell>
      <Cell field="lastModified" row={row} which={which} className={styles.time}>
        <Time iso={side.lastModified} zone={false} />
      </Cell>
      <Cell field="storageClass" row={row} which={which} className={styles.cls}>
        {side.storageClass ?? "—"}
      </Cell>
      <Cell field="etag" row={row} which={which} className={styles.etag}>
        <span title={side.etag ?? undefined}>{shortEtag(side.etag)}</span>
      </Cell>
    </div>
  );
}

const Row = memo(function Row({ row, inventory }: { row: DiffRowItem; inventory: InventorySides }) {
  const choice = useTimeZone();
  const shift = pageShift(row);
  const title = row.kind === "unchanged" ? (shift !== null ? pagesText(row) : undefined) : changeText(row, choice);
  return (
    <>
      <Half row={row} which="a" inventory={inventory} />
      <div className={`${styles.gutter} ${KIND_CLASS[row.kind]}`} title={title}>
        {KIND_MARK[row.kind] !== "" ? KIND_MARK[row.kind] : shift !== null ? <span className={styles.markShift}>{signedShift(shift)}</span> : null}
      </div>
      <Half row={row} which="b" inventory={inventory} />
    </>
  );
});

function Placeholder() {
  return (
    <>
      <div className={styles.half}>
        <span />
        <span className={styles.placeholder} />
      </div>
      <div className={styles.gutter} />
      <div className={styles.half}>
        <span />
        <span className={styles.placeholder} />
      </div>
    </>
  );
}

function HeadHalf({ label }: { label: string }) {
  return (
    <div className={styles.half} role="row">
      <span role="columnheader" className={styles.num}>
        Page
      </span>
      <span role="columnheader">Key in {label}</span>
      <span role="columnheader" className={styles.num}>
        Size
      </span>
      <span role="columnheader">
        Last modified <ZoneLabel />
      </span>
      <span role="columnheader">Class</span>
      <span role="columnheader">ETag</span>
    </div>
  );
}

export function CompareTable({ total, aligned, itemAt, currentItem, initialItem, onRangeChange, inventory: inventoryProp = NO_INVENTORY, ref }: CompareTableProps) {
  // One object per pair of flags, so the memoised rows are not drawn again on every render.
  const inventory = useMemo(() => ({ a: inventoryProp.a, b: inventoryProp.b }), [inventoryProp.a, inventoryProp.b]);
  const { scrollRef, boxHeight, items, drawn, shown, scrollToIndex } = useTallList({ count: total, itemHeight: ITEM_HEIGHT, overscan: 20, initialIndex: initialItem });
  useImperativeHandle(ref, () => ({ scrollToItem: (index, align) => scrollToIndex(index, align) }), [scrollToIndex]);

  const { first, last } = drawn;
  const { first: firstShown, last: lastShown } = shown;
  const onRange = useRef(onRangeChange);
  useEffect(() => {
    onRange.current = onRangeChange;
  });
  useEffect(() => {
    onRange.current({ first, last }, { first: firstShown, last: lastShown });
  }, [first, last, firstShown, lastShown]);

  return (
    <div className={styles.table} role="table" aria-label="Keys of pass A and pass B, aligned" aria-rowcount={total} data-testid="compare-table" data-view={aligned ? "all" : "changes"}>
      <div className={styles.headRow}>
        <HeadHalf label="A" />
        <div className={styles.gutter} />
        <HeadHalf label="B" />
      </div>
      <div className={styles.scroller} style={{ height: boxHeight + 2 }} ref={scrollRef} data-testid="compare-scroller">
        <div className={styles.rows} style={{ height: boxHeight }} role="rowgroup">
          {items.map((v) => {
            const item = itemAt(v.index);
            const style = { transform: `translateY(${v.top}px)` };
            if (item === undefined) {
              return (
                <div key={v.index} className={styles.row} style={style} role="row" data-testid="diff-placeholder">
                  <Placeholder />
                </div>
              );
            }
            if (item.type === "band") {
              return (
                <div
                  key={v.index}
                  className={styles.band}
                  style={style}
                  role="row"
                  data-testid="diff-band"
                  data-item={v.index}
                  data-a-page-number={item.a !== null ? item.a.page + 1 : ""}
                  data-b-page-number={item.b !== null ? item.b.page + 1 : ""}
                  data-a-first-key={item.a?.firstKey ?? undefined}
                  data-b-first-key={item.b?.firstKey ?? undefined}
                >
                  <Band item={item} aligned={aligned} />
                </div>
              );
            }
            return (
              <div
                key={v.index}
                className={`${styles.row} ${v.index === currentItem ? styles.current : ""}`}
                style={style}
                role="row"
                data-testid="diff-row"
                data-item={v.index}
                data-current={v.index === currentItem ? "true" : undefined}
                data-kind={item.kind}
                data-key={item.key}
                data-changed={item.changed.join(" ")}
                data-a-page-number={item.a !== null ? item.a.page + 1 : ""}
                data-b-page-number={item.b !== null ? item.b.page + 1 : ""}
              >
                <Row row={item} inventory={inventory} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
