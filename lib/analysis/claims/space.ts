// The labelled spaces the claims are measured in: genre centroids of a latent (or PCA-plane)
// point cloud, their distances, and the centroid distances less their sampling noise (claim
// (c2)'s debiased distances), each computed once per space and resample weights.
import { distanceMatrix } from "../geometry";

/** A labelled point cloud: label = condition + 1 (0 = no condition), -1 for rows left out of it. */
export interface Space {
  name: string;
  dims: number;
  points: ArrayLike<number>;
  labels: Int32Array;
  centres: Float64Array;
  D: number[][];
  /** Distance of each centroid from the mean of the space's rows. */
  fromCentre: number[];
  /**
   * The distance between the centroids of labels a and b with its noise bias taken out
   * (debiasedDistance): what (c2) measures. D's distances are biased upwards by that noise,
   * in a sample and once more in a bootstrap resample.
   */
  debiased(a: number, b: number): number;
}

/**
 * A space's centroids, centre and distances. `weights` (per row; null = 1 each) are how
 * often a row's user was drawn in a bootstrap resample: each centroid and the centre are
 * then weighted means, as if the rows were repeated. `users` (per row; null = each row its
 * own) names the sampling unit of each row, for the noise of the debiased distances; a
 * row's weight must be its unit's (a user's rows travel together).
 */
export function makeSpace(
  name: string,
  points: ArrayLike<number>,
  dims: number,
  labels: Int32Array,
  k: number,
  weights: Float64Array | null = null,
  users: ArrayLike<number> | null = null,
): Space {
  const centres = new Float64Array(k * dims);
  const totals = new Float64Array(k);
  const mean = new Float64Array(dims);
  let n = 0;
  for (let r = 0; r < labels.length; r++) {
    const l = labels[r];
    const w = weights ? weights[r] : 1;
    if (l < 0 || l >= k || w === 0) continue;
    totals[l] += w;
    n += w;
    for (let j = 0; j < dims; j++) {
      const x = w * points[r * dims + j];
      centres[l * dims + j] += x;
      mean[j] += x;
    }
  }
  for (let l = 0; l < k; l++) if (totals[l] > 0) for (let j = 0; j < dims; j++) centres[l * dims + j] /= totals[l];
  for (let j = 0; j < dims; j++) mean[j] /= n;
  const fromCentre = Array.from({ length: k }, (_, l) => {
    let s = 0;
    for (let j = 0; j < dims; j++) s += (centres[l * dims + j] - mean[j]) ** 2;
    return Math.sqrt(s);
  });
  const debiased = new Map<number, number>();
  return {
    name,
    dims,
    points,
    labels,
    centres,
    D: distanceMatrix(centres, k, dims),
    fromCentre,
    debiased(a, b) {
      const key = Math.min(a, b) * k + Math.max(a, b);
      let d = debiased.get(key);
      if (d === undefined) {
        d = debiasedDistance(points, dims, labels, centres, totals, a, b, weights, users);
        debiased.set(key, d);
      }
      return d;
    },
  };
}

/**
 * The distance between the centroids of labels a and b (`centres`, from rows weighted by
 * `weights` whose sums per label are `totals`) with its noise bias taken out. The squared
 * distance x = |ca - cb|^2 exceeds the population's squared distance by the sampling
 * variance v of ca - cb on average, so v, estimated from the rows, is subtracted: the result
 * is sqrt(x - v + v exp(-x / v)). Where the distance is well above its noise that is
 * sqrt(x - v), unbiased in its square (the exp term is below 1e-5 v once x > 12 v); where it
 * is not, the term keeps it positive (0 only when the centroids coincide) instead of
 * flooring it at 0, so that a ratio of such distances stays finite on data whose genres are
 * indistinguishable (shuffled labels). Without the correction, the distance between nearby
 * centroids is biased upwards by noise alone, and so is a ratio of them: (c2)'s detour ratio
 * is at least 1 by the triangle inequality, and was 1.09 on average on samples of 30 users
 * of a population whose value is 1.07 (claim-interval-coverage.test.ts).
 *
 * v is estimated over sampling units (`users`; null: each row its own), not rows: a user's
 * rows under labels a and b share the user's offset, which cancels in ca - cb. Each unit u
 * adds to ca - cb its residuals from the centroids, D_u = sum over its a-rows of (z - ca) / Wa
 * minus the same over its b-rows with cb and Wb; v = m / (m - 1) sum_u w_u |D_u|^2 over the
 * m = sum_u w_u drawn units (w_u: draws of unit u, 1 without weights: a bootstrap resample
 * counts a user drawn twice as two units). With one row per user per label that is the
 * paired differences' sample variance over m, the textbook unbiased estimate. Rows as units
 * (no `users`) are two independent groups: the same sum with m / (m - 1) taken per label,
 * S_a^2 / n_a + S_b^2 / n_b. With fewer than 2 units (in a group), or no spread, it is the
 * plain distance.
 */
export function debiasedDistance(
  points: ArrayLike<number>,
  dims: number,
  labels: ArrayLike<number>,
  centres: ArrayLike<number>,
  totals: ArrayLike<number>,
  a: number,
  b: number,
  weights: ArrayLike<number> | null = null,
  users: ArrayLike<number> | null = null,
): number {
  let squared = 0;
  for (let j = 0; j < dims; j++) squared += (centres[a * dims + j] - centres[b * dims + j]) ** 2;
  if (a === b || !(totals[a] > 0) || !(totals[b] > 0)) return Math.sqrt(squared);
  // The rows of a and b (drawn), and a dense index of their units.
  const rows: number[] = [];
  const unitOf: number[] = [];
  const unit = new Map<number, number>();
  for (let r = 0; r < labels.length; r++) {
    const l = labels[r];
    if ((l !== a && l !== b) || (weights ? weights[r] : 1) === 0) continue;
    const id = users ? users[r] : r;
    let u = unit.get(id);
    if (u === undefined) unit.set(id, (u = unit.size));
    rows.push(r);
    unitOf.push(u);
  }
  // Per unit: its draws, its label (rows as units), and the sum of its residuals / W over its rows in a, minus over its rows in b.
  const units = unit.size;
  const draws = new Float64Array(units);
  const unitLabel = new Int32Array(units);
  const influence = new Float64Array(units * dims);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const u = unitOf[i];
    const l = labels[r];
    draws[u] = weights ? weights[r] : 1;
    unitLabel[u] = l;
    const sign = l === a ? 1 / totals[a] : -1 / totals[b];
    for (let j = 0, o = u * dims, p = r * dims, c = l * dims; j < dims; j++) influence[o + j] += sign * (points[p + j] - centres[c + j]);
  }
  // Per group of units: all of them (users), or the units of a and those of b apart (rows, each in one label).
  let v = 0;
  for (const g of users ? [null] : [a, b]) {
    let m = 0;
    let sum = 0;
    for (let u = 0; u < units; u++) {
      if (g !== null && unitLabel[u] !== g) continue;
      m += draws[u];
      let q = 0;
      for (let j = 0, o = u * dims; j < dims; j++) q += influence[o + j] ** 2;
      sum += draws[u] * q;
    }
    if (m < 2) return Math.sqrt(squared);
    v += (m / (m - 1)) * sum;
  }
  if (!(v > 0)) return Math.sqrt(squared);
  return Math.sqrt(Math.max(0, squared - v + v * Math.exp(-squared / v)));
}
