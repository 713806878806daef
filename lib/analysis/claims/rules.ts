// The paper's observations about the C-VAE latent space, each turned into a measurement
// with a stated rule. A rule measures one labelled space (genre centroids and the
// distances between them); claims.ts builds the spaces and runs every rule in both the
// latent space and the plotted PCA plane.
import { type Cooccurrence } from "../../data/conditions/genres";
import type { GroundTruth } from "../../data/synthetic/planted";
import { NO_GENRES } from "../../data/schema";
import { type Space } from "./space";
import { nearest, spearman } from "../geometry";
import { type LatentSet, NO_CONDITION } from "../latent";

export interface Measurement {
  value: number;
  text: string;
  holds: boolean | null;
}

export const NA: Measurement = { value: NaN, text: "n/a", holds: null };

/** The measurement of a claim about genres the data lack (ML-100K and ML-1M have no IMAX, for one). */
export function absent(genres: readonly string[]): Measurement {
  return { value: NaN, text: `not applicable: ${genres.join(", ")} absent`, holds: null };
}

/** absent(...) for the named genres the data lack, or null when all are there. */
/** Spearman over at least 3 points, else n/a saying why (a data set with 2 week parts has 1 pair). */
function rankCorrelation(xs: number[], ys: number[], what: string): Measurement | { value: number } {
  if (xs.length < 3)
    return { value: NaN, text: `n/a: ${xs.length} ${xs.length === 1 ? what.slice(0, -1) : what}, too few to correlate`, holds: null };
  return { value: spearman(xs, ys) };
}

function missing(ctx: ClaimContext, ...names: string[]): Measurement | null {
  const gone = names.filter((n) => !ctx.has(n));
  return gone.length ? absent(gone) : null;
}

/** What the rules know about the data beside the space they measure. */
export interface ClaimContext {
  set: LatentSet;
  /** Space label of a condition name (0 = no condition, -1 + 1 = 0 for an absent genre). */
  label(name: string): number;
  /** Every named condition is present. */
  has(...names: string[]): boolean;
  /** Label of the neutral genre "(no genres listed)", 0 when the data lack it. */
  neutral: number;
  /** Labels that are not genres proper: no condition and the neutral genre. */
  notAGenre(label: number): boolean;
  popularity: Record<string, number>;
  cooccurrence: Cooccurrence;
  truth: GroundTruth | null;
  /** Why synthetic data's planted truth could not be read (claim g2 is then not measured), or null. */
  truthMissing: string | null;
  /** Mean silhouette, by label, of the seeded sample's genre rows (labels > 0) in a space (claim a). */
  silhouette(s: Space): number;
  /** PC1 of the PCA of all rows, as a space (claim b; computed on first use). */
  pc1(): Space;
  /** The threshold of each claim (claimThresholds). */
  thresholds: ClaimThresholds;
}

/** The claims, in the order of the paper's section 3.1. */
export type ClaimId = "a" | "b" | "c1" | "c2" | "c3" | "d" | "e" | "f" | "g1" | "g2";
export const CLAIM_IDS: readonly ClaimId[] = ["a", "b", "c1", "c2", "c3", "d", "e", "f", "g1", "g2"];

/** Each claim's threshold and why it sits there (notebook 04 shows the reasons next to the claims). */
export const CLAIM_THRESHOLDS: Readonly<Record<ClaimId, { value: number; reason: string }>> = {
  a: { value: 0.25, reason: "Kaufman and Rousseeuw's reading of the silhouette: below 0.25 no substantial structure, 0.26-0.5 weak" },
  b: { value: 2, reason: "isolated means at least twice as far from its nearest genre as a typical genre is from its own" },
  c1: { value: 1, reason: "below 1 both near distances are shorter than both far ones: the claim itself, no slack" },
  c2: { value: 1.5, reason: "1 is exactly on the segment Thriller-Sci-Fi; 1.5 allows a detour of half its length" },
  c3: { value: 6, reason: "all 6 links: each of the three has the other two among its 4 nearest (a fifth of the 19 named genres)" },
  d: { value: -0.3, reason: "a Spearman correlation of at least moderate size (Cohen's 0.3), in the claimed direction" },
  e: { value: 3, reason: "most (3 of 4) of its nearest genres from the paper's list" },
  f: { value: 0.9, reason: "nearer the centre than 90 % of the genre centroids: at the centre, not merely near it" },
  g1: { value: 0.3, reason: "a Spearman correlation of at least moderate size (Cohen's 0.3)" },
  g2: { value: 0.5, reason: "the data were generated from the planted affinity, so a strong correlation (Cohen's 0.5) is expected" },
};

export type ClaimThresholds = Record<ClaimId, number>;

/** The thresholds with `overrides` applied; unknown claim ids and non-finite values are errors naming them. */
export function claimThresholds(overrides: Readonly<Record<string, number>> = {}): ClaimThresholds {
  const out = Object.fromEntries(CLAIM_IDS.map((id) => [id, CLAIM_THRESHOLDS[id].value])) as ClaimThresholds;
  for (const [key, value] of Object.entries(overrides)) {
    if (!(CLAIM_IDS as readonly string[]).includes(key))
      throw new Error(`thresholds: unknown claim "${key}"; claims: ${CLAIM_IDS.join(", ")}`);
    if (typeof value !== "number" || !Number.isFinite(value))
      throw new Error(`thresholds: claim "${key}" needs a finite number, got ${String(value)}`);
    out[key as ClaimId] = value;
  }
  return out;
}

export interface ClaimRule {
  id: ClaimId;
  claim: string;
  /** The rule in words, with its threshold `t`. */
  rule(t: number): string;
  /** Left out of the table when false (a claim about data that has no ground truth). */
  applies?(ctx: ClaimContext): boolean;
  /** A claim about named genres: not applicable to models conditioned on another kind. */
  genreOnly?: true;
  /** Why the claim cannot be measured on these data (shown as its rule, with n/a), or null. */
  unavailable?(ctx: ClaimContext): string | null;
  measure(s: Space, ctx: ClaimContext): Measurement;
  /** The second column when it is not the plotted plane (claim b reads PC1 of all rows). */
  second?(ctx: ClaimContext): Measurement;
  /**
   * How claim-intervals.ts turns the resamples into an interval (absent: percentile).
   * "basic" for a statistic whose resamples are biased the way its estimate is (a
   * silhouette's minimum over noisy label means, a rank correlation of noisy centroid
   * distances, both pulled the same way by noise): the percentile interval would add that
   * bias a second time; the basic interval reflects the resamples about the estimate,
   * clipped to the statistic's range. `holds` is the rule as a function of the value, for
   * the resamples' verdict share.
   */
  interval?: { method: "basic"; range: [number, number]; holds(value: number, threshold: number): boolean };
}

/** The basic-interval spec of a correlation-like statistic in [-1, 1] that holds above (or below) its threshold. */
const basicIn = (holds: (value: number, threshold: number) => boolean): ClaimRule["interval"] => ({
  method: "basic",
  range: [-1, 1],
  holds,
});

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** How far a label's centroid is from its nearest other genre, relative to the others. */
export function isolation(s: Space, l: number, skip: (i: number) => boolean): { ratio: number; rank: number } {
  const labels = s.D.map((_, i) => i).filter((i) => !skip(i) || i === l);
  const nn = (i: number) => Math.min(...labels.filter((j) => j !== i).map((j) => s.D[i][j]));
  const own = nn(l);
  const others = labels
    .filter((i) => i !== l)
    .map(nn)
    .sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)];
  const rank = 1 + others.filter((d) => d > own).length;
  return { ratio: own / median, rank };
}

function neutralIsolation(s: Space, ctx: ClaimContext, suffix = ""): Measurement {
  const iso = isolation(s, ctx.neutral, ctx.notAGenre);
  return {
    value: iso.ratio,
    text: `${f(iso.ratio, 2)} (rank ${iso.rank}${suffix})`,
    holds: iso.rank === 1 && iso.ratio > ctx.thresholds.b,
  };
}

/** Pairs of named genres (the neutral genre left out). */
function genrePairs(ctx: ClaimContext): [string, string][] {
  const named = ctx.set.conditions.filter((g) => g !== NO_GENRES);
  const pairs: [string, string][] = [];
  for (let i = 0; i < named.length; i++) for (let j = i + 1; j < named.length; j++) pairs.push([named[i], named[j]]);
  return pairs;
}

function jaccard(co: Cooccurrence, a: string, b: string): number {
  const i = co.genres.indexOf(a);
  const j = co.genres.indexOf(b);
  return i < 0 || j < 0 ? NaN : co.jaccard[i][j];
}

/** The claims in the order of the paper's section 3.1. */
export const CLAIM_RULES: readonly ClaimRule[] = [
  {
    id: "a",
    claim: "Conditioned latents cluster by genre",
    rule: (t) => `silhouette of genre rows by genre (sample) > ${t}`,
    measure(s, ctx) {
      const v = ctx.silhouette(s);
      return { value: v, text: f(v), holds: v > ctx.thresholds.a };
    },
    interval: basicIn((v, t) => v > t),
  },
  {
    id: "b",
    claim: `"${NO_GENRES}" lies far from every other genre (on PC1)`,
    rule: (t) =>
      "its nearest-genre distance / the median nearest-genre distance of " +
      `the others; holds if it is the most isolated genre and the ratio > ${t}`,
    genreOnly: true,
    unavailable: (ctx) => (ctx.neutral > 0 ? null : `not applicable: the data set has no "${NO_GENRES}" genre`),
    measure: (s, ctx) => neutralIsolation(s, ctx),
    second: (ctx) => neutralIsolation(ctx.pc1(), ctx, ", PC1 of all rows"),
  },
  {
    id: "c1",
    claim: "War is closer to Drama and Romance than to Children and Animation",
    rule: (t) => `max(d(War,Drama), d(War,Romance)) / min(d(War,Children), d(War,Animation)) < ${t}`,
    genreOnly: true,
    measure(s, ctx) {
      const na = missing(ctx, "War", "Drama", "Romance", "Children", "Animation");
      if (na) return na;
      const d = (a: string, b: string) => s.D[ctx.label(a)][ctx.label(b)];
      const v = Math.max(d("War", "Drama"), d("War", "Romance")) / Math.min(d("War", "Children"), d("War", "Animation"));
      return { value: v, text: f(v), holds: v < ctx.thresholds.c1 };
    },
  },
  {
    id: "c2",
    claim: "Horror lies between Thriller and Sci-Fi, far from Western",
    rule: (t) =>
      `(d(H,T) + d(H,S)) / d(T,S) <= ${t} and d(H,Western) > max(d(H,T), d(H,S)), ` + "d: centroid distances less their sampling noise",
    genreOnly: true,
    measure(s, ctx) {
      const na = missing(ctx, "Horror", "Thriller", "Sci-Fi", "Western");
      if (na) return na;
      // Debiased distances: noise alone lifts the plain ones' ratio above 1 (see debiasedDistance).
      const d = (a: string, b: string) => s.debiased(ctx.label(a), ctx.label(b));
      const v = (d("Horror", "Thriller") + d("Horror", "Sci-Fi")) / d("Thriller", "Sci-Fi");
      const far = d("Horror", "Western") > Math.max(d("Horror", "Thriller"), d("Horror", "Sci-Fi"));
      return { value: v, text: `${f(v, 2)}${far ? ", far from Western" : ", NOT far from Western"}`, holds: v <= ctx.thresholds.c2 && far };
    },
  },
  {
    id: "c3",
    claim: "Thriller, Mystery and Crime are close to each other",
    rule: (t) => `each of the three has the other two among its 4 nearest genres: at least ${t} of the 6 such links`,
    genreOnly: true,
    measure(s, ctx) {
      const trio = ["Thriller", "Mystery", "Crime"];
      const na = missing(ctx, ...trio);
      if (na) return na;
      let links = 0;
      for (const g of trio) {
        const near = nearest(s.D[ctx.label(g)], ctx.label(g), 4, ctx.notAGenre);
        links += trio.filter((o) => o !== g && near.includes(ctx.label(o))).length;
      }
      return { value: links, text: `${links}/6`, holds: links >= ctx.thresholds.c3 };
    },
  },
  {
    id: "d",
    claim: "Popular genres lie nearer the centre than rare ones",
    rule: (t) => `Spearman(centroid distance from the centre, genre popularity) <= ${t}`,
    measure(s, ctx) {
      const gs = ctx.set.conditions.filter((g) => g !== NO_GENRES && ctx.popularity[g] !== undefined);
      const r = rankCorrelation(
        gs.map((g) => s.fromCentre[ctx.label(g)]),
        gs.map((g) => ctx.popularity[g]),
        "conditions",
      );
      if ("holds" in r) return r;
      return { value: r.value, text: f(r.value), holds: r.value <= ctx.thresholds.d };
    },
    interval: basicIn((v, t) => v <= t),
  },
  {
    id: "e",
    claim: "Film-Noir is far from every genre; its nearest are Crime, Drama, Thriller, Mystery",
    rule: (t) => `${t}+ of its 4 nearest genres in {Crime, Drama, Thriller, Mystery} and among the 3 most isolated genres`,
    genreOnly: true,
    measure(s, ctx) {
      const na = missing(ctx, "Film-Noir");
      if (na) return na;
      const fn = ctx.label("Film-Noir");
      const near = nearest(s.D[fn], fn, 4, ctx.notAGenre).map((l) => ctx.set.conditions[l - 1]);
      const hits = near.filter((g) => ["Crime", "Drama", "Thriller", "Mystery"].includes(g)).length;
      const iso = isolation(s, fn, ctx.notAGenre);
      return {
        value: hits,
        text: `nearest ${near.join(", ")}; isolation rank ${iso.rank}`,
        holds: hits >= ctx.thresholds.e && iso.rank <= 3,
      };
    },
  },
  {
    id: "f",
    claim: "Unconditioned latents sit at the centre",
    rule: (t) => `the no-condition centroid is nearer the centre than ${Math.round(100 * t)} % of the genre centroids`,
    measure(s, ctx) {
      const d0 = s.fromCentre[0];
      const gs = ctx.set.conditions.map((g) => ctx.label(g)).filter((l) => l !== ctx.neutral);
      const closer = gs.filter((l) => s.fromCentre[l] > d0).length / gs.length;
      return { value: closer, text: `nearer than ${Math.round(100 * closer)} %`, holds: closer >= ctx.thresholds.f };
    },
  },
  {
    id: "g1",
    claim: "Genre distances follow co-occurrence",
    rule: (t) => `Spearman(centroid distance, 1 - Jaccard co-occurrence) over genre pairs >= ${t}`,
    measure(s, ctx) {
      const pairs = genrePairs(ctx).filter(([a, b]) => Number.isFinite(jaccard(ctx.cooccurrence, a, b)));
      const r = rankCorrelation(
        pairs.map(([a, b]) => s.D[ctx.label(a)][ctx.label(b)]),
        pairs.map(([a, b]) => 1 - jaccard(ctx.cooccurrence, a, b)),
        "pairs",
      );
      if ("holds" in r) return r;
      return { value: r.value, text: f(r.value), holds: r.value >= ctx.thresholds.g1 };
    },
    interval: basicIn((v, t) => v >= t),
  },
  {
    id: "g2",
    claim: "Genre distances follow the planted affinity (synthetic data)",
    rule: (t) => `Spearman(centroid distance, planted distance) over genre pairs >= ${t}`,
    // Real data has no planted truth (no row); synthetic data whose truth file is gone says so instead of dropping the claim.
    applies: (ctx) => plantedGeometry(ctx) !== null || ctx.truthMissing !== null,
    unavailable: (ctx) => (plantedGeometry(ctx) === null ? ctx.truthMissing : null),
    measure(s, ctx) {
      const truth = plantedGeometry(ctx) as { labels: string[]; distances: number[][] };
      const pairs = genrePairs(ctx).filter(([a, b]) => truth.labels.includes(a) && truth.labels.includes(b));
      const td = (a: string, b: string) => truth.distances[truth.labels.indexOf(a)][truth.labels.indexOf(b)];
      const r = rankCorrelation(
        pairs.map(([a, b]) => s.D[ctx.label(a)][ctx.label(b)]),
        pairs.map(([a, b]) => td(a, b)),
        "pairs",
      );
      if ("holds" in r) return r;
      return { value: r.value, text: f(r.value), holds: r.value >= ctx.thresholds.g2 };
    },
    interval: basicIn((v, t) => v >= t),
  },
];

/** The planted distances between the model's conditions: the genres', or the planted contexts' of this kind; null for real data. */
export function plantedGeometry(ctx: Pick<ClaimContext, "truth" | "set">): { labels: string[]; distances: number[][] } | null {
  const truth = ctx.truth;
  if (!truth) return null;
  const kind = ctx.set.kind ?? "genre";
  if (kind === "genre") return { labels: truth.genres, distances: truth.distances };
  const planted = kind === "daypart" || kind === "weekday" ? truth.contexts?.[kind] : undefined;
  return planted ? { labels: planted.labels, distances: planted.distances } : null;
}

/** The label of a condition name in a space (0 = no condition; 0 also for an absent genre). */
export function labelOf(set: LatentSet, name: string): number {
  return name === NO_CONDITION ? 0 : set.conditions.indexOf(name) + 1;
}
