// Labels on the spacetime picture are placed in pixels, most important first, each at the first of
// its candidate spots that overlaps nothing placed before it and stays in the frame; a label with no
// free spot is left out (its mark still has a tooltip). So no two labels ever cover each other.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelRequest {
  id: string;
  text: string;
  width: number;
  height: number;
  /** Top-left corners to try, in order of preference. */
  spots: readonly { x: number; y: number }[];
  /** May lie over marks (a page's name matters more than seeing every dot whole); never over another label. */
  overMarks?: boolean;
}

export interface PlacedLabel extends Box {
  id: string;
  text: string;
}

const PAD = 2;

export function overlaps(a: Box, b: Box, pad = PAD): boolean {
  return a.x < b.x + b.width + pad && b.x < a.x + a.width + pad && a.y < b.y + b.height + pad && b.y < a.y + a.height + pad;
}

function inside(a: Box, frame: Box): boolean {
  return a.x >= frame.x && a.y >= frame.y && a.x + a.width <= frame.x + frame.width && a.y + a.height <= frame.y + frame.height;
}

/**
 * Places `requests` in order. `taken` are boxes no label may cover (other text, axes); `marks` are
 * boxes labels avoid unless they may lie over marks.
 */
export function placeLabels(requests: readonly LabelRequest[], frame: Box, taken: readonly Box[] = [], marks: readonly Box[] = []): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const occupied: Box[] = [...taken];
  for (const r of requests) {
    for (const spot of r.spots) {
      const box = { x: spot.x, y: spot.y, width: r.width, height: r.height };
      if (!inside(box, frame) || occupied.some((o) => overlaps(box, o))) continue;
      if (r.overMarks !== true && marks.some((m) => overlaps(box, m))) continue;
      placed.push({ ...box, id: r.id, text: r.text });
      occupied.push(box);
      break;
    }
  }
  return placed;
}

let canvas: CanvasRenderingContext2D | null | undefined;

/** The text's width in pixels in `font` (a CSS font shorthand); an estimate where there is no canvas. */
export function textWidth(text: string, font: string, fontSize: number): number {
  if (canvas === undefined) canvas = typeof document !== "undefined" ? document.createElement("canvas").getContext("2d") : null;
  if (canvas === null) return text.length * fontSize * 0.62;
  canvas.font = font;
  return canvas.measureText(text).width;
}
