// The training loop: Adam on (user, condition) rows, beta schedule, validation nDCG@100
// with early stopping that keeps the best weights, a checkpoint after every epoch, and a
// clean stop on Ctrl-C / kernel interrupt (the checkpoint records the position inside the
// epoch, so resuming reaches the same result as an uninterrupted run).
import { dirname, join } from "node:path";
import { takeInterrupts } from "../core/interrupt";
import { acquireLock } from "../core/lock";
import { deriveSeed, Rng } from "../core/rng";
import { type EntryConditions, entryConditionsOf } from "../data/conditions/conditions";
import type { ProcessedDataset } from "../data/schema";
import { loadProcessed } from "../data/store";
import { evaluate } from "../evaluation/evaluate";
import { type BackendInfo, initBackend } from "../model/backend";
import { buildBatch } from "../model/batch";
import { modelDir, vocabularyOf } from "../model/checkpoint";
import { checkpointOf, saveCheckpoint } from "./checkpoint";
import { CvaeModel } from "../model/cvae-model";
import type { TrainingEngine } from "../model/engine";
import { createTrainingEngine } from "../model/engines";
import { autoThreads } from "../model/threads";
import { type EpochRecord, meanEpochSeconds } from "../model/history";
import { type ModelDims, type ParamLayout, paramLayout } from "../model/parameters";
import { makeTrainConfig, type TrainConfig } from "./config";
import { finishRun, type RunFolders, runFolders, stagedNote } from "./replace";
import { checkMemory, freshRun, resumeRun, type RunState, unfinishedRun } from "./run";
import { RowSampler } from "./samplers";
import { betaAt } from "./schedule";

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  beta: number;
  /** Seconds of the epoch so far. */
  seconds: number;
  /** Rows per second over the batches of this process. */
  rowsPerSecond: number;
  /** Estimated seconds to the end of the run, from the batch rate (first epoch included). */
  etaSeconds: number;
}

export interface TrainCallbacks {
  onBatch?(p: BatchProgress): void;
  onEpoch?(record: EpochRecord, history: readonly EpochRecord[], etaSeconds: number): void;
  log?(line: string): void;
  /** Awaited before train() returns: a notebook's displays still waiting for the kernel's socket go out. */
  settle?(): Promise<void>;
}

export interface TrainOptions {
  /** "auto": continue data/models/<run>/ when it holds an unfinished run with the same config; "never": start over. */
  resume?: "auto" | "never";
  callbacks?: TrainCallbacks;
  /** Checked after every batch; returning true stops cleanly after saving. */
  shouldStop?: () => boolean;
  /** Stop on SIGINT (Ctrl-C in a terminal, "interrupt kernel" in Jupyter); default true. */
  handleSignals?: boolean;
  /** An already loaded data set (else config.dataset is loaded). */
  dataset?: ProcessedDataset;
}

export interface TrainResult {
  config: TrainConfig;
  /** The run's folder (data/models/<run>/), which holds the model once the run finishes. */
  dir: string;
  /**
   * Where this training's checkpoints are: \`dir\`, or the staging folder of a retraining that
   * did not finish (the finished model in \`dir\` was kept; a resume continues the staged run).
   */
  checkpointDir: string;
  /** A finished model (or a folder holding no readable run) in \`dir\` was kept while this training ran (replaced only if it finished). */
  keptFinished: boolean;
  history: EpochRecord[];
  bestEpoch: number;
  bestValidNdcg: number;
  /** All epochs ran, or early stopping ended the run. */
  finished: boolean;
  stoppedEarly: boolean;
  /** Stopped by an interrupt; the checkpoint can be resumed. */
  interrupted: boolean;
  /** Where an interrupt stopped inside an epoch (batches of it done); null after a whole epoch or no interrupt. */
  interruptedAt: { epoch: number; batch: number; batches: number } | null;
  /** Where a resumed run continued: completed epochs and batches of the next. */
  resumedFrom: { epoch: number; batch: number } | null;
  backend: BackendInfo;
  threads: number;
  seconds: number;
  /** The best weights (or the last, if validation never ran). */
  model: CvaeModel;
}

export function modelDims(config: TrainConfig, ds: ProcessedDataset): ModelDims {
  return {
    items: ds.summary.items,
    conditions: config.conditioned ? ds.conditions.labels.length : 0,
    hidden: config.hidden,
    latentDim: config.latent,
  };
}

/** Everything one epoch needs that does not change between epochs. */
interface EpochContext {
  config: TrainConfig;
  ds: ProcessedDataset;
  dims: ModelDims;
  engine: TrainingEngine;
  sampler: RowSampler;
  /** The conditions of the training entries (targets of conditioned rows). */
  trainConditions: EntryConditions;
  callbacks: TrainCallbacks;
  wantsStop: () => boolean;
  save: () => Promise<void>;
  log: (line: string) => void;
  dir: string;
  /** Set by trainEpoch when an interrupt stops it half-way. */
  stoppedAt: TrainResult["interruptedAt"];
}

/**
 * Trains the batches of the next epoch (from where an interrupted epoch stopped). Returns
 * the epoch's record, or null when an interrupt stopped it half-way (the position is saved).
 */
async function trainEpoch(ctx: EpochContext, run: RunState, rng: Rng): Promise<EpochRecord | null> {
  const { config, ds, dims, engine } = ctx;
  const epoch = run.position.epoch + 1;
  const epochStart = rng.getState();
  const rows = ctx.sampler.epoch(rng);
  const batches = Math.ceil(rows.users.length / config.batchSize);
  let { nllSum, klSum, rows: done, seconds } = run.position.partial;
  // Rows submitted: on a GPU their losses arrive a few batches later (done counts those).
  let submitted = done;
  const first = run.position.batchInEpoch;
  if (first > 0) rng.setState(run.position.rngNow); // an epoch interrupted half-way continues where it stopped
  let beta = betaAt(run.position.updates, config.beta);
  const t0 = performance.now();
  for (let b = first; b < batches; b++) {
    const from = b * config.batchSize;
    const to = Math.min(rows.users.length, from + config.batchSize);
    const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, from, to, {
      dropout: config.dropout,
      latentDim: dims.latentDim,
      rng,
      targetConditions: ctx.trainConditions,
    });
    beta = betaAt(run.position.updates, config.beta);
    const loss = await engine.step(batch, beta, config.lr);
    run.position.updates++;
    submitted += batch.rows;
    nllSum += loss.nllSum;
    klSum += loss.klSum;
    done += loss.rows;
    const here = (performance.now() - t0) / 1000;
    const perBatch = here / (b + 1 - first);
    ctx.callbacks.onBatch?.({
      epoch,
      epochs: config.epochs,
      batch: b + 1,
      batches,
      loss: done > 0 ? (nllSum + beta * klSum) / done : NaN,
      beta,
      seconds: seconds + here,
      rowsPerSecond: (submitted - run.position.partial.rows) / Math.max(here, 1e-9),
      etaSeconds: perBatch * (batches - b - 1 + (config.epochs - epoch) * batches),
    });
    if (engine.threads === 1) await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt in
    if (ctx.wantsStop() && b + 1 < batches) {
      const rest = await engine.flush();
      nllSum += rest.nllSum;
      klSum += rest.klSum;
      done += rest.rows;
      const partial = { nllSum, klSum, rows: done, seconds: seconds + (performance.now() - t0) / 1000 };
      run.position = { ...run.position, batchInEpoch: b + 1, rngEpochStart: epochStart, rngNow: rng.getState(), partial };
      await ctx.save();
      ctx.stoppedAt = { epoch, batch: b + 1, batches };
      return null;
    }
  }
  const rest = await engine.flush();
  nllSum += rest.nllSum;
  klSum += rest.klSum;
  done += rest.rows;
  seconds += (performance.now() - t0) / 1000;
  return {
    epoch,
    seconds,
    rows: done,
    rowsPerSecond: done / seconds,
    loss: (nllSum + beta * klSum) / done,
    nll: nllSum / done,
    kl: klSum / done,
    beta,
    updates: run.position.updates,
    validNdcgUnconditioned: null,
    validNdcgConditioned: null,
  };
}

/** Validates when due, keeps the best weights and moves the position past the epoch. */
async function closeEpoch(ctx: EpochContext, run: RunState, record: EpochRecord, rng: Rng): Promise<void> {
  const { config, ds, engine } = ctx;
  let { bestMetric, bestEpoch, epochsWithoutImprovement: stale } = run.position;
  if (record.epoch % config.validateEvery === 0 || record.epoch === config.epochs) {
    const valid = await evaluate(ds, "valid", (bt, k) => engine.rank(bt, k), { conditioned: config.conditioned });
    record.validNdcgUnconditioned = valid.unconditioned.ndcg100;
    record.validNdcgConditioned = valid.conditioned?.ndcg100 ?? null;
    // A C-VAE is selected on its conditioned rows (as the reference does), a Mult-VAE on the unconditioned ones.
    const metric = record.validNdcgConditioned ?? record.validNdcgUnconditioned;
    if (metric > bestMetric) {
      bestMetric = metric;
      bestEpoch = record.epoch;
      stale = 0;
      await engine.sync();
      run.best.set(engine.buffers.params);
    } else stale++;
  }
  run.history.push(record);
  const stoppedEarly = config.patience > 0 && stale >= config.patience;
  const finished = stoppedEarly || record.epoch >= config.epochs;
  const state = rng.getState();
  run.position = {
    epoch: record.epoch,
    batchInEpoch: 0,
    updates: run.position.updates,
    rngEpochStart: state,
    rngNow: state,
    partial: { nllSum: 0, klSum: 0, rows: 0, seconds: 0 },
    bestEpoch,
    bestMetric,
    epochsWithoutImprovement: stale,
    finished,
    stoppedEarly,
  };
  if (bestEpoch === 0) {
    await engine.sync();
    run.best.set(engine.buffers.params); // nothing validated yet: the last weights are the best known
  }
}

/** Trains (or resumes) a model as configured and returns the best weights with the history. */
export async function train(overrides: Partial<TrainConfig>, options: TrainOptions = {}): Promise<TrainResult> {
  const config = makeTrainConfig(overrides);
  const log = options.callbacks?.log ?? (() => undefined);
  const started = performance.now();
  const ds = options.dataset ?? loadProcessed(config.dataset);
  if (ds.name !== config.dataset) throw new Error(`train: config.dataset is "${config.dataset}" but the data set given is "${ds.name}"`);
  // Without validation users there is nothing to select the best epoch on (every metric would be NaN).
  if (ds.valid.userIds.length === 0) {
    throw new Error(`train: data set "${ds.name}" has no validation users; prepare it with heldout >= 1 (cvae data prepare --heldout N)`);
  }
  const dims = modelDims(config, ds);
  const layout = paramLayout(dims);
  const backend = await initBackend({ log: false });
  // On a GPU the step is the GPU's: worker threads would have nothing to do.
  const threads = backend.name === "webgpu" ? 1 : config.workers === "auto" ? autoThreads(backend.name) : config.workers + 1;
  const dir = modelDir(config.run);
  checkMemory(layout, threads);
  // One training per run at a time: a second one would overwrite the first's checkpoints.
  const lock = acquireLock(join(dirname(dir), `.${config.run}.lock`), `run "${config.run}"`);
  if (lock.reclaimed) log(`took over the lock of ${config.run} from process ${lock.reclaimed.pid}, which is gone`);
  try {
    const folders = runFolders(config.run, options.resume ?? "auto");
    if (folders.staged) log(stagedNote(folders));
    return await trainLocked(config, options, { ds, dims, layout, backend, threads, folders, log, started });
  } finally {
    lock.release();
  }
}

interface RunSetup {
  ds: ProcessedDataset;
  dims: ModelDims;
  layout: ParamLayout;
  backend: BackendInfo;
  threads: number;
  folders: RunFolders;
  log: (line: string) => void;
  started: number;
}

async function trainLocked(config: TrainConfig, options: TrainOptions, setup: RunSetup): Promise<TrainResult> {
  const { ds, dims, layout, backend, threads, folders, log, started } = setup;
  const dir = folders.work;
  const { resume = "auto", callbacks = {}, handleSignals = true } = options;
  const previous = resume === "auto" ? unfinishedRun(dir, layout, config, ds) : null;

  let stopRequested = false;
  const engine = await createTrainingEngine(layout, threads, backend.name);
  const run = previous ? resumeRun(engine, previous) : freshRun(engine, config);
  engine.load();
  if (run.resumedFrom) {
    const { epoch, batch } = run.resumedFrom;
    log(`resuming ${dir} after epoch ${epoch}${batch ? ` and ${batch} batches of the next` : ""}`);
  }
  const vocabulary = vocabularyOf(ds);
  const trainConditions = entryConditionsOf(ds, "train");
  const ctx: EpochContext = {
    config,
    ds,
    dims,
    engine,
    sampler: new RowSampler(
      ds.train.matrix,
      trainConditions,
      config.sampler,
      config.conditioned,
      config.subsample,
      deriveSeed(config.seed, "balanced"),
    ),
    trainConditions,
    callbacks,
    wantsStop: () => stopRequested || Boolean(options.shouldStop?.()),
    save: async () => {
      await engine.sync();
      await saveCheckpoint(
        dir,
        checkpointOf({ config, dims, vocabulary, position: run.position, history: run.history, backend: backend.name, threads }),
        engine.buffers,
        run.best,
      );
    },
    log,
    dir,
    stoppedAt: null,
  };
  // The first interrupt stops after the current batch and saves; the run ends normally with
  // `interrupted` (a notebook cell ends with one line, not tslab's stack trace).
  const releaseInterrupts = handleSignals
    ? takeInterrupts({
        onFirst: () => {
          stopRequested = true;
          log("interrupt: stopping after this batch and saving a checkpoint (interrupt again to stop at once)");
        },
        onSecond: () => log("second interrupt: stopping at once; the last saved checkpoint is kept"),
      })
    : () => undefined;
  let interrupted = false;
  try {
    const rng = Rng.fromState(run.position.rngEpochStart);
    while (!run.position.finished && run.position.epoch < config.epochs) {
      const record = await trainEpoch(ctx, run, rng);
      if (!record) {
        interrupted = true;
        break;
      }
      await closeEpoch(ctx, run, record, rng);
      await ctx.save();
      const { finished, stoppedEarly, bestEpoch, epochsWithoutImprovement } = run.position;
      callbacks.onEpoch?.(record, run.history, finished ? 0 : meanEpochSeconds(run.history) * (config.epochs - record.epoch));
      // A turn of the event loop after each epoch's displays, so the kernel's socket catches up before more output.
      await new Promise((resolve) => setImmediate(resolve));
      if (stoppedEarly) log(`early stop: no better validation nDCG@100 for ${epochsWithoutImprovement} epochs; keeping epoch ${bestEpoch}`);
      if (ctx.wantsStop()) {
        interrupted = !finished;
        break;
      }
    }
  } finally {
    releaseInterrupts();
    await engine.close();
    await callbacks.settle?.();
  }
  const { position } = run;
  const swapped = position.finished && folders.staged;
  if (position.finished) finishRun(folders);
  if (swapped) log(`replaced ${folders.kept} in ${folders.dir} with this training's`);
  return {
    config,
    dir: folders.dir,
    checkpointDir: position.finished ? folders.dir : dir,
    keptFinished: folders.staged,
    history: run.history,
    bestEpoch: position.bestEpoch,
    bestValidNdcg: position.bestMetric,
    finished: position.finished,
    stoppedEarly: position.stoppedEarly,
    interrupted,
    interruptedAt: interrupted ? ctx.stoppedAt : null,
    resumedFrom: run.resumedFrom,
    backend,
    threads,
    seconds: (performance.now() - started) / 1000,
    model: new CvaeModel(
      config,
      dims,
      run.best.slice(),
      vocabulary,
      { epochs: position.epoch, finished: position.finished, bestEpoch: position.bestEpoch },
      position.finished ? folders.dir : dir,
    ),
  };
}
