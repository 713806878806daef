// Mult-VAE against C-VAE at the same optimisation budget. An epoch is not a unit of work
// across the two: a C-VAE epoch trains every (user, condition) row (10,938 rows on ML-100K),
// a Mult-VAE epoch every user once (750). "The same epochs" gives the C-VAE ~15x the updates.
// Here the other model gets the reference run's number of updates: its epoch budget is the
// reference's updates over its own batches an epoch, and it validates (and counts patience)
// after about as many updates as the reference did, so early stopping waits as long.
import { Rng } from "../core/rng";
import { entryConditionsOf } from "../data/conditions/conditions";
import type { ProcessedDataset } from "../data/schema";
import type { EpochRecord } from "../model/history";
import { makeTrainConfig, type TrainConfig } from "./config";
import { RowSampler } from "./samplers";

/** Rows one epoch of `config` trains on `ds` (the sampler's count). */
export function rowsPerEpoch(ds: ProcessedDataset, config: TrainConfig): number {
  const sampler = new RowSampler(ds.train.matrix, entryConditionsOf(ds, "train"), config.sampler, config.conditioned, config.subsample);
  return sampler.epoch(new Rng(0)).users.length;
}

export interface BudgetPlan {
  /** The config of the run at the reference's budget. */
  config: TrainConfig;
  /** Updates the reference run made (the budget). */
  updates: number;
  /** Rows an epoch: the reference's and the matched run's. */
  referenceRows: number;
  rows: number;
}

/**
 * The config that trains `overrides` (e.g. `{ conditioned: false, run: ... }`) over the
 * reference's config with the reference run's number of updates: epochs = updates / batches
 * an epoch (rounded up), validation every ~reference epoch's worth of updates, the same
 * patience counted in validations.
 */
export function equalUpdatesPlan(
  ds: ProcessedDataset,
  reference: { config: TrainConfig; history: readonly EpochRecord[] },
  overrides: Partial<TrainConfig>,
): BudgetPlan {
  const last = reference.history.at(-1);
  if (!last || last.updates < 1) throw new Error("equal budget: the reference run has no trained epoch to match");
  const base = makeTrainConfig({ ...overrides }, reference.config);
  const referenceRows = rowsPerEpoch(ds, reference.config);
  const rows = rowsPerEpoch(ds, base);
  if (rows === 0) throw new Error(`equal budget: run "${base.run}" would train on no rows`);
  const batches = Math.ceil(rows / base.batchSize);
  const referenceBatches = Math.ceil(referenceRows / reference.config.batchSize);
  const epochs = Math.max(1, Math.ceil(last.updates / batches));
  const validateEvery = Math.max(1, Math.round((referenceBatches * reference.config.validateEvery) / batches));
  const config = makeTrainConfig({ epochs, validateEvery, patience: reference.config.patience }, base);
  return { config, updates: last.updates, referenceRows, rows };
}

/** One trained run in a budget comparison. */
export interface BudgetRun {
  method: string;
  config: TrainConfig;
  history: readonly EpochRecord[];
  bestEpoch: number;
  seconds: number;
}

/**
 * The runs side by side with what each spent: the budget column says which budget is equal (the
 * first run's updates, unless given); early stopping may end a run before its budget.
 */
export function budgetRows(
  runs: readonly BudgetRun[],
  ds: ProcessedDataset,
  options: { updates?: number } = {},
): Record<string, string | number>[] {
  const budget = options.updates ?? runs[0]?.history.at(-1)?.updates ?? 0;
  return runs.map((r) => {
    const last = r.history.at(-1);
    return {
      method: r.method,
      "equal budget": `${budget.toLocaleString("en-US")} updates`,
      "updates done": last?.updates ?? 0,
      epochs: r.history.length,
      "rows an epoch": rowsPerEpoch(ds, r.config),
      "validated every (epochs)": r.config.validateEvery,
      "best epoch": r.bestEpoch,
      "train s": Number(r.seconds.toFixed(1)),
    };
  });
}
