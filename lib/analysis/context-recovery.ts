// Does a model conditioned on a context recover the context effect? For each context c and
// genre g a "lift": how much more (or less) of genre g goes with context c than overall.
//  - planted: the generator's lift (ground-truth.json, synthetic data only);
//  - data: P(g | training interactions in c) / P(g | all training interactions), what the data show;
//  - model: the share of genre g among the top-k items the model recommends under c, over
//    sampled users, divided by the share under no condition.
// Two lifts agree when the Spearman correlation of their log-lifts over the (context, genre)
// cells is high; each context's log-lifts are centred first, so a constant factor per context
// (the planted lift is relative to the base shares, the data's to the observed ones) cancels.
// The model can only recover what the data hold; on real data there is no planted lift, and
// the data lift is about rating times, not viewing times. Lists are ranked through the model's
// scorer (on the GPU on webgpu).
import { entryConditionsOf, entryHas } from "../data/conditions/conditions";
import type { GroundTruth } from "../data/synthetic/planted";
import type { ProcessedDataset } from "../data/schema";
import { NO_GENRES } from "../data/schema";
import { buildBatch } from "../model/batch";
import type { CvaeModel } from "../model/cvae-model";
import { withScorer } from "../model/scorer";
import { Rng, STUDY_SEED } from "../core/rng";
import { nearestRankSorted } from "./claims/intervals";
import { spearman } from "./geometry";
import type { LatentSet } from "./latent";

export interface GenreLift {
  /** Condition labels (rows). */
  labels: string[];
  /** Genres (columns). */
  genres: string[];
  /** lift[c][g]; NaN where the genre has no support overall. */
  lift: number[][];
}

export interface RecoveryOptions {
  /** Genre permutations of the null (default 200) and its seed. */
  permutations?: number;
  seed?: number;
  /** Items per recommendation list (default 100). */
  k?: number;
  /** Genres below this share of the items (overall) are left out as too rare to estimate (default 0.01). */
  minShare?: number;
  batchSize?: number;
}

/** Genres to compare: those of the data set's items except the neutral label. */
function genresOf(ds: ProcessedDataset): string[] {
  return ds.genres.filter((g) => g !== NO_GENRES);
}

/** Per-genre counts of a multiset of items (an item with two genres counts for both), into `into`. */
function addGenres(ds: ProcessedDataset, item: number, into: Float64Array, weight = 1): void {
  const G = ds.itemGenres;
  for (let j = G.indptr[item]; j < G.indptr[item + 1]; j++) into[G.indices[j]] += weight;
}

function liftFrom(ds: ProcessedDataset, perCondition: Float64Array[], overall: Float64Array, minShare: number): GenreLift {
  const genres = genresOf(ds);
  const index = genres.map((g) => ds.genres.indexOf(g));
  const total = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
  const all = total(overall);
  return {
    labels: [...ds.conditions.labels],
    genres,
    lift: perCondition.map((counts) => {
      const n = total(counts);
      return index.map((g) => {
        const base = overall[g] / all;
        return base >= minShare && n > 0 ? counts[g] / n / base : NaN;
      });
    }),
  };
}

/** The data's lift: genre shares of the training interactions in each condition over their overall shares. */
export function dataGenreLift(ds: ProcessedDataset, options: RecoveryOptions = {}): GenreLift {
  const { minShare = 0.01 } = options;
  const C = ds.conditions.labels.length;
  const t = ds.train.matrix;
  const e = entryConditionsOf(ds, "train");
  const per = Array.from({ length: C }, () => new Float64Array(ds.genres.length));
  const overall = new Float64Array(ds.genres.length);
  for (let k = 0; k < t.indices.length; k++) {
    const item = t.indices[k];
    addGenres(ds, item, overall);
    for (let c = 0; c < C; c++) if (entryHas(e, k, item, c)) addGenres(ds, item, per[c]);
  }
  return liftFrom(ds, per, overall, minShare);
}

/** The model's lift: genre shares of its top-k lists under each condition over those under no condition. */
export async function modelGenreLift(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
  options: RecoveryOptions = {},
): Promise<GenreLift> {
  const { k = 100, minShare = 0.01, batchSize = 500 } = options;
  if (!model.conditioned) throw new Error(`modelGenreLift: model "${model.config.run}" has no conditions (a Mult-VAE)`);
  const C = ds.conditions.labels.length;
  const per = Array.from({ length: C }, () => new Float64Array(ds.genres.length));
  const overall = new Float64Array(ds.genres.length);
  const targetConditions = entryConditionsOf(ds, "train");
  const depth = Math.min(k, ds.summary.items);
  await withScorer(model, async (scorer) => {
    for (let from = 0; from < userRows.length; from += batchSize) {
      const users = userRows.subarray(from, Math.min(userRows.length, from + batchSize));
      const n = users.length * (C + 1);
      const rows = {
        users: Int32Array.from({ length: n }, (_, r) => users[r % users.length]),
        conditions: Int32Array.from({ length: n }, (_, r) => Math.floor(r / users.length) - 1),
      };
      const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, n, { dropout: 0, latentDim: 0, targetConditions });
      const top = await scorer.rank(batch, depth);
      for (let r = 0; r < n; r++) {
        const c = rows.conditions[r];
        for (let j = 0; j < depth; j++) {
          const item = top[r * depth + j];
          if (item >= 0) addGenres(ds, item, c < 0 ? overall : per[c]);
        }
      }
    }
  });
  return liftFrom(ds, per, overall, minShare);
}

/** The planted lift of the synthetic generator for the data set's context kind, or null (real data, item kinds, old files). */
export function plantedGenreLift(ds: ProcessedDataset, truth: GroundTruth | null): GenreLift | null {
  const kind = ds.conditions.kind;
  if (!truth || (kind !== "daypart" && kind !== "weekday")) return null;
  const planted = truth.contexts?.[kind];
  if (!planted) return null;
  const genres = genresOf(ds);
  const row = (label: string) => planted.lift[planted.labels.indexOf(label)];
  return { labels: [...ds.conditions.labels], genres, lift: ds.conditions.labels.map((l) => genres.map((g) => row(l)?.[g] ?? NaN)) };
}

export interface LiftAgreement {
  /** Spearman of the log-lifts, centred within each condition, over every (condition, genre) cell both define. */
  pooled: number;
  /** The same within each condition, over genres. */
  perCondition: Record<string, number>;
  cells: number;
}

/** How well lift `a` follows lift `b` (same labels and genres). */
export function liftAgreement(a: GenreLift, b: GenreLift): LiftAgreement {
  if (a.labels.join() !== b.labels.join() || a.genres.join() !== b.genres.join())
    throw new Error("liftAgreement: the lifts must have the same conditions and genres");
  const xs: number[] = [];
  const ys: number[] = [];
  const perCondition: Record<string, number> = {};
  a.labels.forEach((label, c) => {
    const px: number[] = [];
    const py: number[] = [];
    a.genres.forEach((_, g) => {
      const x = a.lift[c][g];
      const y = b.lift[c][g];
      if (!(x > 0 && y > 0)) return; // both defined and positive, so their logs are
      px.push(Math.log(x));
      py.push(Math.log(y));
    });
    perCondition[label] = px.length >= 3 ? spearman(px, py) : NaN;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(px);
    const my = mean(py);
    xs.push(...px.map((x) => x - mx));
    ys.push(...py.map((y) => y - my));
  });
  return { pooled: xs.length >= 3 ? spearman(xs, ys) : NaN, perCondition, cells: xs.length };
}

export interface LiftNull {
  /** Genre permutations drawn. */
  permutations: number;
  /** The central 95 % of the pooled Spearman with the planted lift's genres permuted. */
  interval: [number, number];
  /** (1 + permutations at least as high as observed) / (1 + permutations). */
  pValue: number;
}

/**
 * A permutation null for liftAgreement(a, b).pooled: b's genres are relabelled at random (one
 * permutation for all conditions, so each genre's pattern over the conditions is kept).
 */
export function liftNull(a: GenreLift, b: GenreLift, options: { permutations: number; seed: number }): LiftNull {
  const { permutations, seed } = options;
  if (!Number.isInteger(permutations) || permutations < 39)
    throw new RangeError(`permutations must be an integer >= 39 (so a p-value can reach 0.025), got ${permutations}`);
  const observed = liftAgreement(a, b).pooled;
  const rng = new Rng(seed);
  const values: number[] = [];
  for (let p = 0; p < permutations; p++) {
    const order = rng.permutation(b.genres.length);
    const shuffled = { ...b, lift: b.lift.map((row) => Array.from(order, (g) => row[g])) };
    values.push(liftAgreement(a, shuffled).pooled);
  }
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  const q = (f: number) => nearestRankSorted(sorted, f);
  return { permutations, interval: [q(0.025), q(0.975)], pValue: (1 + values.filter((v) => v >= observed).length) / (1 + permutations) };
}

export interface ContextRecovery {
  /** Model lift against the planted one (null on real data). */
  modelVsPlanted: LiftAgreement | null;
  /** Its permutation null: how high the agreement gets with the planted genres shuffled. */
  modelVsPlantedNull: LiftNull | null;
  /** The same for the untrained twin: what an untrained model shows by chance. */
  untrainedVsPlanted: LiftAgreement | null;
  /** What the data hold: the data's lift against the planted one (null on real data). */
  dataVsPlanted: LiftAgreement | null;
  /** The model's lift against the data's. */
  modelVsData: LiftAgreement;
  lifts: { model: GenreLift; data: GenreLift; planted: GenreLift | null };
}

/** Everything notebook 06 reports on the recovery of the context effect. */
export async function contextRecovery(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
  truth: GroundTruth | null,
  options: RecoveryOptions = {},
): Promise<ContextRecovery> {
  const modelLift = await modelGenreLift(model, ds, userRows, options);
  const data = dataGenreLift(ds, options);
  const planted = plantedGenreLift(ds, truth);
  const untrained = planted ? await modelGenreLift(model.untrainedTwin(), ds, userRows, options) : null;
  const { permutations = 200, seed = STUDY_SEED } = options;
  return {
    modelVsPlanted: planted ? liftAgreement(modelLift, planted) : null,
    modelVsPlantedNull: planted ? liftNull(modelLift, planted, { permutations, seed }) : null,
    untrainedVsPlanted: planted && untrained ? liftAgreement(untrained, planted) : null,
    dataVsPlanted: planted ? liftAgreement(data, planted) : null,
    modelVsData: liftAgreement(modelLift, data),
    lifts: { model: modelLift, data, planted },
  };
}

/** The agreements as table rows: which lifts, pooled Spearman, cells, and per condition. */
export function recoveryTable(r: ContextRecovery): Record<string, string | number>[] {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  const n = r.modelVsPlantedNull;
  const nullBand = n ? ` (genres shuffled: ${f(n.interval[0])} to ${f(n.interval[1])}, p = ${n.pValue.toPrecision(2)})` : "";
  const rows: [string, LiftAgreement | null][] = [
    ["data vs planted (what the data hold)", r.dataVsPlanted],
    [`model vs planted${nullBand}`, r.modelVsPlanted],
    ["untrained model vs planted (chance)", r.untrainedVsPlanted],
    ["model vs data", r.modelVsData],
  ];
  return rows
    .filter((row): row is [string, LiftAgreement] => row[1] !== null)
    .map(([what, a]) => ({
      comparison: what,
      "Spearman (pooled)": f(a.pooled),
      cells: a.cells,
      ...Object.fromEntries(Object.entries(a.perCondition).map(([label, v]) => [label, f(v)])),
    }));
}

export interface ContextPair {
  a: string;
  b: string;
  /** Distance between the two conditions' centroids in the latent space. */
  latent: number;
  planted: number;
}

/** Every pair of conditions: centroid distance in the latent space and planted distance (pairs the truth lacks are left out). */
export function conditionCentroidPairs(set: LatentSet, planted: { labels: string[]; distances: number[][] } | null): ContextPair[] {
  if (!planted) return [];
  const L = set.dims;
  const C = set.conditions.length;
  const centroids = Array.from({ length: C }, () => new Float64Array(L));
  const counts = new Int32Array(C);
  for (let r = 0; r < set.rows; r++) {
    const c = set.condition[r];
    if (c < 0) continue;
    counts[c]++;
    for (let j = 0; j < L; j++) centroids[c][j] += set.z[r * L + j];
  }
  centroids.forEach((v, c) => v.forEach((x, j) => (v[j] = x / Math.max(1, counts[c]))));
  const pairs: ContextPair[] = [];
  for (let i = 0; i < C; i++)
    for (let j = i + 1; j < C; j++) {
      const pi = planted.labels.indexOf(set.conditions[i]);
      const pj = planted.labels.indexOf(set.conditions[j]);
      if (pi < 0 || pj < 0) continue;
      let d = 0;
      for (let k = 0; k < L; k++) d += (centroids[i][k] - centroids[j][k]) ** 2;
      pairs.push({ a: set.conditions[i], b: set.conditions[j], latent: Math.sqrt(d), planted: planted.distances[pi][pj] });
    }
  return pairs;
}

/** The lifts to draw side by side: planted (when known), data, model. */
export function liftPanels(r: ContextRecovery): { name: string; lift: GenreLift }[] {
  const panels = [
    { name: "planted", lift: r.lifts.planted },
    { name: "data", lift: r.lifts.data },
    { name: "model", lift: r.lifts.model },
  ];
  return panels.filter((p): p is { name: string; lift: GenreLift } => p.lift !== null);
}
