// Figures of notebook 06 (context conditions): the genre lift of each context, planted,
// in the data and in the model's lists, as heatmaps stacked on one genre axis; and the
// context centroids' distances in the latent space against the planted ones.
import type { GenreLift } from "../analysis/context-recovery";
import { plotlyText } from "../core/html";
import { baseLayout, type ChartOptions, type Figure } from "./plots";
import { SERIES_COLORS } from "./palette";

/** log2 lift, clipped to +-2 (4x more or less) so one extreme cell does not wash out the scale. */
const LIMIT = 2;

function log2Lift(v: number): number | null {
  return v > 0 && Number.isFinite(v) ? Math.max(-LIMIT, Math.min(LIMIT, Math.log2(v))) : null;
}

/**
 * One heatmap row block per named lift (e.g. planted, data, model), contexts as rows and
 * genres as columns, coloured by log2 of the lift on a diverging scale (white = no lift).
 */
export function liftHeatmaps(panels: readonly { name: string; lift: GenreLift }[], options: ChartOptions): Figure {
  if (panels.length === 0) throw new Error("liftHeatmaps: no lift to draw");
  const genres = panels[0].lift.genres;
  for (const p of panels)
    if (p.lift.genres.join() !== genres.join()) throw new Error(`liftHeatmaps: panel "${p.name}" has other genres than the first`);
  const gap = 0.06;
  const height = (1 - gap * (panels.length - 1)) / panels.length;
  const layout: Record<string, unknown> = {
    ...baseLayout(options),
    height: options.height ?? 220 + 130 * panels.length,
    margin: { l: 150, r: 40, t: options.subtitle ? 76 : 56, b: 120 },
  };
  const data = panels.map((p, i) => {
    const axis = i === 0 ? "" : String(i + 1);
    const top = 1 - i * (height + gap);
    layout[`yaxis${axis}`] = { domain: [top - height, top], autorange: "reversed", automargin: true, title: { text: plotlyText(p.name) } };
    layout[`xaxis${axis}`] = { anchor: `y${axis}`, tickangle: -45, automargin: true, showticklabels: i === panels.length - 1 };
    return {
      type: "heatmap",
      name: plotlyText(p.name),
      x: genres.map(plotlyText),
      y: p.lift.labels.map(plotlyText),
      z: p.lift.lift.map((row) => row.map(log2Lift)),
      customdata: p.lift.lift.map((row) => row.map((v) => (Number.isFinite(v) ? v : null))),
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      zmin: -LIMIT,
      zmax: LIMIT,
      zmid: 0,
      colorscale: [
        [0, "#2166ac"],
        [0.5, "#f7f7f7"],
        [1, "#b2182b"],
      ],
      showscale: i === 0,
      colorbar: { title: { text: "log2 lift" }, len: 0.6 },
      hovertemplate: `${plotlyText(p.name)}: %{y} / %{x}: lift %{customdata:.2f}<extra></extra>`,
    };
  });
  return { data, layout };
}

function padded(values: readonly number[]): [number, number] | undefined {
  if (values.length === 0) return undefined;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max(0.15 * (hi - lo), 0.1);
  return [lo - pad, hi + pad];
}

/** Each pair of contexts: its centroid distance in the latent space against its planted distance. */
export function contextDistanceScatter(
  pairs: readonly { a: string; b: string; latent: number; planted: number }[],
  options: ChartOptions,
): Figure {
  return {
    data: [
      {
        type: "scatter",
        mode: "markers+text",
        x: pairs.map((p) => p.planted),
        y: pairs.map((p) => p.latent),
        text: pairs.map((p) => plotlyText(`${p.a}-${p.b}`)),
        textposition: "top center",
        marker: { color: SERIES_COLORS.model, size: 10 },
        hovertemplate: "%{text}: planted %{x:.2f}, latent %{y:.3f}<extra></extra>",
      },
    ],
    layout: {
      ...baseLayout(options),
      height: options.height ?? 420,
      // Padding on both sides, so the outermost pairs' labels are not cut.
      xaxis: { title: { text: "planted distance" }, zeroline: false, range: padded(pairs.map((p) => p.planted)) },
      yaxis: { title: { text: "centroid distance in the latent space" }, zeroline: false },
    },
  };
}
