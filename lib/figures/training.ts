// Domain figures built on the generic charts of plots.ts: one colour per genre everywhere.
import type { EpochRecord } from "../model/history";
import type { Figure } from "../notebook/display";
import type { GenreCount } from "../data/genres";
import { genreColor } from "./palette";
import { barChart, baseLayout, type ChartOptions } from "./plots";

/** Bars of per-genre counts or shares, in the given order, each in its genre's colour. */
export function genreBars(counts: readonly GenreCount[], options: ChartOptions & { value?: "count" | "share" }): Figure {
  const value = options.value ?? "count";
  switch (value) {
    case "count":
    case "share":
      return barChart(
        counts.map((g) => g.genre),
        counts.map((g) => g[value]),
        { ...options, colors: counts.map((g) => genreColor(g.genre)) },
      );
    default:
      throw new Error(`genreBars: unknown value "${String(value)}"; expected count or share`);
  }
}

/** Loss per epoch (left axis) and validation nDCG@100 (right axis), for training curves. */
export function trainingCurves(history: readonly EpochRecord[], options: { title?: string; subtitle?: string } = {}): Figure {
  const epochs = history.map((r) => r.epoch);
  const validated = history.filter((r) => r.validNdcgUnconditioned !== null);
  const traces: Record<string, unknown>[] = [
    { type: "scatter", mode: "lines+markers", name: "training loss", x: epochs, y: history.map((r) => r.loss), line: { color: "#4c78a8" }, yaxis: "y" },
    { type: "scatter", mode: "lines+markers", name: "valid nDCG@100, no condition", x: validated.map((r) => r.epoch), y: validated.map((r) => r.validNdcgUnconditioned), line: { color: "#000000", dash: "dot" }, yaxis: "y2" },
  ];
  const conditioned = validated.filter((r) => r.validNdcgConditioned !== null);
  if (conditioned.length) {
    traces.push({ type: "scatter", mode: "lines+markers", name: "valid nDCG@100, genre rows", x: conditioned.map((r) => r.epoch), y: conditioned.map((r) => r.validNdcgConditioned), line: { color: "#e45756" }, yaxis: "y2" });
  }
  const layout = baseLayout({ title: options.title ?? "Training curves", subtitle: options.subtitle, xTitle: "epoch", yTitle: "loss (NLL + beta KL)" });
  return {
    data: traces,
    layout: {
      ...layout,
      xaxis: { ...(layout.xaxis as Record<string, unknown>), dtick: 1 },
      yaxis2: { title: { text: "validation nDCG@100" }, overlaying: "y", side: "right", showgrid: false },
      legend: { orientation: "h", y: -0.2 },
      margin: { l: 64, r: 64, t: options.subtitle ? 76 : 56, b: 90 },
    },
  };
}
