// A training run's state between epochs: starting fresh, resuming an unfinished run
// (its stored config must match, except the keys a resume may change), refusing to replace
// a finished one or a folder without a whole checkpoint, and checking that the model fits in memory before anything is allocated.
import { totalmem } from "node:os";
import { deriveSeed, Rng } from "../core/rng";
import type { ProcessedDataset } from "../data/schema";
import { checkVocabulary } from "../model/checkpoint";
import { checkLayout, type LoadedCheckpoint, loadCheckpoint, readCheckpointMeta, type TrainingPosition } from "./checkpoint";
import type { TrainingEngine } from "../model/engine";
import type { EpochRecord } from "../model/history";
import { initialParams, type ParamLayout } from "../model/parameters";
import type { TrainConfig } from "./config";

/** Config keys that may change when a run is resumed (the rest must match). */
const RESUMABLE_CHANGES: (keyof TrainConfig)[] = ["epochs", "patience", "workers"];

/** What a run carries from epoch to epoch (and what a checkpoint restores). */
export interface RunState {
  position: TrainingPosition;
  history: EpochRecord[];
  /** The best weights so far. */
  best: Float32Array;
  resumedFrom: { epoch: number; batch: number } | null;
}

/** The settings of `config` that differ from the stored `before`, as "key: stored there, given now" (none: empty). */
export function configChanges(before: TrainConfig, config: TrainConfig, ignore: readonly (keyof TrainConfig)[] = []): string[] {
  return (Object.keys(config) as (keyof TrainConfig)[])
    .filter((k) => !ignore.includes(k) && JSON.stringify(config[k]) !== JSON.stringify(before[k]))
    .map((k) => `${k}: ${JSON.stringify(before[k])} there, ${JSON.stringify(config[k])} now`);
}

/**
 * The unfinished run in `dir` to continue, or null when there is none (no folder, or an empty one).
 * Throws when the run is finished (a rerun would silently replace it), was configured otherwise,
 * or the folder holds no whole checkpoint (weights without checkpoint.json, a damaged or missing file):
 * a run is replaced only by a restart. The checkpoint is read with its own dims and the config compared
 * before the model's, so a different model size is reported by its setting, not as weights of the wrong size.
 */
export function unfinishedRun(dir: string, layout: ParamLayout, config: TrainConfig, ds: ProcessedDataset): LoadedCheckpoint | null {
  if (readCheckpointMeta(dir, { missingOk: true }) === null) return null;
  const previous = loadCheckpoint(dir);
  const { position, created, config: before } = previous.checkpoint;
  if (position.finished) {
    const epochs = `${position.epoch} epoch${position.epoch === 1 ? "" : "s"}`;
    // The run's name is its folder's (a copied folder keeps the old one), and the threads do not change the model.
    const changes = configChanges(before, config, ["workers", "run"]);
    const asked = changes.length ? `; asked now: ${changes.join("; ")}` : "";
    throw new Error(
      `${dir} holds a finished run (${epochs}, best epoch ${position.bestEpoch}, saved ${created}${asked}); ` +
        `train with restart (\`${restartCommand(config)}\`; in a notebook, resume "never") to replace it, or pick another run name`,
    );
  }
  checkVocabulary(previous.checkpoint, ds, dir);
  const changes = configChanges(before, config, RESUMABLE_CHANGES);
  if (changes.length) {
    throw new Error(
      `${dir} holds an unfinished run with another config (${changes.join("; ")}); resume it ` +
        `with the same config, pick another run name, or start over (\`${restartCommand(config)}\`; in a notebook, resume "never")`,
    );
  }
  checkLayout(dir, previous.checkpoint.dims, layout); // the same config and vocabulary make the same dims
  return previous;
}

/** The command that retrains `config`'s run from scratch, ready to paste. */
function restartCommand(config: TrainConfig): string {
  return `cvae train --run ${config.run} --dataset ${config.dataset} --restart`;
}

export function resumeRun(engine: TrainingEngine, previous: LoadedCheckpoint): RunState {
  const { params, adam } = engine.buffers;
  params.set(previous.arrays.params);
  adam.m.set(previous.arrays.adamM);
  adam.v.set(previous.arrays.adamV);
  adam.step = previous.arrays.adamStep;
  const position = previous.checkpoint.position;
  return {
    position,
    history: previous.checkpoint.history,
    best: previous.arrays.best.slice(),
    resumedFrom: { epoch: position.epoch, batch: position.batchInEpoch },
  };
}

export function freshRun(engine: TrainingEngine, config: TrainConfig): RunState {
  const params = initialParams(engine.layout, config.seed, engine.buffers.params);
  const state = new Rng(deriveSeed(config.seed, "train")).getState();
  const position: TrainingPosition = {
    epoch: 0,
    batchInEpoch: 0,
    updates: 0,
    rngEpochStart: state,
    rngNow: state,
    partial: { nllSum: 0, klSum: 0, rows: 0, seconds: 0 },
    bestEpoch: 0,
    bestMetric: -Infinity,
    epochsWithoutImprovement: 0,
    finished: false,
    stoppedEarly: false,
  };
  return { position, history: [], best: params.slice(), resumedFrom: null };
}

/** Bytes a run keeps in memory: parameters, Adam moments, best weights and one gradient per thread. */
export function checkMemory(layout: ParamLayout, threads: number): void {
  const bytes = layout.size * 4 * (4 + threads);
  const limit = 0.6 * totalmem();
  if (bytes > limit) {
    const { items, hidden, latentDim: latent } = layout.dims;
    throw new RangeError(
      `train config: hidden ${hidden} and latent ${latent} with ${items} items need ${(bytes / 2 ** 30).toFixed(1)} GiB of parameters, ` +
        `Adam state and gradients, more than 60 % of this machine's ${(totalmem() / 2 ** 30).toFixed(0)} GiB; use a smaller hidden`,
    );
  }
}
