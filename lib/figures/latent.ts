// Figures of the latent space (pure: data in, Plotly spec out). One colour per genre as
// everywhere (palette.ts), unconditioned users in black as in the paper, genre centroids
// labelled, and hover text naming the user, the condition and the user's top genres.
import type { Figure } from "./plots";
import { plotlyText } from "../core/html";
import { NO_GENRES } from "../data/schema";
import { conditionLabel, type LatentSet, NO_CONDITION } from "../analysis/latent";
import { genreColor, NO_CONDITION_COLOR, SERIES_COLORS } from "./palette";
import { heightForLabels, pointLabels } from "./labels";
import { baseLayout, emptyFigure, groupedBars } from "./plots";

/** Scores of the latent rows on the kept components (LatentPca.transform of all rows). */
export interface Projection {
  scores: Float64Array;
  components: number;
  /** Explained variance share per component, for axis titles. */
  explained: number[];
}

export interface LatentFigureOptions {
  title: string;
  subtitle?: string;
  /** Latent rows to draw (a sample of users; every row when omitted). */
  rows?: ArrayLike<number>;
  /** Conditions left out (e.g. "(no genres listed)"). */
  exclude?: readonly string[];
  /** Top genres of each sampled user (by user index), for hover text. */
  userGenres?: readonly (readonly string[])[];
  height?: number;
}

interface Centroid {
  label: string;
  x: number;
  y: number;
}

const LABEL_FONT = 11;
/**
 * Plot-area width the centroid labels are placed for. Narrower than a notebook's or a report's
 * plot (~700-950 px beside the legend): labels placed to fit 600 px fit any wider plot.
 */
const NOMINAL_PLOT_WIDTH = 600;
const SCATTER_MARGIN = { l: 72, r: 24, b: 64 };

/** Three decimals are plenty on screen and keep the report pages small. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function colorOf(condition: string): string {
  return condition === NO_CONDITION ? NO_CONDITION_COLOR : genreColor(condition);
}

/** "PC1 (11.6 %)": the 3-D scene has little room for titles. */
function shortAxisTitle(p: Projection, pc: number): string {
  const share = p.explained[pc - 1];
  return `PC${pc}${share === undefined ? "" : ` (${(100 * share).toFixed(1)} %)`}`;
}

function axisTitle(p: Projection, pc: number): string {
  const share = p.explained[pc - 1];
  return `PC${pc}${share === undefined ? "" : ` (${(100 * share).toFixed(1)} % of variance)`}`;
}

/** Rows grouped by condition label, in the order: no condition first, then each condition. */
function groups(set: LatentSet, options: LatentFigureOptions): Map<string, number[]> {
  const rows = options.rows ?? Int32Array.from({ length: set.rows }, (_, r) => r);
  const exclude = options.exclude ?? [];
  const out = new Map<string, number[]>([[NO_CONDITION, []], ...set.conditions.map((g) => [g, []] as [string, number[]])]);
  for (let k = 0; k < rows.length; k++) {
    const label = conditionLabel(set, rows[k]);
    if (!exclude.includes(label)) out.get(label)?.push(rows[k]);
  }
  for (const [label, rs] of out) if (rs.length === 0) out.delete(label);
  return out;
}

function hover(set: LatentSet, row: number, options: LatentFigureOptions): string {
  const u = set.userOf[row];
  const top = options.userGenres?.[u];
  return plotlyText(`user ${set.userIds[u]} · ${conditionLabel(set, row)}${top ? ` · watches ${top.join(", ")}` : ""}`);
}

/** Centroid (mean score) per condition on two components, over all rows (not just the sample). */
function centroids(set: LatentSet, p: Projection, pcX: number, pcY: number, exclude: readonly string[]): Centroid[] {
  const sums = new Map<string, [number, number, number]>();
  for (let r = 0; r < set.rows; r++) {
    const label = conditionLabel(set, r);
    if (exclude.includes(label)) continue;
    const s = sums.get(label) ?? [0, 0, 0];
    s[0] += p.scores[r * p.components + pcX - 1];
    s[1] += p.scores[r * p.components + pcY - 1];
    s[2]++;
    sums.set(label, s);
  }
  return [...sums].map(([label, [x, y, n]]) => ({ label, x: x / n, y: y / n }));
}

function centroidTrace(cs: readonly Centroid[]): Record<string, unknown> {
  return {
    type: "scatter",
    mode: "markers",
    name: "centroids",
    x: cs.map((c) => c.x),
    y: cs.map((c) => c.y),
    text: cs.map((c) => plotlyText(c.label)),
    marker: { size: 11, symbol: "diamond", color: cs.map((c) => colorOf(c.label)), line: { color: "#ffffff", width: 1.5 } },
    hovertemplate: "centroid of %{text}<extra></extra>",
  };
}

/** The scatter's traces, axis ranges, centroid labels (annotations with leader lines) and height. */
function scatterParts(set: LatentSet, p: Projection, pcX: number, pcY: number, options: LatentFigureOptions) {
  for (const pc of [pcX, pcY]) {
    if (!(Number.isInteger(pc) && pc >= 1 && pc <= p.components))
      throw new RangeError(`latentScatter: PC${pc} is outside PC1..PC${p.components} of this projection`);
  }
  const data: Record<string, unknown>[] = [];
  for (const [label, rows] of groups(set, options)) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: plotlyText(label),
      x: rows.map((r) => round(p.scores[r * p.components + pcX - 1])),
      y: rows.map((r) => round(p.scores[r * p.components + pcY - 1])),
      text: rows.map((r) => hover(set, r, options)),
      hovertemplate: "%{text}<extra></extra>",
      marker: { color: colorOf(label), size: label === NO_CONDITION ? 5 : 4, opacity: label === NO_CONDITION ? 0.8 : 0.45 },
    });
  }
  const cs = centroids(set, p, pcX, pcY, options.exclude ?? []);
  data.push(centroidTrace(cs));
  const top = options.subtitle ? 76 : 56;
  const wanted = options.height ?? 640;
  const height = Math.max(wanted, top + SCATTER_MARGIN.b + heightForLabels(cs.length, LABEL_FONT));
  const labels = centroidLabels(cs, data, { width: NOMINAL_PLOT_WIDTH, height: height - top - SCATTER_MARGIN.b });
  return { data, ...labels, height, margin: { ...SCATTER_MARGIN, t: top } };
}

/** Non-overlapping labels for the centroids, placed on the whole scatter's ranges. */
function centroidLabels(cs: readonly Centroid[], traces: readonly Record<string, unknown>[], frame: { width: number; height: number }) {
  const values = (key: "x" | "y") => traces.flatMap((t) => t[key] as number[]);
  const points = cs.map((c) => ({ text: c.label, x: c.x, y: c.y, color: colorOf(c.label) }));
  const { annotations, xRange, yRange } = pointLabels(points, { xs: values("x"), ys: values("y") }, frame, { fontSize: LABEL_FONT });
  return { annotations, xRange, yRange };
}

/** Users' latents on PCx against PCy, one trace per condition, with labelled centroids. */
export function latentScatter(set: LatentSet, p: Projection, pcX: number, pcY: number, options: LatentFigureOptions): Figure {
  const parts = scatterParts(set, p, pcX, pcY, options);
  if (parts.data.length === 1) return emptyFigure("No latent rows to draw: every condition is excluded.", options);
  const layout = baseLayout({
    title: options.title,
    subtitle: options.subtitle,
    xTitle: axisTitle(p, pcX),
    yTitle: axisTitle(p, pcY),
    height: parts.height,
  });
  return {
    data: parts.data,
    layout: {
      ...layout,
      // Fixed ranges and margins: the labels' vertical slots are computed in pixels of this plot area.
      margin: parts.margin,
      xaxis: { ...(layout.xaxis as Record<string, unknown>), range: parts.xRange, automargin: false },
      yaxis: { ...(layout.yaxis as Record<string, unknown>), range: parts.yRange, automargin: false },
      annotations: parts.annotations,
      legend: { itemsizing: "constant", font: { size: 11 } },
      hovermode: "closest",
    },
  };
}

/** The same scatter with a dropdown to pick the pair of components. */
export function pcPairExplorer(set: LatentSet, p: Projection, options: LatentFigureOptions): Figure {
  const pairs: [number, number][] = [];
  for (let a = 1; a <= p.components; a++) for (let b = a + 1; b <= p.components; b++) pairs.push([a, b]);
  if (pairs.length === 0)
    throw new RangeError(`pcPairExplorer: a projection with ${p.components} component has no pair to show; keep at least 2`);
  const first = latentScatter(set, p, pairs[0][0], pairs[0][1], options);
  const buttons = pairs.map(([a, b]) => {
    const parts = scatterParts(set, p, a, b, options);
    return {
      label: `PC${a} × PC${b}`,
      method: "update",
      args: [
        { x: parts.data.map((t) => t.x), y: parts.data.map((t) => t.y) },
        {
          "xaxis.title.text": axisTitle(p, a),
          "yaxis.title.text": axisTitle(p, b),
          "xaxis.range": parts.xRange,
          "yaxis.range": parts.yRange,
          annotations: parts.annotations,
        },
      ],
    };
  });
  return {
    data: first.data,
    layout: {
      ...first.layout,
      // Just above the plot, inside the top margin: a menu that pushed the margin would shift the
      // plot area the labels were placed for.
      updatemenus: [{ type: "dropdown", buttons, x: 1, xanchor: "right", y: 1.01, yanchor: "bottom", showactive: true }],
    },
  };
}

/** Every pair of the first `n` components in a lower-triangle grid (SVG, no WebGL). */
export function scatterMatrix(set: LatentSet, p: Projection, options: LatentFigureOptions & { n?: number }): Figure {
  const n = Math.min(options.n ?? 5, p.components);
  const gap = 0.02;
  const size = (1 - gap * (n - 2)) / (n - 1);
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    ...baseLayout({ title: options.title, subtitle: options.subtitle, height: options.height ?? 900 }),
    hovermode: "closest",
    legend: { itemsizing: "constant", font: { size: 11 } },
  };
  let axis = 0;
  const grouped = [...groups(set, options)];
  for (let row = 2; row <= n; row++) {
    for (let col = 1; col < row; col++) {
      axis++;
      const xa = `x${axis === 1 ? "" : axis}`;
      const ya = `y${axis === 1 ? "" : axis}`;
      const x0 = (col - 1) * (size + gap);
      const y0 = 1 - (row - 2) * (size + gap);
      layout[`xaxis${axis === 1 ? "" : axis}`] = {
        domain: [x0, x0 + size],
        anchor: ya,
        showticklabels: row === n,
        title: row === n ? { text: `PC${col}` } : undefined,
        zeroline: false,
        gridcolor: "#eaeef2",
      };
      layout[`yaxis${axis === 1 ? "" : axis}`] = {
        domain: [y0 - size, y0],
        anchor: xa,
        showticklabels: col === 1,
        title: col === 1 ? { text: `PC${row}` } : undefined,
        zeroline: false,
        gridcolor: "#eaeef2",
      };
      for (const [label, rows] of grouped) {
        data.push({
          type: "scatter",
          mode: "markers",
          name: plotlyText(label),
          legendgroup: label,
          showlegend: axis === 1,
          xaxis: xa,
          yaxis: ya,
          x: rows.map((r) => round(p.scores[r * p.components + col - 1])),
          y: rows.map((r) => round(p.scores[r * p.components + row - 1])),
          // Per-point hover text would repeat in all ten panels; the condition is enough here.
          hovertemplate: `${plotlyText(label)}<extra></extra>`,
          marker: { color: colorOf(label), size: 3, opacity: label === NO_CONDITION ? 0.8 : 0.4 },
        });
      }
    }
  }
  return { data, layout };
}

/** PC1-PC3 in 3-D (WebGL), centroids labelled. */
export function latent3d(set: LatentSet, p: Projection, options: LatentFigureOptions): Figure {
  const data: Record<string, unknown>[] = [];
  const at = (r: number, c: number) => p.scores[r * p.components + c];
  for (const [label, rows] of groups(set, options)) {
    data.push({
      type: "scatter3d",
      mode: "markers",
      name: plotlyText(label),
      x: rows.map((r) => round(at(r, 0))),
      y: rows.map((r) => round(at(r, 1))),
      z: rows.map((r) => round(at(r, 2))),
      text: rows.map((r) => hover(set, r, options)),
      hovertemplate: "%{text}<extra></extra>",
      marker: { color: colorOf(label), size: 2, opacity: label === NO_CONDITION ? 0.9 : 0.5 },
    });
  }
  const layout = baseLayout({ title: options.title, subtitle: options.subtitle, height: options.height ?? 720 });
  return {
    data,
    layout: {
      ...layout,
      legend: { itemsizing: "constant", font: { size: 11 } },
      // Short axis titles and a camera a little further out, so the titles fit inside the scene.
      scene: {
        xaxis: { title: { text: shortAxisTitle(p, 1), font: { size: 12 } } },
        yaxis: { title: { text: shortAxisTitle(p, 2), font: { size: 12 } } },
        zaxis: { title: { text: shortAxisTitle(p, 3), font: { size: 12 } } },
        camera: { eye: { x: 1.6, y: 1.6, z: 1.1 } },
      },
    },
  };
}

/** Scores of every latent row on the components of `pca`. */
export function projection(
  pca: { transform(data: Float32Array): Float64Array; components: number; explained: number[] },
  set: LatentSet,
): Projection {
  return { scores: pca.transform(set.z), components: pca.components, explained: pca.explained };
}

/** Explained variance share of the kept components of the two PCAs of the study (all conditions; without the neutral genre). */
export function explainedVariance(
  pcas: { all: { explained: number[] }; plane: { explained: number[] } },
  options: { subtitle?: string } = {},
): Figure {
  const pcs = pcas.all.explained.map((_, k) => `PC${k + 1}`);
  return groupedBars(
    pcs,
    [
      { name: "all conditions", values: pcas.all.explained, color: SERIES_COLORS.primary },
      { name: `without ${NO_GENRES}`, values: pcas.plane.explained.slice(0, pcs.length), color: SERIES_COLORS.secondary },
    ],
    {
      title: `Explained variance of the first ${pcs.length === 5 ? "five" : pcs.length} components`,
      subtitle: options.subtitle,
      yTitle: "share of variance",
    },
  );
}
