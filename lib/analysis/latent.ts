// The latent representations the paper explores: a seeded sample of users, each encoded
// under every genre condition and under no condition (the mean mu of q(z | x, c)), through the
// model's scorer (lib/model/scorer.ts): on the GPU on webgpu, else the model's own
// encodeUnderEveryCondition (forward.ts), which passes each history through the sparse layer
// once for all C + 1 conditions.
import { conditionPlural, entryConditionsOf, entryHas, unscoredTargets } from "../data/conditions/conditions";
import type { ConditionKind } from "../data/schema";
import { buildBatch } from "../model/batch";
import type { CvaeModel } from "../model/cvae-model";
import { withScorer } from "../model/scorer";
import type { ProcessedDataset } from "../data/schema";
import { Rng } from "../core/rng";
import type { ConditionLabel } from "../data/schema";

/** Label of the rows encoded without a condition. */
export const NO_CONDITION = "no condition";

export interface LatentSet {
  /** Rows of the training matrix of the sampled users (in sample order). */
  userRows: Int32Array;
  /** MovieLens ids of the sampled users. */
  userIds: Int32Array;
  /** Per latent row: the sampled user's index in userRows. */
  userOf: Int32Array;
  /** Per latent row: -1 for no condition, else the condition index. */
  condition: Int32Array;
  /** Labels of the model's conditions (genres for the genre kind, else decades, dayparts or week parts). */
  conditions: ConditionLabel[];
  /** What the conditions are (absent: genre, as in sets built before condition kinds). */
  kind?: ConditionKind;
  /** Latent means, rows x dims, row-major. */
  z: Float32Array;
  dims: number;
  rows: number;
}

export interface SampleOptions {
  /** Users to sample at most (the paper: 2,000); a smaller data set gives all its training users. */
  users: number;
  seed: number;
}

/** A seeded sample of up to `users` training users (rows of the training matrix), without replacement. */
export function sampleUsers(ds: ProcessedDataset, options: SampleOptions): Int32Array {
  const available = ds.train.matrix.rows;
  if (!Number.isInteger(options.users) || options.users < 1) throw new RangeError(`users must be a positive integer, got ${options.users}`);
  return new Rng(options.seed).sampleWithoutReplacement(available, Math.min(options.users, available));
}

/** One line on the sample: how many users, and that all were taken when fewer exist than were asked for. */
export function describeSample(ds: ProcessedDataset, requested: number): string {
  const available = ds.train.matrix.rows;
  return requested > available
    ? `all ${available} training users of "${ds.name}" (${requested} were asked for; it has fewer)`
    : `${requested} of the ${available} training users of "${ds.name}"`;
}

/**
 * Encodes each sampled user under no condition and under each of the model's genres, on the
 * process's backend (the scorer is opened for the call and closed after). Rows are grouped by
 * condition: first every user with no condition, then every user with genre 0, and so on.
 */
export async function encodeUnderConditions(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
  batchSize = 1000,
): Promise<LatentSet> {
  if (!model.conditioned)
    throw new Error(`encodeUnderConditions: model "${model.config.run}" has no conditions (a Mult-VAE); train a C-VAE`);
  if (model.dims.items !== ds.summary.items || model.dims.conditions !== ds.conditions.labels.length) {
    throw new Error(
      `the model (${model.dims.items} items, ${model.dims.conditions} conditions) does not ` +
        `match data set "${ds.name}" (${ds.summary.items} items, ${ds.conditions.labels.length} ${conditionPlural(ds.conditions.kind)})`,
    );
  }
  const L = model.dims.latentDim;
  const C = model.dims.conditions;
  const U = userRows.length;
  const n = U * (C + 1);
  const z = new Float32Array(n * L);
  const userOf = new Int32Array(n);
  const condition = new Int32Array(n);
  // Rows are encoded without a condition (the model adds each condition): targets are not used.
  const targetConditions = unscoredTargets(ds.train.matrix);
  await withScorer(model, async (scorer) => {
    for (let from = 0; from < U; from += batchSize) {
      const to = Math.min(U, from + batchSize);
      const rows = { users: userRows.slice(from, to), conditions: new Int32Array(to - from).fill(-1) };
      const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, to - from, { dropout: 0, latentDim: 0, targetConditions });
      const values = await scorer.encodeUnderEveryCondition(batch); // grouped by condition: none, then each condition
      for (let c = 0; c <= C; c++) {
        for (let u = from; u < to; u++) {
          const row = c * U + u;
          const src = (c * (to - from) + (u - from)) * L;
          z.set(values.subarray(src, src + L), row * L);
          userOf[row] = u;
          condition[row] = c - 1;
        }
      }
    }
  });
  return {
    userRows,
    userIds: Int32Array.from(userRows, (r) => ds.train.userIds[r]),
    userOf,
    condition,
    conditions: [...ds.conditions.labels],
    kind: ds.conditions.kind,
    z,
    dims: L,
    rows: n,
  };
}

/** The label of a latent row: its condition's label, or "no condition". */
export function conditionLabel(set: LatentSet, row: number): ConditionLabel {
  const c = set.condition[row];
  return c < 0 ? NO_CONDITION : set.conditions[c];
}

/** Rows whose condition is not in `exclude` (e.g. drop "(no genres listed)", as the paper does). */
export function filterRows(set: LatentSet, exclude: readonly string[]): Int32Array {
  const unknown = exclude.filter((g) => g !== NO_CONDITION && !set.conditions.includes(g));
  if (unknown.length)
    throw new Error(
      `unknown genre${unknown.length > 1 ? "s" : ""} ${unknown.map((g) => `"${g}"`).join(", ")}; genres: ${set.conditions.join(", ")}`,
    );
  const out: number[] = [];
  for (let r = 0; r < set.rows; r++) if (!exclude.includes(conditionLabel(set, r))) out.push(r);
  return Int32Array.from(out);
}

/** All latent rows of `users` of the sampled users (seeded), to keep figures light. */
export function rowsOfSampledUsers(set: LatentSet, users: number, seed: number): Int32Array {
  const U = set.userRows.length;
  const chosen = new Rng(seed).sampleWithoutReplacement(U, Math.min(users, U));
  const keep = new Uint8Array(U);
  for (const u of chosen) keep[u] = 1;
  const out: number[] = [];
  for (let r = 0; r < set.rows; r++) if (keep[set.userOf[r]]) out.push(r);
  return Int32Array.from(out);
}

/** The `n` conditions (genres, decades, contexts) each user's training history holds most often (ties: alphabetical). */
export function userTopGenres(ds: ProcessedDataset, userRows: ArrayLike<number>, n = 3): ConditionLabel[][] {
  const m = ds.train.matrix;
  const labels = ds.conditions.labels;
  const e = entryConditionsOf(ds, "train");
  return Array.from(userRows, (u) => {
    const counts = new Map<number, number>();
    for (let k = m.indptr[u]; k < m.indptr[u + 1]; k++)
      for (let c = 0; c < labels.length; c++) if (entryHas(e, k, m.indices[k], c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || labels[a[0]].localeCompare(labels[b[0]]))
      .slice(0, n)
      .map(([g]) => labels[g]);
  });
}
