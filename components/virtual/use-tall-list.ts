"use client";

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { MAX_SCROLL_PX, positionAt, scrollSpace, scrolled, type ScrollPosition } from "./scroll-map";

// A virtual list of fixed-height items that reaches every item of any count (see ./scroll-map): the
// box is at most MAX_SCROLL_PX tall and the items are drawn relative to the scroll position.

/** A test sets this global before the page's scripts run, to reach the capped mode with a small list. */
const CAP_OVERRIDE = "__BUCKETSCOPE_MAX_SCROLL_PX";

function maxScrollPx(): number {
  const v = (globalThis as Record<string, unknown>)[CAP_OVERRIDE];
  return typeof v === "number" && v > 0 ? v : MAX_SCROLL_PX;
}

const noChanges = () => () => {};

export interface TallListItem {
  index: number;
  /** Offset from the top of the box's content. */
  top: number;
}

export interface TallList {
  scrollRef: React.RefObject<HTMLDivElement | null>;
  /** Height of the box's content (at most the cap). */
  boxHeight: number;
  items: TallListItem[];
  /** Items drawn, overscan included. */
  drawn: { first: number; last: number };
  /** Items in the viewport. */
  shown: { first: number; last: number };
  scrollToIndex: (index: number, align: "start" | "center") => void;
}

export function useTallList({ count, itemHeight, overscan, initialIndex }: { count: number; itemHeight: number; overscan: number; initialIndex: number }): TallList {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The server renders with the real cap; a test's lower one applies from hydration on (a value read
  // in useState would leave the server's box height in the DOM: hydration does not patch attributes).
  const cap = useSyncExternalStore(noChanges, maxScrollPx, () => MAX_SCROLL_PX);
  const [viewport, setViewport] = useState(0);
  const space = useMemo(() => scrollSpace(count * itemHeight, viewport, cap), [count, itemHeight, viewport, cap]);
  const [position, setPosition] = useState<ScrollPosition>({ virtual: initialIndex * itemHeight, physical: 0 });
  const pos = useRef(position);
  const spaceRef = useRef(space);
  /** A scrollTop we set ourselves: its scroll event is not a user's scroll. */
  const expected = useRef<number | null>(null);

  const moveTo = useCallback((next: ScrollPosition) => {
    const el = scrollRef.current;
    pos.current = next;
    setPosition(next);
    if (el === null) return;
    if (Math.abs(el.scrollTop - next.physical) >= 1) {
      expected.current = next.physical;
      el.scrollTop = next.physical;
    }
  }, []);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A new viewport or item count moves the thumb to where the kept virtual position belongs.
  useLayoutEffect(() => {
    spaceRef.current = space;
    if (viewport === 0) return;
    moveTo(positionAt(space, pos.current.virtual));
  }, [space, viewport, moveTo]);

  useEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const onScroll = () => {
      const top = el.scrollTop;
      if (expected.current !== null && Math.abs(top - expected.current) < 1) {
        expected.current = null;
        pos.current = { ...pos.current, physical: top };
        return;
      }
      expected.current = null;
      moveTo(scrolled(spaceRef.current, pos.current, top, el.clientHeight));
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, [moveTo]);

  const scrollToIndex = useCallback(
    (index: number, align: "start" | "center") => {
      const vp = scrollRef.current?.clientHeight ?? 0;
      const y = align === "center" ? index * itemHeight - (vp - itemHeight) / 2 : index * itemHeight;
      moveTo(positionAt(spaceRef.current, Math.round(y)));
    },
    [itemHeight, moveTo],
  );

  const offset = position.virtual - position.physical;
  const last = Math.max(0, count - 1);
  const firstShown = Math.min(last, Math.max(0, Math.floor(position.virtual / itemHeight)));
  const lastShown = Math.min(last, Math.max(firstShown, Math.ceil((position.virtual + viewport) / itemHeight) - 1));
  const first = Math.max(0, firstShown - overscan);
  const lastDrawn = count === 0 ? -1 : Math.min(last, lastShown + overscan);
  const items: TallListItem[] = [];
  for (let i = first; i <= lastDrawn; i++) items.push({ index: i, top: i * itemHeight - offset });
  return {
    scrollRef,
    boxHeight: space.boxHeight,
    items,
    drawn: { first, last: Math.max(first, lastDrawn) },
    shown: { first: firstShown, last: lastShown },
    scrollToIndex,
  };
}
