// Geometry of labelled point clouds: centroids, distances between them, rank
// correlation and silhouette. Points are rows of a flat array with `dims` columns.

/** Mean of the rows of each label (labels 0..k-1); rows with other labels are ignored. */
export function centroids(
  points: ArrayLike<number>,
  dims: number,
  labels: ArrayLike<number>,
  k: number,
): { centres: Float64Array; counts: Int32Array } {
  const centres = new Float64Array(k * dims);
  const counts = new Int32Array(k);
  for (let r = 0; r < labels.length; r++) {
    const l = labels[r];
    if (l < 0 || l >= k) continue;
    counts[l]++;
    for (let j = 0; j < dims; j++) centres[l * dims + j] += points[r * dims + j];
  }
  for (let l = 0; l < k; l++) if (counts[l] > 0) for (let j = 0; j < dims; j++) centres[l * dims + j] /= counts[l];
  return { centres, counts };
}

export function distance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, dims: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) {
    const d = a[ao + j] - b[bo + j];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Pairwise Euclidean distances between the k rows of `centres`. */
export function distanceMatrix(centres: ArrayLike<number>, k: number, dims: number): number[][] {
  return Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => distance(centres, a * dims, centres, b * dims, dims)));
}

/** Ranks 1..n with ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) out[order[t][1]] = rank;
    i = j + 1;
  }
  return out;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2)
    throw new RangeError(`pearson: need two series of equal length >= 2 (got ${x.length}, ${y.length})`);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation (Pearson on average ranks). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/**
 * Mean silhouette coefficient of `rows` (labels 0..k-1): for each point, (b - a) / max(a, b)
 * with a = mean distance to its own label, b = the smallest mean distance to another label.
 */
export function silhouette(points: ArrayLike<number>, dims: number, labels: ArrayLike<number>, rows: ArrayLike<number>, k: number): number {
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let i = 0; i < rows.length; i++) counts[labels[rows[i]]]++;
  let total = 0;
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    const ri = rows[i];
    const li = labels[ri];
    if (counts[li] < 2) continue;
    sums.fill(0);
    for (let j = 0; j < rows.length; j++) {
      if (i === j) continue;
      const rj = rows[j];
      sums[labels[rj]] += distance(points, ri * dims, points, rj * dims, dims);
    }
    const a = sums[li] / (counts[li] - 1);
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== li && counts[l] > 0) b = Math.min(b, sums[l] / counts[l]);
    if (!Number.isFinite(b)) continue;
    total += (b - a) / Math.max(a, b);
    used++;
  }
  return used ? total / used : NaN;
}

/** Indices of the `n` rows of a distance row closest to `self`, nearest first. */
export function nearest(row: readonly number[], self: number, n: number, skip: (i: number) => boolean = () => false): number[] {
  return row
    .map((d, i) => [d, i] as const)
    .filter(([, i]) => i !== self && !skip(i))
    .sort((a, b) => a[0] - b[0])
    .slice(0, n)
    .map(([, i]) => i);
}

/** Pairwise Euclidean distances of `rows` of `points` (n x n, row-major). */
export function pairwiseDistances(points: ArrayLike<number>, dims: number, rows: ArrayLike<number>): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = distance(points, rows[i] * dims, points, rows[j] * dims, dims);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}

/**
 * The mean silhouette of n points (labels 0..k-1, pairwise distances `D` from
 * pairwiseDistances) with point i counted weights[i] times, as a bootstrap resample draws
 * it: in every average over other points and in the final mean.
 *
 * `groups` (optional, one id per point) says which points come from one sampling unit:
 * in the claims, one user's rows under every condition. A point's own group is left out
 * of its averages, a(i) and b(i) alike: its unit's other rows are not independent
 * neighbours. Without that, a resample that draws a user w times puts w copies of the
 * user's rows in other labels into b(i) (they sit close to i: the same user) and w - 1
 * copies of i itself at distance 0 into a(i), where the sample had one; the resampled
 * silhouettes then shift away from the sample's, and a percentile interval can miss its
 * own estimate (measured: by about 2 of its standard deviations). Without groups every
 * point is its own group: with all weights 1 it is silhouette(...) of the same points.
 */
export function weightedSilhouette(
  D: Float64Array,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
  k: number,
  groups: ArrayLike<number> | null = null,
): number {
  const n = labels.length;
  const totals = new Float64Array(k);
  for (let i = 0; i < n; i++) totals[labels[i]] += weights[i];
  // The members of each group, so that a point's own group can be taken out of its totals.
  const members = new Map<number, number[]>();
  if (groups)
    for (let i = 0; i < n; i++) {
      const group = members.get(groups[i]);
      if (group) group.push(i);
      else members.set(groups[i], [i]);
    }
  const sums = new Float64Array(k);
  const others = new Float64Array(k);
  let total = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights[i];
    const li = labels[i];
    if (wi === 0) continue;
    others.set(totals);
    for (const j of groups ? (members.get(groups[i]) as number[]) : [i]) others[labels[j]] -= weights[j];
    const own = others[li];
    if (own <= 0) continue;
    sums.fill(0);
    for (let j = 0; j < n; j++)
      if (weights[j] !== 0 && (groups ? groups[j] !== groups[i] : j !== i)) sums[labels[j]] += weights[j] * D[i * n + j];
    const a = sums[li] / own;
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== li && others[l] > 0) b = Math.min(b, sums[l] / others[l]);
    if (!Number.isFinite(b)) continue;
    total += (wi * (b - a)) / Math.max(a, b);
    used += wi;
  }
  return used ? total / used : NaN;
}
