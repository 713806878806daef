// The forest plot of the paper's claims: one panel per claim (their values live on different
// scales: a silhouette, a ratio, a count, a correlation), each with the trained model's value
// and bootstrap interval, the untrained control's beneath it, and the claim's threshold as a
// vertical line. Colour says the verdict.
import type { ClaimIntervals, IntervalMeasurement, Verdict } from "../analysis/claim-intervals";
import { plotlyText } from "../core/html";
import { baseLayout, type Figure } from "./plots";

export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = {
  holds: "#1a7f37",
  "does not hold": "#cf222e",
  inconclusive: "#bf8700",
  "not applicable": "#8c959f",
};

export interface ForestOptions {
  /** Which measurement: the full latent space or the plotted PCA plane. */
  space: "latent" | "plane";
  title?: string;
  subtitle?: string;
}

/** Value and interval as one horizontal error bar at row `y` of panel `k` (1-based axes). */
function bar(m: IntervalMeasurement, y: string, k: number, name: string, hollow: boolean): Record<string, unknown> {
  const [lo, hi] = m.interval;
  const finite = Number.isFinite(lo) && Number.isFinite(hi);
  return {
    type: "scatter",
    mode: "markers",
    name,
    legendgroup: name,
    showlegend: false,
    x: [m.value],
    y: [y],
    xaxis: `x${k}`,
    yaxis: `y${k}`,
    marker: { size: 10, symbol: hollow ? "circle-open" : "circle", color: VERDICT_COLORS[m.verdict], line: { width: 2 } },
    error_x: finite
      ? { type: "data", symmetric: false, array: [hi - m.value], arrayminus: [m.value - lo], thickness: 2, width: 6 }
      : undefined,
    hovertemplate:
      `${plotlyText(name)}: %{x:.4g}<br>${finite ? `interval [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]<br>` : ""}` +
      `${m.verdict}<extra></extra>`,
  };
}

/** The claims' values, intervals and thresholds, trained against the untrained control (when given). */
export function claimForest(trained: ClaimIntervals, control: ClaimIntervals | null, options: ForestOptions): Figure {
  const { space } = options;
  const rows = trained.rows.filter((r) => Number.isFinite(r[space].value));
  const n = rows.length;
  const panel = 1 / Math.max(1, n);
  const layout: Record<string, unknown> = {
    ...baseLayout({
      title: options.title ?? `The paper's claims, ${space === "latent" ? "in the latent space" : `in ${trained.planeName}`}`,
      subtitle: options.subtitle,
      height: 110 + 62 * n,
    }),
    showlegend: false,
  };
  layout.margin = { l: 360, r: 24, t: options.subtitle ? 76 : 56, b: 40 };
  const data: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  // Claim names as horizontal text in the left margin (rotated axis titles would collide).
  const annotations: Record<string, unknown>[] = [];
  rows.forEach((r, i) => {
    const k = i + 1;
    const ours = r[space];
    const theirs = control?.rows.find((c) => c.id === r.id)?.[space] ?? null;
    const labels = theirs ? ["untrained", "trained"] : ["trained"];
    data.push(bar(ours, "trained", k, `(${r.id}) trained`, false));
    if (theirs) data.push(bar(theirs, "untrained", k, `(${r.id}) untrained`, true));
    const xs = [r.threshold, ours.value, ...ours.interval, ...(theirs ? [theirs.value, ...theirs.interval] : [])].filter(Number.isFinite);
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.15;
    const top = 1 - i * panel;
    layout[`xaxis${k === 1 ? "" : k}`] = {
      anchor: `y${k}`,
      range: [lo - pad, hi + pad],
      gridcolor: "#eaeef2",
      zeroline: false,
      tickfont: { size: 10 },
    };
    layout[`yaxis${k === 1 ? "" : k}`] = {
      domain: [Math.max(0, top - panel + 0.22 * panel), top - 0.04 * panel],
      anchor: `x${k}`,
      type: "category",
      categoryarray: labels,
      tickfont: { size: 11 },
    };
    annotations.push({
      text: plotlyText(`(${r.id}) ${r.claim.length > 42 ? `${r.claim.slice(0, 41)}…` : r.claim}`),
      hovertext: plotlyText(`(${r.id}) ${r.claim}: ${r.rule}`),
      xref: "paper",
      yref: `y${k} domain`,
      x: 0,
      xshift: -72,
      y: 0.5,
      xanchor: "right",
      yanchor: "middle",
      showarrow: false,
      font: { size: 11 },
    });
    shapes.push({
      type: "line",
      xref: `x${k}`,
      yref: `y${k} domain`,
      x0: r.threshold,
      x1: r.threshold,
      y0: 0,
      y1: 1,
      line: { color: "#57606a", width: 1.5, dash: "dash" },
    });
  });
  layout.shapes = shapes;
  layout.annotations = [
    ...annotations,
    {
      text: "dashed: threshold · filled: trained, hollow: untrained control · green holds, red does not, amber inconclusive",
      xref: "paper",
      yref: "paper",
      x: 0,
      y: -0.02,
      yanchor: "top",
      showarrow: false,
      font: { size: 11, color: "#59636e" },
    },
  ];
  return { data, layout, config: { responsive: true, displaylogo: false } };
}
