// The forest plot of the paper's claims: one panel per claim (their values live on different
// scales: a silhouette, a ratio, a count, a correlation), each with the trained model's value
// and bootstrap interval, the untrained control's beneath it, and the claim's threshold as a
// vertical line. Colour says the verdict.
import type { ClaimIntervals, IntervalMeasurement, Verdict } from "../analysis/claims/intervals";
import { plotlyText } from "../core/html";
import { baseLayout, emptyFigure, type Figure } from "./plots";

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
  /**
   * A warning shown in red under the title, e.g. "measured on a model that does not beat
   * popularity on validation": the claims still get measured, and the reader sees on what.
   */
  modelCaveat?: string;
}

/** Claim names wrap at this many characters; the left margin is sized from the longest line. */
const CLAIM_LINE = 44;
const CLAIM_FONT = 11;
/** Room between the claim names and the panels for the series' tick labels ("untrained", "seed 12"). */
const TICK_ROOM = 72;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Pixel width of a line of claim text (0.62 em a character errs wide, so names are not cut). */
function textWidth(line: string): number {
  return Math.ceil(line.length * CLAIM_FONT * 0.62);
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
    {
      title,
      subtitle: options.subtitle,
      caveat: options.modelCaveat,
      panelHeight: 62,
      where: space === "latent" ? "the latent space" : trained.planeName,
    },
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
      caveat: options.modelCaveat,
      panelHeight: 30 + 22 * perSeed.length,
      where: space === "latent" ? "the latent space" : (first?.planeName ?? "the PCA plane"),
    },
    "dashed: threshold · one marker per seed model",
  );
}

function forest(
  panels: readonly ForestPanel[],
  o: { title: string; subtitle?: string; caveat?: string; panelHeight: number; where: string },
  legend: string,
): Figure {
  if (panels.length === 0)
    return emptyFigure(`No claim has a value in ${o.where}, so there is nothing to plot.`, { title: o.title, subtitle: o.subtitle });
  const n = panels.length;
  const panel = 1 / Math.max(1, n);
  const names = panels.map((r) => wrapWords(`(${r.id}) ${r.claim}`, CLAIM_LINE));
  const lines = Math.max(...names.map((l) => l.length));
  // A panel holds its name's lines; the axis takes 0.74 of it (see the domains below).
  const panelHeight = Math.max(o.panelHeight, Math.ceil((lines * CLAIM_FONT * 1.35) / 0.74) + 4);
  const layout: Record<string, unknown> = {
    ...baseLayout({ title: o.title, subtitle: o.subtitle, height: 110 + panelHeight * n + (o.caveat ? 20 : 0) }),
    showlegend: false,
  };
  const top = (o.subtitle ? 76 : 56) + (o.caveat ? 20 : 0);
  if (o.caveat) {
    const title = layout.title as { text: string };
    layout.title = {
      ...title,
      text: `${title.text}<br><span style="font-size:12px;color:${VERDICT_COLORS["does not hold"]}">⚠ ${plotlyText(o.caveat)}</span>`,
    };
  }
  const longest = Math.max(...names.flat().map(textWidth));
  const margin = { l: TICK_ROOM + longest + 16, r: 24, t: top, b: 40 };
  layout.margin = margin;
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
    const from = 1 - i * panel;
    layout[`xaxis${k === 1 ? "" : k}`] = {
      anchor: `y${k}`,
      range: [lo - pad, hi + pad],
      gridcolor: "#eaeef2",
      zeroline: false,
      tickfont: { size: 10 },
    };
    layout[`yaxis${k === 1 ? "" : k}`] = {
      domain: [Math.max(0, from - panel + 0.22 * panel), from - 0.04 * panel],
      anchor: `x${k}`,
      type: "category",
      categoryarray: r.series.map((s) => s.label),
      tickfont: { size: 11 },
    };
    annotations.push({
      // The whole name, wrapped; the left margin is sized to its longest line.
      text: names[i].map(plotlyText).join("<br>"),
      hovertext: plotlyText(`(${r.id}) ${r.claim}: ${r.rule}`),
      xref: "paper",
      yref: `y${k} domain`,
      x: 0,
      xshift: -TICK_ROOM,
      y: 0.5,
      xanchor: "right",
      yanchor: "middle",
      showarrow: false,
      align: "right",
      font: { size: CLAIM_FONT },
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
      // From the figure's left edge (under the claim names), not the panels': a narrow page cut it off.
      x: 0,
      xanchor: "left",
      xshift: -(margin.l - 16),
      y: -0.02,
      yanchor: "top",
      showarrow: false,
      font: { size: 11, color: "#59636e" },
    },
  ];
  return { data, layout, config: { responsive: true, displaylogo: false } };
}
