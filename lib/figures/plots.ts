// Pure figure builders: data in, Plotly figure spec out. No rendering, no I/O.
// Every data-derived string goes through plotlyText so titles like
// `<img src=x onerror=alert(1)>` display as text.
import { plotlyText } from "../core/html";

/** A Plotly figure: traces, layout and config as plain JSON. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface ChartOptions {
  title: string;
  xTitle?: string;
  yTitle?: string;
  height?: number;
  /** Shown under the title, e.g. "synthetic data". */
  subtitle?: string;
  /** The sentence shown instead of the chart when there is nothing to draw, e.g. "No IMAX movies in this data set." */
  empty?: string;
}

/** What an empty chart says when its caller gave no sentence of its own. */
export const NOTHING_TO_DRAW = "Nothing to draw: there is no data for this chart.";

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
  dash?: "solid" | "dash" | "dot";
}

/** Common layout: readable fonts, white background, title with optional subtitle. */
export function baseLayout(options: ChartOptions): Record<string, unknown> {
  const title = options.subtitle
    ? `${plotlyText(options.title)}<br><span style="font-size:12px;color:#59636e">${plotlyText(options.subtitle)}</span>`
    : plotlyText(options.title);
  return {
    title: { text: title, x: 0.02, xanchor: "left" },
    height: options.height ?? 420,
    margin: { l: 64, r: 24, t: options.subtitle ? 76 : 56, b: 56 },
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13, color: "#1f2328" },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    xaxis: { title: { text: plotlyText(options.xTitle ?? "") }, gridcolor: "#eaeef2", zerolinecolor: "#d0d7de", automargin: true },
    yaxis: { title: { text: plotlyText(options.yTitle ?? "") }, gridcolor: "#eaeef2", zerolinecolor: "#d0d7de", automargin: true },
    legend: { orientation: "v" },
  };
}

/**
 * A chart with nothing to draw, as a sentence: the title stays (so the reader knows which
 * chart), the axes go (an empty axis from -1 to 4 reads as a broken figure), and the
 * sentence sits in the middle. The sentence is also in `layout.meta.empty`, so text
 * renderings (figureText) and tests can tell an empty chart from a drawn one.
 */
export function emptyFigure(sentence: string, options: Omit<ChartOptions, "empty">): Figure {
  const layout = baseLayout({ ...options, height: options.height ?? (options.subtitle ? 190 : 170) });
  return {
    data: [],
    layout: {
      ...layout,
      xaxis: { visible: false },
      yaxis: { visible: false },
      margin: { l: 24, r: 24, t: options.subtitle ? 76 : 56, b: 24 },
      annotations: [
        {
          text: plotlyText(sentence),
          xref: "paper",
          yref: "paper",
          x: 0.5,
          y: 0.5,
          xanchor: "center",
          yanchor: "middle",
          showarrow: false,
          font: { size: 15, color: "#59636e" },
        },
      ],
      meta: { empty: sentence },
    },
    // Zoom and pan have nothing to act on.
    config: { displayModeBar: false },
  };
}

/** Vertical bars, one per label, in the given order. */
export function barChart(
  labels: readonly string[],
  values: readonly number[],
  options: ChartOptions & { colors?: readonly string[]; text?: readonly string[] },
): Figure {
  if (labels.length !== values.length) throw new Error(`barChart: ${labels.length} labels but ${values.length} values`);
  if (labels.length === 0) return emptyFigure(options.empty ?? NOTHING_TO_DRAW, options);
  return {
    data: [
      {
        type: "bar",
        x: labels.map(plotlyText),
        y: [...values],
        marker: { color: options.colors ? [...options.colors] : "#4c78a8" },
        text: options.text ? options.text.map(plotlyText) : undefined,
        textposition: options.text ? "outside" : undefined,
        hovertemplate: "%{x}: %{y}<extra></extra>",
      },
    ],
    layout: { ...withCategoryX(baseLayout(options)), showlegend: false },
  };
}

// Bar labels are categories even when they look like numbers ("0.5", "4-7").
function withCategoryX(layout: Record<string, unknown>): Record<string, unknown> {
  return { ...layout, xaxis: { ...(layout.xaxis as Record<string, unknown>), type: "category" } };
}

/** Lines, one per series. */
export function lineChart(series: readonly Series[], options: ChartOptions): Figure {
  if (series.every((s) => s.x.length === 0)) return emptyFigure(options.empty ?? NOTHING_TO_DRAW, options);
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: "lines",
      name: plotlyText(s.name),
      x: [...s.x],
      y: [...s.y],
      line: { color: s.color, dash: s.dash ?? "solid", width: 2 },
    })),
    layout: baseLayout(options),
  };
}

export interface ScatterGroup {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  /** One hover line per point (escaped here). */
  hover?: readonly string[];
  size?: number;
}

/** Markers, one trace per group (so the legend toggles groups). */
export function scatterChart(groups: readonly ScatterGroup[], options: ChartOptions): Figure {
  if (groups.every((g) => g.x.length === 0)) return emptyFigure(options.empty ?? NOTHING_TO_DRAW, options);
  return {
    data: groups.map((g) => ({
      type: "scatter",
      mode: "markers",
      name: plotlyText(g.name),
      x: [...g.x],
      y: [...g.y],
      text: g.hover ? g.hover.map(plotlyText) : undefined,
      hovertemplate: g.hover ? "%{text}<extra></extra>" : undefined,
      marker: { color: g.color, size: g.size ?? 6, opacity: 0.75 },
    })),
    layout: baseLayout(options),
  };
}

/** A heatmap of a square or rectangular matrix with labelled rows and columns. */
export function heatmap(
  rowLabels: readonly string[],
  colLabels: readonly string[],
  z: readonly (readonly number[])[],
  options: ChartOptions & { colorbarTitle?: string; zmin?: number; zmax?: number; digits?: number; hideDiagonal?: boolean },
): Figure {
  if (z.length !== rowLabels.length || z.some((row) => row.length !== colLabels.length)) {
    throw new Error(`heatmap: matrix is ${z.length}x${z[0]?.length ?? 0}, labels ${rowLabels.length}x${colLabels.length}`);
  }
  if (rowLabels.length === 0 || colLabels.length === 0) return emptyFigure(options.empty ?? NOTHING_TO_DRAW, options);
  const digits = options.digits ?? 2;
  return {
    data: [
      {
        type: "heatmap",
        x: colLabels.map(plotlyText),
        y: rowLabels.map(plotlyText),
        // A blank diagonal keeps self-similarity (always 1) from flattening the scale.
        z: z.map((row, i) => row.map((v, j) => (options.hideDiagonal && i === j ? null : v))),
        zmin: options.zmin,
        zmax: options.zmax,
        colorscale: [
          [0, "#f7fbff"],
          [0.5, "#6baed6"],
          [1, "#08306b"],
        ],
        colorbar: { title: { text: plotlyText(options.colorbarTitle ?? "") } },
        hovertemplate: `%{y} / %{x}: %{z:.${digits}f}<extra></extra>`,
      },
    ],
    layout: {
      ...baseLayout(options),
      height: options.height ?? 640,
      margin: { l: 130, r: 40, t: options.subtitle ? 76 : 56, b: 130 },
      xaxis: { tickangle: -45, automargin: true },
      yaxis: { autorange: "reversed", automargin: true },
    },
  };
}

/** Bars grouped by category, one colour per series (e.g. methods across protocols). */
export function groupedBars(
  categories: readonly string[],
  series: readonly { name: string; values: readonly number[]; color?: string }[],
  options: ChartOptions,
): Figure {
  for (const s of series)
    if (s.values.length !== categories.length)
      throw new Error(`groupedBars: series "${s.name}" has ${s.values.length} values for ${categories.length} categories`);
  if (categories.length === 0 || series.length === 0) return emptyFigure(options.empty ?? NOTHING_TO_DRAW, options);
  return {
    data: series.map((s) => ({
      type: "bar",
      name: plotlyText(s.name),
      x: categories.map(plotlyText),
      y: [...s.values],
      marker: { color: s.color },
      text: s.values.map((v) => v.toFixed(3)),
      textposition: "outside",
      hovertemplate: `${plotlyText(s.name)}, %{x}: %{y:.4f}<extra></extra>`,
    })),
    layout: { ...withCategoryX(baseLayout(options)), barmode: "group" },
  };
}
