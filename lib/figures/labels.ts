// Deterministic placement of point labels that never overlap, with leader lines back to the
// points (the centroids of Figure 2 sit within a few pixels of each other on real data, so
// labels drawn at the points pile into one clump).
//
// Work in the plot area's pixels (origin top left, y down). Labels go into two columns: those
// of points left of the median go to the left of their points, the others to the right, so
// no left label can reach a right one. Within a side, labels get disjoint vertical slots (a
// 1-D de-overlap that keeps their top-to-bottom order), so no two boxes overlap whatever the
// figure's real width turns out to be: only the height of the plot area must be known, and
// the figures that use this fix it.
import { plotlyText } from "../core/html";

/** A point to label, in plot-area pixels. */
export interface LabelAnchor {
  text: string;
  x: number;
  y: number;
}

/** Where a label went: its box (pixels), the end of its leader line on the box, and its side. */
export interface PlacedLabel {
  text: string;
  anchor: { x: number; y: number };
  side: "left" | "right";
  /** Where the leader line meets the box: the middle of its inner edge. */
  tail: { x: number; y: number };
  box: { x0: number; x1: number; y0: number; y1: number };
}

export interface LabelStyle {
  fontSize: number;
  /** Horizontal pixels between a point (or the outermost point of a run of labels) and its label. */
  gap?: number;
}

/** Inner padding and border of a label box, as drawn (annotation borderpad 2, borderwidth 1). */
export const LABEL_PAD = 3;

/**
 * Estimated box of a label. Average glyph width of a sans-serif font is ~0.55 em; 0.62 em
 * errs on the wide side, so an estimate that is off makes gaps, not overlaps.
 */
export function labelSize(text: string, fontSize: number): { width: number; height: number } {
  return { width: Math.ceil(text.length * fontSize * 0.62) + 2 * LABEL_PAD, height: Math.ceil(fontSize * 1.3) + 2 * LABEL_PAD };
}

/** Vertical pixels one label needs, spacing included. */
export function labelSlot(fontSize: number): number {
  return labelSize("", fontSize).height + 2;
}

/** The plot-area height that `n` labels need (the larger side's column must fit). */
export function heightForLabels(n: number, fontSize: number): number {
  return Math.ceil(n / 2) * labelSlot(fontSize);
}

export function boxesOverlap(a: PlacedLabel["box"], b: PlacedLabel["box"]): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * Slot centres for desired centres `want` (sorted ascending): disjoint, in order, inside
 * [0, height]; and the run (cluster of labels pushed against each other) each belongs to.
 */
function spread(want: readonly number[], slot: number, height: number): { centre: number; run: number }[] {
  // Runs of consecutive labels packed together, each centred on its members' mean wish.
  let runs = want.map((w, i) => ({ first: i, count: 1, sum: w }));
  const top = (c: { count: number; sum: number }) => {
    const t = c.sum / c.count - (c.count * slot) / 2;
    return Math.min(Math.max(0, t), height - c.count * slot);
  };
  for (let merged = true; merged;) {
    merged = false;
    const next: typeof runs = [];
    for (const c of runs) {
      const prev = next[next.length - 1];
      if (prev && top(prev) + prev.count * slot > top(c)) {
        next[next.length - 1] = { first: prev.first, count: prev.count + c.count, sum: prev.sum + c.sum };
        merged = true;
      } else next.push(c);
    }
    runs = next;
  }
  return runs.flatMap((c, run) => Array.from({ length: c.count }, (_, k) => ({ centre: top(c) + (k + 0.5) * slot, run })));
}

/**
 * Places one label per anchor inside a `frame` (plot-area pixels) so that no two label boxes
 * overlap and every box lies inside the frame vertically (throws a RangeError when the frame
 * is too low for the labels: size it with heightForLabels). Horizontally, a box may reach past
 * the frame when its point is near the edge; `overflow` says by how many pixels on each side
 * (callers widen the axis range by it).
 */
export function placeLabels(
  anchors: readonly LabelAnchor[],
  frame: { width: number; height: number },
  style: LabelStyle,
): { labels: PlacedLabel[]; overflow: { left: number; right: number } } {
  const slot = labelSlot(style.fontSize);
  const gap = style.gap ?? 12;
  // Ties broken by text, so the same input always gives the same picture.
  const byX = anchors.map((_, i) => i).sort((i, j) => anchors[i].x - anchors[j].x || anchors[i].text.localeCompare(anchors[j].text));
  const side = new Array<"left" | "right">(anchors.length);
  // The left half by rank (so points at one x still split); a single label goes right.
  byX.forEach((i, rank) => (side[i] = rank < Math.floor(anchors.length / 2) ? "left" : "right"));
  const labels = new Array<PlacedLabel>(anchors.length);
  const overflow = { left: 0, right: 0 };
  for (const s of ["left", "right"] as const) {
    const members = byX
      .filter((i) => side[i] === s)
      .sort((i, j) => anchors[i].y - anchors[j].y || anchors[i].x - anchors[j].x || anchors[i].text.localeCompare(anchors[j].text));
    if (members.length * slot > frame.height)
      throw new RangeError(`placeLabels: ${members.length} labels need ${members.length * slot} px; the plot is ${frame.height} px high`);
    const slots = spread(
      members.map((i) => anchors[i].y),
      slot,
      frame.height,
    );
    // A run's labels line up in one column just past its outermost point, so the leader
    // lines fan out from the points instead of crossing the labels.
    const edge = new Map<number, number>();
    members.forEach((i, k) => {
      const e = edge.get(slots[k].run);
      edge.set(slots[k].run, e === undefined ? anchors[i].x : s === "right" ? Math.max(e, anchors[i].x) : Math.min(e, anchors[i].x));
    });
    members.forEach((i, k) => {
      const a = anchors[i];
      const { width, height } = labelSize(a.text, style.fontSize);
      const y = slots[k].centre;
      const tailX = (edge.get(slots[k].run) as number) + (s === "right" ? gap : -gap);
      const [x0, x1] = s === "right" ? [tailX, tailX + width] : [tailX - width, tailX];
      overflow.right = Math.max(overflow.right, x1 - frame.width);
      overflow.left = Math.max(overflow.left, -x0);
      labels[i] = {
        text: a.text,
        anchor: { x: a.x, y: a.y },
        side: s,
        tail: { x: tailX, y },
        box: { x0, x1, y0: y - height / 2, y1: y + height / 2 },
      };
    });
  }
  return { labels, overflow };
}

/** A point to label in data coordinates, with the colour of its leader line and border. */
export interface LabelledPoint {
  text: string;
  x: number;
  y: number;
  color: string;
}

/** min and max of finite values, padded by `pad` of the span on each side (a unit span when flat). */
function paddedRange(values: readonly number[], pad: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo > hi) return [-1, 1];
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - pad * span, hi + pad * span];
}

/**
 * Plotly annotations labelling `points` without overlaps, with leader lines, and the axis ranges
 * they were placed for (the figure must use these ranges, its plot area must be `frame.height`
 * pixels high, and at least `frame.width` wide). `xs` and `ys` are every other drawn value,
 * so the ranges hold the whole scatter. The x range widens until labels near the edges fit.
 */
export function pointLabels(
  points: readonly LabelledPoint[],
  drawn: { xs: readonly number[]; ys: readonly number[] },
  frame: { width: number; height: number },
  style: LabelStyle,
): { annotations: Record<string, unknown>[]; xRange: [number, number]; yRange: [number, number]; placed: PlacedLabel[] } {
  const yRange = paddedRange([...drawn.ys, ...points.map((p) => p.y)], 0.04);
  let xRange = paddedRange([...drawn.xs, ...points.map((p) => p.x)], 0.04);
  const place = () => {
    const [x0, x1] = xRange;
    const [y0, y1] = yRange;
    const anchors = points.map((p) => ({
      text: p.text,
      x: ((p.x - x0) / (x1 - x0)) * frame.width,
      y: (1 - (p.y - y0) / (y1 - y0)) * frame.height,
    }));
    return placeLabels(anchors, frame, style);
  };
  let placed = place();
  // Widening moves the points inwards, so a few rounds settle it (each widens by a quarter more than the miss).
  for (let round = 0; round < 100 && (placed.overflow.left > 0 || placed.overflow.right > 0); round++) {
    const perPixel = (xRange[1] - xRange[0]) / frame.width;
    xRange = [xRange[0] - 1.25 * perPixel * placed.overflow.left, xRange[1] + 1.25 * perPixel * placed.overflow.right];
    placed = place();
  }
  const [x0, x1] = xRange;
  const annotations = placed.labels.map((l, i) => ({
    x: points[i].x,
    y: points[i].y,
    xref: "x",
    yref: "y",
    text: plotlyText(l.text),
    showarrow: true,
    // The tail's x in data units (it keeps its place in the column at any figure width), its
    // y in pixels from the point (the plot's height is fixed, so the vertical slots hold).
    axref: "x",
    ax: x0 + (l.tail.x / frame.width) * (x1 - x0),
    ayref: "pixel",
    ay: l.tail.y - l.anchor.y,
    xanchor: l.side === "right" ? "left" : "right",
    yanchor: "middle",
    arrowhead: 0,
    arrowwidth: 1,
    arrowcolor: points[i].color,
    standoff: 4,
    font: { size: style.fontSize, color: "#1f2328" },
    bgcolor: "rgba(255,255,255,0.88)",
    bordercolor: points[i].color,
    borderwidth: 1,
    borderpad: LABEL_PAD - 1,
  }));
  return { annotations, xRange, yRange, placed: placed.labels };
}
