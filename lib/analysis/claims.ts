// The paper's observations about the C-VAE latent space, turned into measurements with a
// stated rule each, in two spaces: the full latent space and the PCA plane the paper
// plots (PC2 x PC5 of a PCA fitted without the neutral genre, its Figure 2).
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs";
import { centroids, distanceMatrix, nearest, silhouette, spearman } from "./geometry";
import type { Cooccurrence } from "../data/genres";
import { type LatentSet, NO_CONDITION } from "./latent";
import { LatentPca } from "./pca";
import type { GroundTruth } from "../data/planted";
import { Rng } from "../core/rng";
import { NO_GENRES } from "../data/schema";

export interface ClaimsInput {
  set: LatentSet;
  /** Positive interactions per genre (popularity). */
  popularity: Record<string, number>;
  cooccurrence: Cooccurrence;
  /** The planted structure of synthetic data, or null for real data. */
  truth: GroundTruth | null;
  /** The plotted plane, 1-based PCs (the paper's Figure 2: [2, 5]). */
  plane?: [number, number];
  /** Users per condition in the silhouette sample (it is quadratic in the sample). */
  silhouetteUsers?: number;
  seed?: number;
  /** PCAs already fitted by fitLatentPcas (fitted here otherwise). */
  pcas?: LatentPcas;
}

export interface LatentPcas {
  /** PCA of all rows (PC1 and the scatter matrix). */
  all: LatentPca;
  /** PCA without the neutral genre, as the paper's Figures 2 and 3. */
  plane: LatentPca;
  /** Rows the plane PCA was fitted on (every row except the neutral genre's). */
  planeRows: Int32Array;
}

/** The two PCAs of the study: of all rows, and without "(no genres listed)". */
export function fitLatentPcas(set: LatentSet, components = 5): LatentPcas {
  const neutral = set.genres.indexOf(NO_GENRES);
  const planeRows = Int32Array.from({ length: set.rows }, (_, r) => r).filter((r) => neutral < 0 || set.condition[r] !== neutral);
  return { all: LatentPca.fit(set.z, set.dims, { components }), plane: LatentPca.fit(set.z, set.dims, { components, rows: planeRows }), planeRows };
}

export interface Measurement {
  value: number;
  text: string;
  holds: boolean | null;
}

export interface ClaimRow {
  id: string;
  claim: string;
  rule: string;
  latent: Measurement;
  plane: Measurement;
}

export interface ClaimsResult {
  rows: ClaimRow[];
  /** PCA of all rows (for PC1 and the scatter matrix). */
  pcaAll: LatentPca;
  /** PCA without the neutral genre (the paper's Figures 2 and 3). */
  pcaPlane: LatentPca;
  planeName: string;
}

interface Space {
  name: string;
  dims: number;
  points: ArrayLike<number>;
  /** label = condition + 1 (0 = no condition), or -1 for rows left out of this space. */
  labels: Int32Array;
  centres: Float64Array;
  D: number[][];
  /** Distance of each centroid from the mean of the space's rows. */
  fromCentre: number[];
}

const NA: Measurement = { value: NaN, text: "n/a", holds: null };

function makeSpace(name: string, points: ArrayLike<number>, dims: number, labels: Int32Array, k: number): Space {
  const { centres } = centroids(points, dims, labels, k);
  const mean = new Float64Array(dims);
  let n = 0;
  for (let r = 0; r < labels.length; r++) {
    if (labels[r] < 0) continue;
    n++;
    for (let j = 0; j < dims; j++) mean[j] += points[r * dims + j];
  }
  for (let j = 0; j < dims; j++) mean[j] /= n;
  const fromCentre = Array.from({ length: k }, (_, l) => {
    let s = 0;
    for (let j = 0; j < dims; j++) s += (centres[l * dims + j] - mean[j]) ** 2;
    return Math.sqrt(s);
  });
  return { name, dims, points, labels, centres, D: distanceMatrix(centres, k, dims), fromCentre };
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** Measures every claim in both spaces. */
export function measureClaims(input: ClaimsInput): ClaimsResult {
  const { set, plane = [2, 5], silhouetteUsers = 50, seed = 98765 } = input;
  const k = set.genres.length + 1;
  const label = (name: string): number => (name === NO_CONDITION ? 0 : set.genres.indexOf(name) + 1);
  const has = (...names: string[]) => names.every((n) => label(n) > 0 || n === NO_CONDITION);
  const neutral = label(NO_GENRES);
  const allLabels = Int32Array.from(set.condition, (c) => c + 1);
  const withoutNeutral = Int32Array.from(allLabels, (l) => (l === neutral && neutral > 0 ? -1 : l));
  const pcas = input.pcas ?? fitLatentPcas(set, Math.max(5, plane[0], plane[1]));
  const pcaAll = pcas.all;
  const pcaPlane = pcas.plane;
  if (Math.max(plane[0], plane[1]) > pcaPlane.components) throw new RangeError(`claims: plane PC${Math.max(...plane)} but the PCA kept ${pcaPlane.components} components`);
  const planeScores = pcaPlane.transform(set.z);
  const pc = pcaPlane.components;
  const planePoints = new Float64Array(set.rows * 2);
  for (let r = 0; r < set.rows; r++) {
    planePoints[2 * r] = planeScores[r * pc + plane[0] - 1];
    planePoints[2 * r + 1] = planeScores[r * pc + plane[1] - 1];
  }
  const planeName = `PC${plane[0]} x PC${plane[1]} (PCA without "${NO_GENRES}")`;
  const latent = makeSpace("latent space", set.z, set.dims, allLabels, k);
  const flat = makeSpace(planeName, planePoints, 2, withoutNeutral, k);
  const genresOnly = (l: number) => l === 0 || l === neutral;

  const rows: ClaimRow[] = [];
  const both = (id: string, claim: string, rule: string, measure: (s: Space) => Measurement) => rows.push({ id, claim, rule, latent: measure(latent), plane: measure(flat) });

  // (a) clusters by condition: silhouette of a seeded sample of genre rows.
  const sample = silhouetteSample(set, silhouetteUsers, seed);
  both("a", "Conditioned latents cluster by genre", "silhouette of genre rows by genre (sample) > 0.25", (s) => {
    const rowsIn = sample.filter((r) => s.labels[r] > 0);
    const v = silhouette(s.points, s.dims, s.labels, rowsIn, k);
    return { value: v, text: f(v), holds: v > 0.25 };
  });

  // (b) the neutral genre is far from every other genre on PC1.
  if (neutral > 0) {
    const pc1 = pcaAll.transform(set.z);
    const pc1Space = makeSpace("PC1", Float64Array.from({ length: set.rows }, (_, r) => pc1[r * pcaAll.components]), 1, allLabels, k);
    const lat = isolation(latent, neutral, genresOnly);
    const onPc1 = isolation(pc1Space, neutral, genresOnly);
    rows.push({
      id: "b",
      claim: `"${NO_GENRES}" lies far from every other genre (on PC1)`,
      rule: "its nearest-genre distance / the median nearest-genre distance of the others; holds if it is the most isolated genre and the ratio > 2",
      latent: { value: lat.ratio, text: `${f(lat.ratio, 2)} (rank ${lat.rank})`, holds: lat.rank === 1 && lat.ratio > 2 },
      plane: { value: onPc1.ratio, text: `${f(onPc1.ratio, 2)} (rank ${onPc1.rank}, PC1 of all rows)`, holds: onPc1.rank === 1 && onPc1.ratio > 2 },
    });
  } else rows.push({ id: "b", claim: `"${NO_GENRES}" lies far from every other genre (on PC1)`, rule: "the data set has no neutral genre", latent: NA, plane: NA });

  // (c) specific neighbourhoods.
  both("c1", "War is closer to Drama and Romance than to Children and Animation", "max(d(War,Drama), d(War,Romance)) / min(d(War,Children), d(War,Animation)) < 1", (s) => {
    if (!has("War", "Drama", "Romance", "Children", "Animation")) return NA;
    const d = (a: string, b: string) => s.D[label(a)][label(b)];
    const v = Math.max(d("War", "Drama"), d("War", "Romance")) / Math.min(d("War", "Children"), d("War", "Animation"));
    return { value: v, text: f(v), holds: v < 1 };
  });
  both("c2", "Horror lies between Thriller and Sci-Fi, far from Western", "(d(H,T) + d(H,S)) / d(T,S) <= 1.5 and d(H,Western) > max(d(H,T), d(H,S))", (s) => {
    if (!has("Horror", "Thriller", "Sci-Fi", "Western")) return NA;
    const d = (a: string, b: string) => s.D[label(a)][label(b)];
    const v = (d("Horror", "Thriller") + d("Horror", "Sci-Fi")) / d("Thriller", "Sci-Fi");
    const far = d("Horror", "Western") > Math.max(d("Horror", "Thriller"), d("Horror", "Sci-Fi"));
    return { value: v, text: `${f(v, 2)}${far ? ", far from Western" : ", NOT far from Western"}`, holds: v <= 1.5 && far };
  });
  both("c3", "Thriller, Mystery and Crime are close to each other", "each of the three has the other two among its 4 nearest genres (count of 6 such links)", (s) => {
    const trio = ["Thriller", "Mystery", "Crime"];
    if (!has(...trio)) return NA;
    let links = 0;
    for (const g of trio) {
      const near = nearest(s.D[label(g)], label(g), 4, genresOnly);
      links += trio.filter((o) => o !== g && near.includes(label(o))).length;
    }
    return { value: links, text: `${links}/6`, holds: links === 6 };
  });

  // (d) popular genres near the centre.
  both("d", "Popular genres lie nearer the centre than rare ones", "Spearman(centroid distance from the centre, genre popularity) <= -0.3", (s) => {
    const gs = set.genres.filter((g) => g !== NO_GENRES && input.popularity[g] !== undefined);
    const v = spearman(gs.map((g) => s.fromCentre[label(g)]), gs.map((g) => input.popularity[g]));
    return { value: v, text: f(v), holds: v <= -0.3 };
  });

  // (e) Film-Noir apart, nearest to Crime, Drama, Thriller, Mystery.
  both("e", "Film-Noir is far from every genre; its nearest are Crime, Drama, Thriller, Mystery", "3+ of its 4 nearest genres in {Crime, Drama, Thriller, Mystery} and among the 3 most isolated genres", (s) => {
    if (!has("Film-Noir")) return NA;
    const fn = label("Film-Noir");
    const near = nearest(s.D[fn], fn, 4, genresOnly).map((l) => set.genres[l - 1]);
    const hits = near.filter((g) => ["Crime", "Drama", "Thriller", "Mystery"].includes(g)).length;
    const iso = isolation(s, fn, genresOnly);
    return { value: hits, text: `nearest ${near.join(", ")}; isolation rank ${iso.rank}`, holds: hits >= 3 && iso.rank <= 3 };
  });

  // (f) unconditioned latents at the centre.
  both("f", "Unconditioned latents sit at the centre", "the no-condition centroid is nearer the centre than 90 % of the genre centroids", (s) => {
    const d0 = s.fromCentre[0];
    const gs = set.genres.map((g) => label(g)).filter((l) => l !== neutral);
    const closer = gs.filter((l) => s.fromCentre[l] > d0).length / gs.length;
    return { value: closer, text: `nearer than ${Math.round(100 * closer)} %`, holds: closer >= 0.9 };
  });

  // (g) the learned geometry follows the data.
  const pairs: [string, string][] = [];
  const named = set.genres.filter((g) => g !== NO_GENRES);
  for (let i = 0; i < named.length; i++) for (let j = i + 1; j < named.length; j++) pairs.push([named[i], named[j]]);
  const co = input.cooccurrence;
  const jac = (a: string, b: string) => {
    const i = co.genres.indexOf(a);
    const j = co.genres.indexOf(b);
    return i < 0 || j < 0 ? NaN : co.jaccard[i][j];
  };
  const coPairs = pairs.filter(([a, b]) => Number.isFinite(jac(a, b)));
  both("g1", "Genre distances follow co-occurrence", "Spearman(centroid distance, 1 - Jaccard co-occurrence) over genre pairs >= 0.3", (s) => {
    const v = spearman(coPairs.map(([a, b]) => s.D[label(a)][label(b)]), coPairs.map(([a, b]) => 1 - jac(a, b)));
    return { value: v, text: f(v), holds: v >= 0.3 };
  });
  const truth = input.truth;
  if (truth) {
    const tPairs = pairs.filter(([a, b]) => truth.genres.includes(a) && truth.genres.includes(b));
    const td = (a: string, b: string) => truth.distances[truth.genres.indexOf(a)][truth.genres.indexOf(b)];
    both("g2", "Genre distances follow the planted affinity (synthetic data)", "Spearman(centroid distance, planted distance) over genre pairs >= 0.5", (s) => {
      const v = spearman(tPairs.map(([a, b]) => s.D[label(a)][label(b)]), tPairs.map(([a, b]) => td(a, b)));
      return { value: v, text: f(v), holds: v >= 0.5 };
    });
  }
  return { rows, pcaAll, pcaPlane, planeName };
}

/** How far a label's centroid is from its nearest other genre, relative to the others. */
function isolation(s: Space, l: number, skip: (i: number) => boolean): { ratio: number; rank: number } {
  const labels = s.D.map((_, i) => i).filter((i) => !skip(i) || i === l);
  const nn = (i: number) => Math.min(...labels.filter((j) => j !== i).map((j) => s.D[i][j]));
  const own = nn(l);
  const others = labels.filter((i) => i !== l).map(nn).sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)];
  const rank = 1 + others.filter((d) => d > own).length;
  return { ratio: own / median, rank };
}

/** Up to `perCondition` seeded users for every condition (the same users in each). */
function silhouetteSample(set: LatentSet, perCondition: number, seed: number): Int32Array {
  const U = set.userRows.length;
  const users = new Rng(seed).sampleWithoutReplacement(U, Math.min(U, perCondition));
  const out: number[] = [];
  for (let c = 0; c <= set.genres.length; c++) for (const u of users) out.push(c * U + u);
  return Int32Array.from(out);
}

/** The claims as table rows for notebooks and the CLI. */
export function claimTable(result: ClaimsResult): Record<string, string>[] {
  const mark = (h: boolean | null) => (h === null ? "n/a" : h ? "holds" : "does not hold");
  return result.rows.map((r) => ({
    claim: `(${r.id}) ${r.claim}`,
    rule: r.rule,
    "latent space": r.latent.text,
    "verdict (latent)": mark(r.latent.holds),
    [result.planeName]: r.plane.text,
    "verdict (plane)": mark(r.plane.holds),
  }));
}

/** Writes both PCA models beside the model's checkpoint (data/models/<run>/latent-pca.json). */
export function savePcas(dir: string, pcas: LatentPcas, sample: { users: number; seed: number }): string {
  const path = join(dir, "latent-pca.json");
  writeFileAtomic(path, JSON.stringify({ sample, all: pcas.all.toJSON(), plane: pcas.plane.toJSON() }) + "\n");
  return path;
}
