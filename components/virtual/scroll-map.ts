// A list taller than a browser lets an element be (Chromium stops near 33.5M px, 1.29M rows of 26 px;
// Firefox near 17.9M px) scrolls in a box of at most MAX_SCROLL_PX. The list's own coordinate
// ("virtual", row * height) and the box's scrollTop ("physical") are tied by an offset:
// virtual = physical + offset. Small scrolls (wheel, keys, a click in the track) move both one to one,
// so rows glide as in any list; a jump (dragging the thumb, End, Home) maps the thumb's place onto the
// whole list, so every row can be reached. When the thumb has drifted from where the mapping puts it,
// it is moved back under the rows (the rows do not move). The first and last EDGE px of the list are
// one to one, so the first and last rows are reached by wheel as well.

export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollSpace {
  /** Largest virtual scroll position: list height minus viewport. */
  virtualMax: number;
  /** Largest physical scrollTop: box content height minus viewport. */
  physicalMax: number;
  /** One-to-one zone at each end. */
  edge: number;
}

export interface ScrollPosition {
  virtual: number;
  physical: number;
}

export function scrollSpace(listHeight: number, viewport: number, cap: number = MAX_SCROLL_PX): ScrollSpace & { boxHeight: number } {
  const boxHeight = Math.min(listHeight, cap);
  const virtualMax = Math.max(0, listHeight - viewport);
  const physicalMax = Math.max(0, boxHeight - viewport);
  return { boxHeight, virtualMax, physicalMax, edge: Math.floor(physicalMax / 8) };
}

export function isScaled(space: ScrollSpace): boolean {
  return space.virtualMax > space.physicalMax;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Where the thumb belongs for a virtual position: one to one in the edge zones, linear between. */
export function physicalFor(space: ScrollSpace, virtual: number): number {
  const { virtualMax: V, physicalMax: P, edge: E } = space;
  const y = clamp(virtual, 0, V);
  if (!isScaled(space)) return y;
  if (y <= E) return y;
  if (y >= V - E) return P - (V - y);
  return Math.round(E + ((y - E) * (P - 2 * E)) / (V - 2 * E));
}

/** The virtual position a thumb place stands for (the inverse of physicalFor). */
export function virtualFor(space: ScrollSpace, physical: number): number {
  const { virtualMax: V, physicalMax: P, edge: E } = space;
  const p = clamp(physical, 0, P);
  if (!isScaled(space)) return p;
  if (p <= E) return p;
  if (p >= P - E) return V - (P - p);
  return Math.round(E + ((p - E) * (V - 2 * E)) / (P - 2 * E));
}

/**
 * The position after the box scrolled from `from` to scrollTop `physical`, with the viewport height:
 * `physical` in the answer differs from the argument when the thumb must be moved (set it, and
 * ignore the scroll event that setting causes).
 */
export function scrolled(space: ScrollSpace, from: ScrollPosition, physical: number, viewport: number): ScrollPosition {
  if (!isScaled(space)) return { virtual: physical, physical };
  const step = physical - from.physical;
  // A jump: the thumb was dragged or sent to an end; its place says where in the list.
  if (Math.abs(step) > 2 * viewport) return { virtual: virtualFor(space, physical), physical };
  const virtual = clamp(from.virtual + step, 0, space.virtualMax);
  const home = physicalFor(space, virtual);
  const drift = Math.abs(home - physical);
  const stuck = (physical <= 0 && virtual > 0) || (physical >= space.physicalMax && virtual < space.virtualMax);
  if (stuck || drift > Math.max(2 * viewport, space.physicalMax / 400)) return { virtual, physical: home };
  return { virtual, physical };
}

/** The position that shows virtual `virtual`, the thumb where it belongs. */
export function positionAt(space: ScrollSpace, virtual: number): ScrollPosition {
  const v = clamp(virtual, 0, space.virtualMax);
  return { virtual: v, physical: physicalFor(space, v) };
}
