// Figures of training and evaluation (notebook 03): the training curves and the test
// metrics of each method under both protocols.
import { type MetricKey, metricLabel } from "../evaluation/metrics";
import type { ResultRow } from "../evaluation/evaluate";
import type { EpochRecord } from "../model/history";
import { methodColor, NO_CONDITION_COLOR, SERIES_COLORS } from "./palette";
import { baseLayout, type Figure, groupedBars } from "./plots";

/** Loss per epoch (left axis) and validation nDCG@100 (right axis), for training curves. */
export function trainingCurves(history: readonly EpochRecord[], options: { title?: string; subtitle?: string } = {}): Figure {
  const epochs = history.map((r) => r.epoch);
  const validated = history.filter((r) => r.validNdcgUnconditioned !== null);
  const traces: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "training loss",
      x: epochs,
      y: history.map((r) => r.loss),
      line: { color: SERIES_COLORS.primary },
      yaxis: "y",
    },
    {
      type: "scatter",
      mode: "lines+markers",
      name: "valid nDCG@100, no condition",
      x: validated.map((r) => r.epoch),
      y: validated.map((r) => r.validNdcgUnconditioned),
      line: { color: NO_CONDITION_COLOR, dash: "dot" },
      yaxis: "y2",
    },
  ];
  const conditioned = validated.filter((r) => r.validNdcgConditioned !== null);
  if (conditioned.length) {
    traces.push({
      type: "scatter",
      mode: "lines+markers",
      name: "valid nDCG@100, condition rows",
      x: conditioned.map((r) => r.epoch),
      y: conditioned.map((r) => r.validNdcgConditioned),
      line: { color: SERIES_COLORS.model },
      yaxis: "y2",
    });
  }
  const layout = baseLayout({
    title: options.title ?? "Training curves",
    subtitle: options.subtitle,
    xTitle: "epoch",
    yTitle: "loss (NLL + beta KL)",
  });
  return {
    data: traces,
    layout: {
      ...layout,
      xaxis: { ...(layout.xaxis as Record<string, unknown>), dtick: 1 },
      // Three decimals and automargin keep the right axis's ticks clear of its title; the legend sits below the axis title.
      yaxis2: {
        title: { text: "validation nDCG@100", standoff: 10 },
        overlaying: "y",
        side: "right",
        showgrid: false,
        tickformat: ".3f",
        automargin: true,
      },
      legend: { orientation: "h", y: -0.32 },
      margin: { l: 64, r: 72, t: options.subtitle ? 76 : 56, b: 110 },
    },
  };
}

/** One metric (default nDCG@100) of every method under both protocols, as grouped bars in each method's colour. */
export function methodComparison(
  rows: readonly ResultRow[],
  options: { metric?: MetricKey; title?: string; subtitle?: string } = {},
): Figure {
  const metric = options.metric ?? "ndcg100";
  const label = metricLabel(metric);
  const methods = [...new Set(rows.map((r) => r.method))];
  // The protocols in table order: unconditioned, then the condition rows ("conditioned (genre rows)", ...).
  const protocols = [...new Set(rows.map((r) => r.protocol))];
  const series = methods.map((method) => ({
    name: method,
    color: methodColor(method),
    values: protocols.map((p) => rows.find((r) => r.method === method && r.protocol === p)?.[metric] ?? NaN),
  }));
  return groupedBars(protocols, series, { title: options.title ?? `Test ${label}`, subtitle: options.subtitle, yTitle: label });
}
