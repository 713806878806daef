// The paper's claims measured (rules in claim-rules.ts) in two spaces: the full latent
// space and the PCA plane the paper plots (PC2 x PC5 of a PCA fitted without the neutral
// genre, its Figure 2). Also the inputs the claims need from a data set, the PCAs, and the
// claims as a table and as recorded verdicts.
import { basename, join } from "node:path";
import { writeFileAtomic } from "../../core/fs";
import { Rng, STUDY_SEED } from "../../core/rng";
import { aboutConditions, conditionPlural } from "../../data/conditions/conditions";
import { conditionCooccurrence, conditionPopularity } from "../../data/conditions/condition-stats";
import { type Cooccurrence, genreCooccurrence, interactionsPerGenre } from "../../data/conditions/genres";
import { type GroundTruth, loadGroundTruth } from "../../data/synthetic/planted";
import { dataPathOf } from "../../data/same-source";
import { isSynthName } from "../../data/synthetic/synth";
import { NO_GENRES, type ProcessedDataset } from "../../data/schema";
import { CLAIM_RULES, CLAIM_THRESHOLDS, type ClaimContext, claimThresholds, labelOf, type Measurement, NA } from "./rules";
import { makeSpace, type Space } from "./space";
import { pairwiseDistances, weightedSilhouette } from "../geometry";
import { type LatentSet, NO_CONDITION } from "../latent";
import { LatentPca } from "../pca";

export type { Measurement } from "./rules";

export interface ClaimsInput {
  set: LatentSet;
  /** Positive interactions per genre (popularity). */
  popularity: Record<string, number>;
  cooccurrence: Cooccurrence;
  /** The planted structure of synthetic data, or null for real data. */
  truth: GroundTruth | null;
  /** Why synthetic data has no truth (its ground-truth.json is missing): claim (g2) is then shown as not measured, saying this. */
  truthMissing?: string | null;
  /** The plotted plane, 1-based PCs (the paper's Figure 2: [2, 5]). */
  plane?: [number, number];
  /** Users per condition in the silhouette sample (it is quadratic in the sample). */
  silhouetteUsers?: number;
  seed?: number;
  /** PCAs already fitted by fitLatentPcas (fitted here otherwise). */
  pcas?: LatentPcas;
  /** Thresholds that differ from CLAIM_THRESHOLDS, by claim id (unknown ids are an error). */
  thresholds?: Readonly<Record<string, number>>;
}

/**
 * What the claims need from a processed data set: popularity, co-occurrence and (synthetic
 * data) the ground truth. Genres use the catalogue's figures, as the paper; other kinds
 * their training interactions and users (condition-stats.ts).
 */
export function claimsInputFor(ds: ProcessedDataset, set: LatentSet, pcas?: LatentPcas): ClaimsInput {
  const genre = ds.conditions.kind === "genre";
  const truth = loadGroundTruth(ds.source.folder);
  return {
    set,
    pcas,
    popularity: genre ? Object.fromEntries(interactionsPerGenre(ds).map((g) => [g.genre, g.count])) : conditionPopularity(ds),
    cooccurrence: genre ? genreCooccurrence(ds.movies) : conditionCooccurrence(ds),
    truth,
    truthMissing: ds.source.synthetic && truth === null ? missingTruthReason(ds.source.folder) : null,
  };
}

/**
 * Why a synthetic set's claim (g2) is not measured when its planted truth is gone: the file
 * and how to get it back (loadGroundTruth's wording for a damaged one; --force writes the
 * same seeded data again, truth included, into the data folder's raw/<preset>/, so a source
 * elsewhere is told to copy it from there).
 */
export function missingTruthReason(folder: string): string {
  const preset = isSynthName(basename(folder)) ? basename(folder) : "<preset>";
  const command = `\`npx cvae data synth ${preset} --force\``;
  const inDataFolder = dataPathOf(folder) === `raw/${basename(folder)}`;
  return (
    `not measured: the planted truth ${join(folder, "ground-truth.json")} is missing; ` +
    (inDataFolder ? `regenerate it with ${command}` : `${command} regenerates it in the data folder's raw/${preset}/: copy it from there`)
  );
}

export interface LatentPcas {
  /** PCA of all rows (PC1 and the scatter matrix). */
  all: LatentPca;
  /** PCA without the neutral genre, as the paper's Figures 2 and 3. */
  plane: LatentPca;
  /** Rows the plane PCA was fitted on (every row except the neutral genre's). */
  planeRows: Int32Array;
}

/** The two PCAs of the study: of all rows, and without "(no genres listed)" (5 components, fewer for a smaller latent space). */
export function fitLatentPcas(set: LatentSet, components = Math.min(5, set.dims)): LatentPcas {
  const neutral = set.conditions.indexOf(NO_GENRES);
  const planeRows = Int32Array.from({ length: set.rows }, (_, r) => r).filter((r) => neutral < 0 || set.condition[r] !== neutral);
  return {
    all: LatentPca.fit(set.z, set.dims, { components }),
    plane: LatentPca.fit(set.z, set.dims, { components, rows: planeRows }),
    planeRows,
  };
}

export interface ClaimRow {
  id: string;
  claim: string;
  rule: string;
  /** The rule's threshold, and why it is there (CLAIM_THRESHOLDS). */
  threshold: number;
  thresholdReason: string;
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

/** Each row's coordinates on two of a PCA's components (1-based), as a flat rows x 2 array. */
function planeOf(set: LatentSet, pca: LatentPca, plane: [number, number]): Float64Array {
  const scores = pca.transform(set.z);
  const pc = pca.components;
  const points = new Float64Array(set.rows * 2);
  for (let r = 0; r < set.rows; r++) {
    points[2 * r] = scores[r * pc + plane[0] - 1];
    points[2 * r + 1] = scores[r * pc + plane[1] - 1];
  }
  return points;
}

/** The spaces and context of the claims, built once; `measure` runs every rule, unweighted or on a bootstrap resample. */
export interface ClaimSetup {
  /**
   * The claims measured with each row weighted (null: every row once), and with the genre
   * statistics replaced when `stats` is given (a permutation null).
   */
  measure(weights: Float64Array | null, stats?: Pick<ClaimsInput, "popularity" | "cooccurrence">): ClaimRow[];
  pcas: LatentPcas;
  planeName: string;
}

/** Builds what every measurement of the claims shares: labels, the plane's points, the silhouette sample and its distances. */
export function prepareClaims(input: ClaimsInput): ClaimSetup {
  const { set, plane = [2, 5], silhouetteUsers = 50, seed = STUDY_SEED } = input;
  const k = set.conditions.length + 1;
  const label = (name: string) => labelOf(set, name);
  const neutral = label(NO_GENRES);
  const allLabels = Int32Array.from(set.condition, (c) => c + 1);
  const withoutNeutral = Int32Array.from(allLabels, (l) => (l === neutral && neutral > 0 ? -1 : l));
  const top = Math.max(plane[0], plane[1]);
  // A latent space with fewer dimensions than the plane's PCs has no such plane: those measurements are n/a.
  const planeExists = top <= set.dims;
  const pcas = input.pcas ?? fitLatentPcas(set, Math.min(set.dims, Math.max(5, top)));
  if (planeExists && top > pcas.plane.components)
    throw new RangeError(`claims: plane PC${top} but the PCA kept ${pcas.plane.components} components`);
  const without = neutral > 0 ? ` (PCA without "${NO_GENRES}")` : "";
  const planeName = planeExists
    ? `PC${plane[0]} x PC${plane[1]}${without}`
    : `PC${plane[0]} x PC${plane[1]} (n/a: the latent space has ${set.dims} dimensions)`;
  // The projections are fixed: a bootstrap resamples users, not the PCA basis.
  const planePoints = planeExists ? planeOf(set, pcas.plane, plane) : null;
  let pc1Points: Float64Array | null = null;
  const sample = silhouetteSample(set, silhouetteUsers, seed);
  const thresholds = claimThresholds(input.thresholds);
  // Pairwise distances of the silhouette sample's genre rows, per space (computed once, reused by every resample).
  const silhouetteCache = new Map<ArrayLike<number>, { rows: Int32Array; D: Float64Array }>();
  const silhouetteIn = (s: Space, weights: Float64Array | null): number => {
    let cached = silhouetteCache.get(s.points);
    if (!cached) {
      const rows = sample.filter((r) => s.labels[r] > 0);
      cached = { rows, D: pairwiseDistances(s.points, s.dims, rows) };
      silhouetteCache.set(s.points, cached);
    }
    const { rows, D } = cached;
    const w = weights ? Float64Array.from(rows, (r) => weights[r]) : new Float64Array(rows.length).fill(1);
    // Grouped by user: a user's rows under the other conditions are left out of each of its rows' averages.
    return weightedSilhouette(
      D,
      Int32Array.from(rows, (r) => s.labels[r]),
      w,
      k,
      Int32Array.from(rows, (r) => set.userOf[r]),
    );
  };
  const measure = (weights: Float64Array | null, stats: Pick<ClaimsInput, "popularity" | "cooccurrence"> = input): ClaimRow[] => {
    const latent = makeSpace("latent space", set.z, set.dims, allLabels, k, weights, set.userOf);
    const flat = planePoints ? makeSpace(planeName, planePoints, 2, withoutNeutral, k, weights, set.userOf) : null;
    let pc1: Space | null = null;
    const ctx: ClaimContext = {
      set,
      label,
      has: (...names) => names.every((n) => label(n) > 0 || n === NO_CONDITION),
      neutral,
      notAGenre: (l) => l === 0 || l === neutral,
      popularity: stats.popularity,
      cooccurrence: stats.cooccurrence,
      truth: input.truth,
      truthMissing: input.truthMissing ?? null,
      silhouette: (s) => silhouetteIn(s, weights),
      thresholds,
      pc1: () => {
        if (!pc1Points) {
          const scores = pcas.all.transform(set.z);
          pc1Points = Float64Array.from({ length: set.rows }, (_, r) => scores[r * pcas.all.components]);
        }
        pc1 ??= makeSpace("PC1", pc1Points, 1, allLabels, k, weights, set.userOf);
        return pc1;
      },
    };
    const rows: ClaimRow[] = [];
    const kind = set.kind ?? "genre";
    const notAboutGenres = `not applicable: a claim about named genres; this model is conditioned on ${conditionPlural(kind)}`;
    for (const rule of CLAIM_RULES) {
      if (rule.applies && !rule.applies(ctx)) continue;
      const why = rule.genreOnly && kind !== "genre" ? notAboutGenres : (rule.unavailable?.(ctx) ?? null);
      const threshold = { threshold: thresholds[rule.id], thresholdReason: CLAIM_THRESHOLDS[rule.id].reason };
      if (why !== null)
        rows.push({ id: rule.id, claim: rule.claim, rule: why, ...threshold, latent: { ...NA, text: why }, plane: { ...NA, text: why } });
      else
        rows.push({
          id: rule.id,
          claim: aboutConditions(rule.claim, kind),
          rule: aboutConditions(rule.rule(thresholds[rule.id]), kind),
          ...threshold,
          latent: measured(rule.measure(latent, ctx)),
          plane: measured(rule.second ? rule.second(ctx) : flat ? rule.measure(flat, ctx) : NA),
        });
    }
    return rows;
  };
  return { measure, pcas, planeName };
}

/** Measures every claim in both spaces. */
export function measureClaims(input: ClaimsInput): ClaimsResult {
  const setup = prepareClaims(input);
  return { rows: setup.measure(null), pcaAll: setup.pcas.all, pcaPlane: setup.pcas.plane, planeName: setup.planeName };
}

/** A measurement without a value (a silhouette of one user, say) gets no verdict: neither holds nor does not hold. */
function measured(m: Measurement): Measurement {
  return Number.isNaN(m.value) && m.holds !== null ? { ...m, holds: null } : m;
}

/** Up to `perCondition` seeded users for every condition (the same users in each). */
function silhouetteSample(set: LatentSet, perCondition: number, seed: number): Int32Array {
  const U = set.userRows.length;
  const users = new Rng(seed).sampleWithoutReplacement(U, Math.min(U, perCondition));
  const out: number[] = [];
  for (let c = 0; c <= set.conditions.length; c++) for (const u of users) out.push(c * U + u);
  return Int32Array.from(out);
}

function verdict(h: boolean | null): string {
  return h === null ? "not applicable" : h ? "holds" : "does not hold";
}

/** The claims as table rows for notebooks and the CLI. */
export function claimTable(result: ClaimsResult): Record<string, string>[] {
  return result.rows.map((r) => ({
    claim: `(${r.id}) ${r.claim}`,
    rule: r.rule,
    "latent space": r.latent.text,
    "verdict (latent)": verdict(r.latent.holds),
    [result.planeName]: r.plane.text,
    "verdict (plane)": verdict(r.plane.holds),
  }));
}

/** The point verdicts as flat results (claim_<id>_latent, claim_<id>_plane), for data/metrics/. */
export function claimVerdicts(result: { rows: readonly Pick<ClaimRow, "id" | "latent" | "plane">[] }): Record<string, boolean | null> {
  return Object.fromEntries(
    result.rows.flatMap((r) => [
      [`claim_${r.id}_latent`, r.latent.holds],
      [`claim_${r.id}_plane`, r.plane.holds],
    ]),
  );
}

/** Writes both PCA models beside the model's checkpoint (data/models/<run>/latent-pca.json). */
export function savePcas(dir: string, pcas: LatentPcas, sample: { users: number; seed: number }): string {
  const path = join(dir, "latent-pca.json");
  writeFileAtomic(path, JSON.stringify({ sample, all: pcas.all.toJSON(), plane: pcas.plane.toJSON() }) + "\n");
  return path;
}
