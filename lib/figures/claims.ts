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

/** One claim's panel: its markers (bottom to top in the order given) and its threshold. */
interface ForestPanel {
  id: string;
  claim: string;
  rule: string;
  threshold: number;
  series: { label: string; m: IntervalMeasurement; hollow: boolean }[];
}

/** The claims' values, intervals and thresholds, trained against the untrained control (when given). */
export function claimForest(trained: ClaimIntervals, control: ClaimIntervals | null, options: ForestOptions): Figure {
  const { space } = options;
  const panels = trained.rows
    .filter((r) => Number.isFinite(r[space].value))
    .map((r) => {
      const theirs = control?.rows.find((c) => c.id === r.id)?.[space] ?? null;
      const series = [{ label: "trained", m: r[space], hollow: false }];
      if (theirs) series.unshift({ label: "untrained", m: theirs, hollow: true });
      return { id: r.id, claim: r.claim, rule: r.rule, threshold: r.threshold, series };
    });
  const title = options.title ?? `The paper's claims, ${space === "latent" ? "in the latent space" : `in ${trained.planeName}`}`;
  return forest(
    panels,
    { title, subtitle: options.subtitle, panelHeight: 62 },
    "dashed: threshold · filled: trained, hollow: untrained control",
  );
}

/** The claims of every seed model: one marker per seed (its value and bootstrap interval) in each claim's panel. */
export function claimSeedForest(perSeed: readonly { seed: number; claims: ClaimIntervals }[], options: ForestOptions): Figure {
  const { space } = options;
  const first = perSeed[0]?.claims;
  const panels = (first?.rows ?? [])
    .map((r) => {
      const series = perSeed.flatMap(({ seed, claims }) => {
        const m = claims.rows.find((c) => c.id === r.id)?.[space];
        return m && Number.isFinite(m.value) ? [{ label: `seed ${seed}`, m, hollow: false }] : [];
      });
      return { id: r.id, claim: r.claim, rule: r.rule, threshold: r.threshold, series: series.reverse() };
    })
    .filter((p) => p.series.length > 0);
  const where = space === "latent" ? "in the latent space" : `in ${first?.planeName ?? "the PCA plane"}`;
  return forest(
    panels,
    {
      title: options.title ?? `The paper's claims over ${perSeed.length} training seeds, ${where}`,
      subtitle: options.subtitle,
      panelHeight: 30 + 22 * perSeed.length,
    },
    "dashed: threshold · one marker per seed model",
  );
}

function forest(panels: readonly ForestPanel[], o: { title: string; subtitle?: string; panelHeight: number }, legend: string): Figure {
  const n = panels.length;
  const panel = 1 / Math.max(1, n);
  const layout: Record<string, unknown> = {
    ...baseLayout({ title: o.title, subtitle: o.subtitle, height: 110 + o.panelHeight * n }),
    showlegend: false,
  };
  layout.margin = { l: 360, r: 24, t: o.subtitle ? 76 : 56, b: 40 };
  const data: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  // Claim names as horizontal text in the left margin (rotated axis titles would collide).
  const annotations: Record<string, unknown>[] = [];
  panels.forEach((r, i) => {
    const k = i + 1;
    // Series run bottom to top on the axis; traces go top first (the order of the hover list and the legend groups).
    for (const s of [...r.series].reverse()) data.push(bar(s.m, s.label, k, `(${r.id}) ${s.label}`, s.hollow));
    const xs = [r.threshold, ...r.series.flatMap((s) => [s.m.value, ...s.m.interval])].filter(Number.isFinite);
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
      categoryarray: r.series.map((s) => s.label),
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
      text: `${legend} · green holds, red does not, amber inconclusive`,
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
