// The claims with their uncertainty: a bootstrap over the sampled users. Each resample
// draws the users with replacement (a user's latent rows under every condition travel
// together), recomputes the centroids, distances, silhouette and statistic of every claim
// (the PCA projections stay fixed: the plane's intervals are about the users on the plotted
// plane, not about the plane's own sampling error), and gives an interval of the value.
//
// Which interval, by statistic (the rule's `interval`, claim-rules.ts; measured by the
// simulation in test/analysis/claims/interval-coverage.test.ts, which draws samples from a
// known population):
// - percentile (2.5 % and 97.5 % quantiles of the resamples) for the ratios of centroid
//   distances (b, c1, c2), which are skewed but hardly biased, and for the counts and shares
//   (c3, e, f), which are discrete. (c2)'s detour ratio is made of debiased centroid
//   distances (claim-rules.ts, debiasedDistance): with plain ones, noise alone lifts it above
//   its population value (it is at least 1 by the triangle inequality), in a sample and again
//   in a resample, and its interval covered that value in 31 of 40 simulated samples in the
//   latent space (and in 94 of 200 on another population of the same design). Less their
//   sampling variance, estimated over users in each resample, the distances are unbiased in
//   their squares (kept positive where within their noise), and the percentile interval
//   covers it in 38 and 40 of 40 (latent, plane);
// - basic, 2 * estimate - those quantiles, clipped to [-1, 1], for the silhouette (a) and the
//   rank correlations (d, g1, g2). Their estimates are biased by noise (a minimum over noisy
//   label means; correlations of noisy centroid distances are attenuated) and a resample,
//   being noisier again, is biased the same way: the percentile interval then sits on the
//   wrong side of the estimate and covered the population value in 0-60 % of samples. The
//   basic interval reflects that bias back (90-100 %).
// The silhouette also leaves a point's own user out of its averages (geometry.ts): a resample
// that draws a user twice otherwise adds its copies at distance 0.
//
// An interval can still exclude its estimate when the resamples' bias exceeds their spread;
// the measurement then carries a note saying so and by how much (the table shows it).
// Verdicts: "holds" when the claim holds in at least (1 + level) / 2 of the resamples (for a
// basic interval: of the resamples reflected about the estimate), "does not hold" when in at
// most (1 - level) / 2, else "inconclusive". For a claim that is one value against one
// threshold, that is exactly "the whole interval lies on one side".
import { Rng } from "../../core/rng";
import { CLAIM_RULES, CLAIM_THRESHOLDS, type ClaimId, type ClaimRule } from "./rules";
import { type ClaimRow, type ClaimsInput, prepareClaims } from "./claims";

export type Verdict = "holds" | "does not hold" | "inconclusive" | "not applicable";

export interface IntervalOptions {
  /** Bootstrap resamples (at least 200 for a 95 % interval). */
  resamples: number;
  /** Seed of the resampling (its own stream: the claims' silhouette sample keeps its seed). */
  seed: number;
  /** Coverage of the interval, in (0, 1). */
  level: number;
}

export function defaultIntervalOptions(): IntervalOptions {
  return { resamples: 200, seed: 20200413, level: 0.95 };
}

/** One space's measurement of a claim with its bootstrap interval. */
export interface IntervalMeasurement {
  value: number;
  text: string;
  /** Whether the claim holds on the whole sample (the point verdict, before resampling). */
  holds: boolean | null;
  /** The interval of the value over the resamples (`method`); NaNs where it has no value. */
  interval: [number, number];
  /** How the interval was formed from the resamples (see the module comment); absent: percentile. */
  method?: "percentile" | "basic";
  /** Why the interval does not contain the estimate; null or absent when it does (or has no value). */
  note?: string | null;
  /** The share of resamples in which the claim holds (NaN when not applicable). */
  holdsShare: number;
  verdict: Verdict;
}

export interface ClaimInterval {
  id: string;
  claim: string;
  rule: string;
  threshold: number;
  thresholdReason: string;
  latent: IntervalMeasurement;
  plane: IntervalMeasurement;
}

export interface ClaimIntervals {
  rows: ClaimInterval[];
  planeName: string;
  options: IntervalOptions;
  /** Users resampled (each with all of its rows). */
  users: number;
}

function checkOptions(o: IntervalOptions): void {
  if (!Number.isInteger(o.resamples) || o.resamples < 20) throw new RangeError(`resamples must be an integer >= 20, got ${o.resamples}`);
  if (!(o.level > 0 && o.level < 1)) throw new RangeError(`level must be in (0, 1), got ${o.level}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${o.seed}`);
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The q-quantile (0..1) of sorted values by nearest rank (the permutation nulls' bands), NaN for none. */
export function nearestRankSorted(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? NaN;
}

/** The verdict from the share of resamples in which a claim holds. */
export function verdictOf(holdsShare: number, level: number): Verdict {
  if (!Number.isFinite(holdsShare)) return "not applicable";
  const tail = (1 - level) / 2;
  if (holdsShare >= 1 - tail) return "holds";
  if (holdsShare <= tail) return "does not hold";
  return "inconclusive";
}

/** Measures every claim and its bootstrap interval in both spaces. */
export function claimIntervals(input: ClaimsInput, options: Partial<IntervalOptions> = {}): ClaimIntervals {
  const o = { ...defaultIntervalOptions(), ...options };
  checkOptions(o);
  const setup = prepareClaims(input);
  const point = setup.measure(null);
  const { set } = input;
  const U = set.userRows.length;
  const rng = new Rng(o.seed);
  const values = point.map(() => ({ latent: [] as number[], plane: [] as number[], latentHolds: 0, planeHolds: 0 }));
  const draws = new Float64Array(U);
  const weights = new Float64Array(set.rows);
  for (let b = 0; b < o.resamples; b++) {
    draws.fill(0);
    for (let i = 0; i < U; i++) draws[rng.integer(U)]++;
    for (let r = 0; r < set.rows; r++) weights[r] = draws[set.userOf[r]];
    setup.measure(weights).forEach((row, i) => {
      const v = values[i];
      if (Number.isFinite(row.latent.value)) v.latent.push(row.latent.value);
      if (Number.isFinite(row.plane.value)) v.plane.push(row.plane.value);
      if (row.latent.holds) v.latentHolds++;
      if (row.plane.holds) v.planeHolds++;
    });
  }
  const summarise = (
    m: ClaimRow["latent"] & { threshold: number },
    samples: number[],
    holds: number,
    spec: ClaimRule["interval"],
  ): IntervalMeasurement => {
    const sorted = [...samples].sort((a, c) => a - c);
    const tail = (1 - o.level) / 2;
    const q: [number, number] = [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)];
    let interval = q;
    let holdsShare = m.holds === null ? NaN : holds / o.resamples;
    if (spec && Number.isFinite(m.value)) {
      const [min, max] = spec.range;
      const clip = (x: number) => Math.min(max, Math.max(min, x));
      interval = [clip(2 * m.value - q[1]), clip(2 * m.value - q[0])];
      // The verdict share of the same reflected resamples the interval is made of; a resample without a value counts as not holding.
      if (m.holds !== null) holdsShare = samples.filter((x) => spec.holds(clip(2 * m.value - x), m.threshold)).length / o.resamples;
    }
    return {
      value: m.value,
      text: m.text,
      holds: m.holds,
      interval,
      method: spec ? "basic" : "percentile",
      note: outsideNote(m.value, sorted, interval),
      holdsShare,
      verdict: verdictOf(holdsShare, o.level),
    };
  };
  const rules = new Map(CLAIM_RULES.map((r) => [r.id as string, r]));
  const rows = point.map((row, i) => {
    const spec = rules.get(row.id)?.interval;
    const at = (m: ClaimRow["latent"]) => ({ ...m, threshold: row.threshold });
    return {
      id: row.id,
      claim: row.claim,
      rule: row.rule,
      threshold: row.threshold,
      thresholdReason: row.thresholdReason,
      latent: summarise(at(row.latent), values[i].latent, values[i].latentHolds, spec),
      // Claim (b)'s second column is PC1 of all rows, a ratio like its first: the same method.
      plane: summarise(at(row.plane), values[i].plane, values[i].planeHolds, spec),
    };
  });
  return { rows, planeName: setup.planeName, options: o, users: U };
}

/**
 * Why an interval misses its estimate, or null when it contains it: the resamples lie mostly
 * on one side of the estimate (a bias larger than their spread), said with the share and the
 * shift of their median, so that a reader does not take the gap for an error.
 */
export function outsideNote(value: number, sorted: readonly number[], interval: [number, number]): string | null {
  const [lo, hi] = interval;
  if (!Number.isFinite(value) || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const slack = 1e-12 * Math.max(1, Math.abs(value));
  if (lo - slack <= value && value <= hi + slack) return null;
  const below = sorted.filter((x) => x < value).length / sorted.length;
  const shift = quantileSorted(sorted, 0.5) - value;
  const side = value < lo ? "below" : "above";
  return (
    `the estimate lies ${side} its interval: ${Math.round(100 * below)} % of the resamples fall below it ` +
    `(median shift ${shift.toPrecision(2)}), a bias of the statistic larger than its spread; the interval allows for it`
  );
}

/** "[lo, hi]" of an interval with enough decimals that its width shows (two significant digits of it), or "n/a". */
export function intervalText(m: IntervalMeasurement): string {
  const [lo, hi] = m.interval;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return "n/a";
  const width = hi - lo;
  const decimals = width > 0 ? Math.min(6, Math.max(2, Math.ceil(-Math.log10(width)) + 1)) : 3;
  return `[${lo.toFixed(decimals)}, ${hi.toFixed(decimals)}]`;
}

/** The interval's text, with the note when it misses its estimate (the table says why). */
function withNote(m: IntervalMeasurement): string {
  return m.note ? `${intervalText(m)} (${m.note})` : intervalText(m);
}

/** The claims with intervals as table rows for notebooks and the CLI. */
export function claimIntervalTable(result: ClaimIntervals): Record<string, string>[] {
  const pct = `${Math.round(result.options.level * 100)} % interval`;
  return result.rows.map((r) => ({
    claim: `(${r.id}) ${r.claim}`,
    rule: r.rule,
    "latent space": r.latent.text,
    [`${pct} (latent)`]: withNote(r.latent),
    "verdict (latent)": r.latent.verdict,
    [result.planeName]: r.plane.text,
    [`${pct} (plane)`]: withNote(r.plane),
    "verdict (plane)": r.plane.verdict,
  }));
}

/** The bootstrap verdicts as flat results (claim_<id>_latent_bootstrap, claim_<id>_plane_bootstrap), for data/metrics/. */
export function claimBootstrapVerdicts(result: ClaimIntervals): Record<string, Verdict> {
  return Object.fromEntries(
    result.rows.flatMap((r) => [
      [`claim_${r.id}_latent_bootstrap`, r.latent.verdict],
      [`claim_${r.id}_plane_bootstrap`, r.plane.verdict],
    ]),
  );
}

/**
 * Each claim's threshold and the reason for it, as table rows (notebook 04 shows them beside
 * the claims); a changed threshold says so and keeps the default's reason, labelled as such.
 */
export function claimThresholdTable(result: {
  rows: readonly Pick<ClaimInterval, "id" | "claim" | "threshold" | "thresholdReason">[];
}): Record<string, string>[] {
  return result.rows.map((r) => {
    const base = CLAIM_THRESHOLDS[r.id as ClaimId]?.value;
    const changed = base !== undefined && base !== r.threshold;
    return {
      claim: `(${r.id}) ${r.claim}`,
      threshold: changed ? `${r.threshold} (changed; default ${base})` : String(r.threshold),
      "why this threshold": changed ? `the default's reason: ${r.thresholdReason}` : r.thresholdReason,
    };
  });
}
