// The claims with their uncertainty: a bootstrap over the sampled users. Each resample
// draws the users with replacement (a user's latent rows under every condition travel
// together), recomputes the centroids, distances, silhouette and statistic of every claim
// (the PCA projections stay fixed), and gives a percentile interval of the measured value.
// Verdicts: "holds" when the claim holds in at least (1 + level) / 2 of the resamples,
// "does not hold" when in at most (1 - level) / 2, else "inconclusive". For a claim that is
// one value against one threshold, that is exactly "the whole interval lies on one side".
import { Rng } from "../core/rng";
import { CLAIM_THRESHOLDS, type ClaimId } from "./claim-rules";
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
  /** The percentile interval of the value over the resamples; NaNs where it has no value. */
  interval: [number, number];
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
  const summarise = (m: ClaimRow["latent"], samples: number[], holds: number): IntervalMeasurement => {
    const sorted = [...samples].sort((a, c) => a - c);
    const tail = (1 - o.level) / 2;
    const holdsShare = m.holds === null ? NaN : holds / o.resamples;
    return {
      value: m.value,
      text: m.text,
      holds: m.holds,
      interval: [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)],
      holdsShare,
      verdict: verdictOf(holdsShare, o.level),
    };
  };
  const rows = point.map((row, i) => ({
    id: row.id,
    claim: row.claim,
    rule: row.rule,
    threshold: row.threshold,
    thresholdReason: row.thresholdReason,
    latent: summarise(row.latent, values[i].latent, values[i].latentHolds),
    plane: summarise(row.plane, values[i].plane, values[i].planeHolds),
  }));
  return { rows, planeName: setup.planeName, options: o, users: U };
}

/** "[lo, hi]" of an interval with enough decimals that its width shows (two significant digits of it), or "n/a". */
export function intervalText(m: IntervalMeasurement): string {
  const [lo, hi] = m.interval;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return "n/a";
  const width = hi - lo;
  const decimals = width > 0 ? Math.min(6, Math.max(2, Math.ceil(-Math.log10(width)) + 1)) : 3;
  return `[${lo.toFixed(decimals)}, ${hi.toFixed(decimals)}]`;
}

/** The claims with intervals as table rows for notebooks and the CLI. */
export function claimIntervalTable(result: ClaimIntervals): Record<string, string>[] {
  const pct = `${Math.round(result.options.level * 100)} % interval`;
  return result.rows.map((r) => ({
    claim: `(${r.id}) ${r.claim}`,
    rule: r.rule,
    "latent space": r.latent.text,
    [`${pct} (latent)`]: intervalText(r.latent),
    "verdict (latent)": r.latent.verdict,
    [result.planeName]: r.plane.text,
    [`${pct} (plane)`]: intervalText(r.plane),
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
