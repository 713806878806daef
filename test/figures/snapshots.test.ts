// Snapshot tests of the figure specs (in the Observable Plot manner): seeded data in, the
// Plotly spec compared with the JSON stored in test/figures/snapshots/. A change to a
// figure shows up as a diff of that file; after checking the new figure renders as it
// should, rewrite the snapshots with `UPDATE_SNAPSHOTS=1 npm run test:unit`.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ResultRow } from "../../lib/evaluation/evaluate";
import { type MetricValues, metricValues } from "../../lib/evaluation/metrics";
import type { LatentSet } from "../../lib/analysis/latent";
import type { ProfileCard } from "../../lib/analysis/profile";
import { Rng } from "../../lib/core/rng";
import type { GenreCount } from "../../lib/data/conditions/genres";
import type { EpochRecord } from "../../lib/model/history";
import { binnedBars, genreBars, starHistogram } from "../../lib/figures/data";
import { explainedVariance, latent3d, latentScatter, pcPairExplorer, type Projection, scatterMatrix } from "../../lib/figures/latent";
import { heatmap, lineChart, type Figure } from "../../lib/figures/plots";
import { seriousAxisScatter, watchedVersusAverage } from "../../lib/figures/profile";
import { methodComparison, trainingCurves } from "../../lib/figures/training";
import { claimForest } from "../../lib/figures/claims";
import { genreBars as imaxBars } from "../../lib/figures/data";
import { LatentPca } from "../../lib/analysis/pca";
import { ML20M_GENRES } from "../../lib/data/schema";
import { projection as projectionOf } from "../../lib/figures/latent";
import { crowdedSet } from "../helpers/crowded-latents";
import type { ClaimIntervals, IntervalMeasurement, Verdict } from "../../lib/analysis/claims/intervals";

const DIR = join(__dirname, "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

/** Compares `fig` (or a readable summary of one) with snapshots/<name>.json (or writes it when updating or missing). */
function matchesSnapshot(name: string, fig: unknown): void {
  const path = join(DIR, `${name}.json`);
  const json = JSON.stringify(fig, null, 1) + "\n";
  if (!UPDATE && !existsSync(path)) assert.fail(`snapshot ${path} is missing; run UPDATE_SNAPSHOTS=1 npm run test:unit and commit it`);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, json);
    return;
  }
  assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(path, "utf8")), `${name} differs from ${path}`);
}

const rng = new Rng(2020);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const genreCounts: GenreCount[] = ["Drama", "Comedy", "Thriller", "IMAX"].map((genre, k) => ({
  genre,
  count: 40 - 9 * k,
  share: r3((40 - 9 * k) / 100),
}));

// 3 users x (no condition + 3 genres) latent rows, scored on 3 components.
const GENRES = ["Action", "Drama", "(no genres listed)"];
const U = 3;
const rows = U * (GENRES.length + 1);
const set: LatentSet = {
  userRows: Int32Array.from([0, 1, 2]),
  userIds: Int32Array.from([11, 12, 13]),
  userOf: Int32Array.from({ length: rows }, (_, r) => r % U),
  condition: Int32Array.from({ length: rows }, (_, r) => Math.floor(r / U) - 1),
  conditions: GENRES,
  z: new Float32Array(rows * 2),
  dims: 2,
  rows,
};
const projection: Projection = {
  scores: Float64Array.from({ length: rows * 3 }, () => r3(rng.normal())),
  components: 3,
  explained: [0.4, 0.25, 0.1],
};

const history: EpochRecord[] = [1, 2, 3].map((epoch) => ({
  epoch,
  seconds: 10,
  rows: 1000,
  rowsPerSecond: 100,
  loss: 500 - 20 * epoch,
  nll: 490 - 20 * epoch,
  kl: 40,
  beta: 0.008,
  updates: 4 * epoch,
  validNdcgUnconditioned: epoch === 2 ? null : 0.3 + 0.01 * epoch,
  validNdcgConditioned: epoch === 2 ? null : 0.4 + 0.01 * epoch,
}));

/** A result row with the given values for some metrics and `rest` for every other metric in METRICS. */
function resultRow(method: string, protocol: string, rows: number, values: Partial<MetricValues>, rest = 0.2): ResultRow {
  return { method, protocol, ...metricValues((key) => values[key] ?? rest), rows };
}

const resultRows: ResultRow[] = [
  resultRow("C-VAE", "unconditioned", 600, { ndcg100: 0.36, recall20: 0.3, recall50: 0.45 }),
  resultRow("C-VAE", "conditioned (genre rows)", 4000, { ndcg100: 0.46, recall20: 0.5, recall50: 0.7 }),
  resultRow("popularity", "unconditioned", 600, { ndcg100: 0.15, recall20: 0.1, recall50: 0.2 }),
  resultRow("popularity", "conditioned (genre rows)", 4000, { ndcg100: 0.34, recall20: 0.4, recall50: 0.6 }),
];

const card: ProfileCard = {
  userId: 42,
  profile: ["Drama", "War", "Romance"],
  hints: [{ genre: "War", percentile: 0.97 }],
  serious: 0.4,
  seriousPercentile: 0.8,
  watched: [
    { genre: "Drama", share: 0.6, inProfile: true },
    { genre: "War", share: 0.3, inProfile: true },
    { genre: "Comedy", share: 0.1, inProfile: false },
  ],
};
const shares: Record<string, number>[] = [
  { Drama: 0.5, Comedy: 0.5 },
  { Drama: 0.2, War: 0.1 },
];

/** Two claims by hand: a trained model that holds, an untrained control that does not (and one inconclusive). */
const m = (value: number, lo: number, hi: number, verdict: Verdict): IntervalMeasurement => ({
  value,
  text: String(value),
  holds: verdict === "holds",
  interval: [lo, hi],
  holdsShare: verdict === "holds" ? 1 : 0.5,
  verdict,
});
const claimRow = (id: string, threshold: number, latent: IntervalMeasurement) => ({
  id,
  claim: `claim ${id} <b>`,
  rule: `value > ${threshold}`,
  threshold,
  thresholdReason: "by hand",
  latent,
  plane: m(NaN, NaN, NaN, "not applicable"),
});
const options = { resamples: 200, seed: 1, level: 0.95 };
const forestTrained: ClaimIntervals = {
  rows: [claimRow("a", 0.25, m(0.6, 0.55, 0.66, "holds")), claimRow("d", -0.3, m(-0.5, -0.62, -0.41, "holds"))],
  planeName: "PC2 x PC5",
  options,
  users: 100,
};
const forestControl: ClaimIntervals = {
  ...forestTrained,
  rows: [claimRow("a", 0.25, m(0.1, 0.05, 0.16, "does not hold")), claimRow("d", -0.3, m(-0.3, -0.45, -0.1, "inconclusive"))],
};

describe("figure specs match their snapshots", () => {
  const cases: [string, () => Figure][] = [
    ["genre-bars", () => genreBars(genreCounts, { title: "Movies per genre", subtitle: "SYNTHETIC data", yTitle: "movies" })],
    ["genre-bars-share", () => genreBars(genreCounts, { title: "Shares", value: "share" })],
    [
      "star-histogram",
      () =>
        starHistogram(
          [0.5, 3.5, 4, 5].map((value, k) => ({ value, count: 10 * (k + 1), share: 0.1 * (k + 1) })),
          3.5,
          { subtitle: "s" },
        ),
    ],
    [
      "binned-bars",
      () =>
        binnedBars(
          [
            { from: 1, to: 1, count: 3 },
            { from: 2, to: 3, count: 7 },
            { from: 4, to: 7, count: 2 },
          ],
          { title: "Items per user", xTitle: "items" },
        ),
    ],
    [
      "heatmap",
      () =>
        heatmap(
          ["a", "b"],
          ["a", "b"],
          [
            [1, 0.25],
            [0.25, 1],
          ],
          { title: "Jaccard", hideDiagonal: true, zmin: 0 },
        ),
    ],
    ["line-chart", () => lineChart([{ name: "s", x: [1, 2], y: [3, 4], color: "#000000", dash: "dot" }], { title: "lines" })],
    ["training-curves", () => trainingCurves(history, { subtitle: "SYNTHETIC data" })],
    ["method-comparison", () => methodComparison(resultRows, { subtitle: "SYNTHETIC data" })],
    ["method-comparison-recall20", () => methodComparison(resultRows, { metric: "recall20" })],
    [
      "explained-variance",
      () =>
        explainedVariance(
          { all: { explained: [0.3, 0.1, 0.05, 0.03, 0.02] }, plane: { explained: [0.28, 0.12, 0.05, 0.04, 0.02] } },
          { subtitle: "s" },
        ),
    ],
    [
      "latent-scatter",
      () =>
        latentScatter(set, projection, 1, 3, {
          title: "PC1 x PC3",
          exclude: ["(no genres listed)"],
          userGenres: [["Drama"], ["Action"], []],
        }),
    ],
    ["scatter-matrix", () => scatterMatrix(set, projection, { title: "matrix", n: 3 })],
    ["latent-3d", () => latent3d(set, projection, { title: "3-D" })],
    ["pc-pair-explorer", () => pcPairExplorer(set, projection, { title: "explorer", rows: [0, 3, 6, 9] })],
    ["serious-axis", () => seriousAxisScatter({ position: [-1, 0, 1.5], lean: [-0.2, 0.1, 0.3] }, { subtitle: "s" })],
    ["watched-versus-average", () => watchedVersusAverage(card, shares, { subtitle: "s" })],
    ["claim-forest", () => claimForest(forestTrained, forestControl, { space: "latent", subtitle: "s" })],
    [
      "genre-bars-empty",
      () => imaxBars([], { value: "share", title: "Genres of IMAX movies", subtitle: "s", empty: "No IMAX movies in this data set." }),
    ],
  ];
  for (const [name, build] of cases) {
    it(`${name}: the same seeded input gives the stored spec`, () => {
      const fig = build();
      assert.deepEqual(build(), fig, "pure: the same spec twice");
      matchesSnapshot(name, fig);
    });
  }
});

// Readable summaries (not whole specs) of the figures whose layout is computed: where each
// centroid label went on a crowded real-like scatter, and how the forest sizes its margin.
describe("computed layouts match their snapshots", () => {
  const r = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  it("centroid-labels: 20 close centroids, PC2 x PC5", () => {
    const crowded = crowdedSet(ML20M_GENRES, 150, 0.1);
    const p = projectionOf(LatentPca.fit(crowded.z, crowded.dims, { components: 5 }), crowded);
    const layout = latentScatter(crowded, p, 2, 5, { title: "t", exclude: ["(no genres listed)"] }).layout as {
      height: number;
      margin: unknown;
      xaxis: { range: number[] };
      yaxis: { range: number[] };
      annotations: { text: string; xanchor: string; ax: number; ay: number }[];
    };
    matchesSnapshot("centroid-labels", {
      height: layout.height,
      margin: layout.margin,
      xRange: layout.xaxis.range.map((x) => r(x, 3)),
      yRange: layout.yaxis.range.map((y) => r(y, 3)),
      labels: layout.annotations.map(
        (a) => `${a.text}: ${a.xanchor === "left" ? "right" : "left"} side, tail x ${r(a.ax, 3)}, ${r(a.ay, 1)} px below`,
      ),
    });
  });
  it("claim-forest-layout: the longest claim names, the margin and the caveat", () => {
    // Hand-built rows (not the analysis) carrying the longest real claim names.
    const long = [
      ["b", '"(no genres listed)" lies far from every other genre (on PC1)'],
      ["c1", "War is closer to Drama and Romance than to Children and Animation"],
      ["e", "Film-Noir is far from every genre; its nearest are Crime, Drama, Thriller, Mystery"],
    ].map(([id, claim], k) => ({ ...claimRow(id, 0.25, m(0.6 - 0.2 * k, 0.5 - 0.2 * k, 0.7 - 0.2 * k, "holds")), claim }));
    const fig = claimForest({ ...forestTrained, rows: long }, null, {
      space: "latent",
      subtitle: "s",
      modelCaveat: "measured on a model that does not beat popularity on validation",
    });
    const layout = fig.layout as { height: number; margin: unknown; title: { text: string }; annotations: { text: string }[] };
    matchesSnapshot("claim-forest-layout", {
      height: layout.height,
      margin: layout.margin,
      title: layout.title.text,
      names: layout.annotations.map((a) => a.text),
    });
  });
});
