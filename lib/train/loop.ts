// The training loop: Adam on (user, condition) rows, beta schedule, validation nDCG@100
// with early stopping that keeps the best weights, a checkpoint after every epoch, and a
// clean stop on Ctrl-C / kernel interrupt (the checkpoint records the position inside the
// epoch, so resuming reaches the same result as an uninterrupted run).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type BackendInfo, initBackend } from "../model/backend";
import { buildBatch, genreTable, RowSampler, withoutConditions } from "../model/batch";
import { type Checkpoint, checkVocabulary, type EpochRecord, loadCheckpoint, modelDir, saveCheckpoint, type TrainingPosition, vocabularyOf } from "../model/checkpoint";
import { allocate, initParams, type ModelDims, paramLayout } from "../model/parameters";
import { autoThreads, GradientEngine } from "../model/engine";
import { evaluate } from "../analysis/evaluate";
import { CvaeModel } from "../model/cvae-model";
import type { ProcessedDataset } from "../data/preprocess";
import { deriveSeed, Rng } from "../core/rng";
import { betaAt } from "./schedule";
import { loadProcessed } from "../data/store";
import { makeTrainConfig, type TrainConfig } from "./config";

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  beta: number;
  seconds: number;
}

export interface TrainCallbacks {
  onBatch?(p: BatchProgress): void;
  onEpoch?(record: EpochRecord, history: readonly EpochRecord[], etaSeconds: number): void;
  log?(line: string): void;
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
  dir: string;
  history: EpochRecord[];
  bestEpoch: number;
  bestValidNdcg: number;
  /** All epochs ran, or early stopping ended the run. */
  finished: boolean;
  stoppedEarly: boolean;
  /** Stopped by an interrupt; the checkpoint can be resumed. */
  interrupted: boolean;
  /** Where a resumed run continued: completed epochs and batches of the next. */
  resumedFrom: { epoch: number; batch: number } | null;
  backend: BackendInfo;
  threads: number;
  seconds: number;
  /** The best weights (or the last, if validation never ran). */
  model: CvaeModel;
}

/** Config keys that may change when a run is resumed (the rest must match). */
const RESUMABLE_CHANGES: (keyof TrainConfig)[] = ["epochs", "patience", "workers"];

export function modelDims(config: TrainConfig, ds: ProcessedDataset): ModelDims {
  return { items: ds.summary.items, conditions: config.conditioned ? ds.genres.length : 0, hidden: config.hidden, latent: config.latent };
}

/** Trains (or resumes) a model as configured and returns the best weights with the history. */
export async function train(overrides: Partial<TrainConfig>, options: TrainOptions = {}): Promise<TrainResult> {
  const config = makeTrainConfig(overrides);
  const { resume = "auto", callbacks = {}, handleSignals = true } = options;
  const log = callbacks.log ?? (() => undefined);
  const started = performance.now();
  const ds = options.dataset ?? loadProcessed(config.dataset);
  if (ds.name !== config.dataset) throw new Error(`train: config.dataset is "${config.dataset}" but the data set given is "${ds.name}"`);
  const dims = modelDims(config, ds);
  const layout = paramLayout(dims);
  const backend = await initBackend({ log: false });
  const threads = config.workers === "auto" ? autoThreads(backend.name) : config.workers + 1;
  const params = allocate(layout.size, threads > 1);
  const adam = { m: allocate(layout.size, threads > 1), v: allocate(layout.size, threads > 1), step: 0 };
  const dir = modelDir(config.run);

  let position: TrainingPosition;
  let history: EpochRecord[] = [];
  let best: Float32Array;
  let resumedFrom: { epoch: number; batch: number } | null = null;
  const previous = resume === "auto" && existsSync(join(dir, "checkpoint.json")) ? loadCheckpoint(dir, layout) : null;
  if (previous && !previous.checkpoint.position.finished) {
    checkVocabulary(previous.checkpoint, ds, dir);
    const diff = (Object.keys(config) as (keyof TrainConfig)[]).filter((k) => !RESUMABLE_CHANGES.includes(k) && JSON.stringify(config[k]) !== JSON.stringify(previous.checkpoint.config[k]));
    if (diff.length) {
      throw new Error(`${dir} holds an unfinished run with another config (${diff.map((k) => `${k}: ${JSON.stringify(previous.checkpoint.config[k])} there, ${JSON.stringify(config[k])} now`).join("; ")}); resume it with the same config, pick another run name, or start over with resume "never"`);
    }
    params.set(previous.arrays.params);
    adam.m.set(previous.arrays.adamM);
    adam.v.set(previous.arrays.adamV);
    adam.step = previous.arrays.adamStep;
    best = previous.arrays.best.slice();
    position = previous.checkpoint.position;
    history = previous.checkpoint.history;
    resumedFrom = { epoch: position.epoch, batch: position.batchInEpoch };
    log(`resuming ${dir} after epoch ${position.epoch}${position.batchInEpoch ? ` and ${position.batchInEpoch} batches of the next` : ""}`);
  } else {
    initParams(layout, new Rng(deriveSeed(config.seed, "init")), params);
    best = params.slice();
    const state = new Rng(deriveSeed(config.seed, "train")).getState();
    position = { epoch: 0, batchInEpoch: 0, updates: 0, rngEpochStart: state, rngNow: state, partial: { nllSum: 0, klSum: 0, rows: 0, seconds: 0 }, bestEpoch: 0, bestMetric: -Infinity, epochsWithoutImprovement: 0, finished: false, stoppedEarly: false };
  }

  let stopRequested = false;
  const onSignal = () => {
    stopRequested = true;
  };
  if (handleSignals) process.on("SIGINT", onSignal);
  const engine = await GradientEngine.create(layout, { params, adam }, threads, backend.name);
  const save = () => {
    const ck: Checkpoint = { format: "cvae-lens/checkpoint", version: 1, created: new Date().toISOString(), config, dims, vocabulary: vocabularyOf(ds), position, history, backend: backend.name, threads };
    return saveCheckpoint(dir, ck, { params, adamM: adam.m, adamV: adam.v, adamStep: adam.step, best });
  };
  let interrupted = false;
  try {
    const sampler = new RowSampler(ds.train.matrix, ds.itemGenres, config.sampler, config.conditioned, config.subsample, deriveSeed(config.seed, "balanced"));
    const genres = genreTable(ds.itemGenres);
    const rng = Rng.fromState(position.rngEpochStart);
    while (!position.finished && position.epoch < config.epochs) {
      const epoch = position.epoch + 1;
      const epochStart = rng.getState();
      const rows = sampler.epoch(rng);
      const batches = Math.ceil(rows.users.length / config.batchSize);
      let { nllSum, klSum, rows: done, seconds } = position.partial;
      const first = position.batchInEpoch;
      if (first > 0) rng.setState(position.rngNow); // an epoch interrupted half-way continues where it stopped
      let beta = betaAt(position.updates, config.beta);
      const t0 = performance.now();
      for (let b = first; b < batches; b++) {
        const from = b * config.batchSize;
        const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, from, Math.min(rows.users.length, from + config.batchSize), {
          dropout: config.dropout,
          latent: dims.latent,
          rng,
          genres,
          conditions: dims.conditions,
        });
        beta = betaAt(position.updates, config.beta);
        const loss = await engine.step(batch, beta, config.lr);
        position.updates++;
        nllSum += loss.nllSum;
        klSum += loss.klSum;
        done += loss.rows;
        callbacks.onBatch?.({ epoch, epochs: config.epochs, batch: b + 1, batches, loss: (nllSum + beta * klSum) / done, beta, seconds: seconds + (performance.now() - t0) / 1000 });
        if (threads === 1) await new Promise((resolve) => setImmediate(resolve)); // lets an interrupt in
        if ((stopRequested || options.shouldStop?.()) && b + 1 < batches) {
          position = { ...position, batchInEpoch: b + 1, rngEpochStart: epochStart, rngNow: rng.getState(), partial: { nllSum, klSum, rows: done, seconds: seconds + (performance.now() - t0) / 1000 } };
          await save();
          interrupted = true;
          log(`interrupted in epoch ${epoch} after batch ${b + 1}/${batches}; saved ${dir}`);
          break;
        }
      }
      if (interrupted) break;
      seconds += (performance.now() - t0) / 1000;
      const record: EpochRecord = {
        epoch,
        seconds,
        rows: done,
        rowsPerSecond: done / seconds,
        loss: (nllSum + beta * klSum) / done,
        nll: nllSum / done,
        kl: klSum / done,
        beta,
        updates: position.updates,
        validNdcgUnconditioned: null,
        validNdcgConditioned: null,
      };
      let bestMetric = position.bestMetric;
      let bestEpoch = position.bestEpoch;
      let stale = position.epochsWithoutImprovement;
      if (epoch % config.validateEvery === 0 || epoch === config.epochs) {
        const valid = await evaluate(ds, "valid", (bt, k) => engine.rank(dims.conditions ? bt : withoutConditions(bt), k), { conditioned: config.conditioned });
        record.validNdcgUnconditioned = valid.unconditioned.ndcg100;
        record.validNdcgConditioned = valid.conditioned?.ndcg100 ?? null;
        // A C-VAE is selected on its conditioned rows (as the reference does), a Mult-VAE on the unconditioned ones.
        const metric = record.validNdcgConditioned ?? record.validNdcgUnconditioned;
        if (metric > bestMetric) {
          bestMetric = metric;
          bestEpoch = epoch;
          stale = 0;
          best.set(params);
        } else stale++;
      }
      history.push(record);
      const stoppedEarly = config.patience > 0 && stale >= config.patience;
      const finished = stoppedEarly || epoch >= config.epochs;
      position = {
        epoch,
        batchInEpoch: 0,
        updates: position.updates,
        rngEpochStart: rng.getState(),
        rngNow: rng.getState(),
        partial: { nllSum: 0, klSum: 0, rows: 0, seconds: 0 },
        bestEpoch,
        bestMetric,
        epochsWithoutImprovement: stale,
        finished,
        stoppedEarly,
      };
      if (bestEpoch === 0) best.set(params); // nothing validated yet: the last weights are the best known
      await save();
      const meanEpoch = history.reduce((a, r) => a + r.seconds, 0) / history.length;
      callbacks.onEpoch?.(record, history, finished ? 0 : meanEpoch * (config.epochs - epoch));
      if (stoppedEarly) log(`early stop: no better validation nDCG@100 for ${stale} epochs; keeping epoch ${bestEpoch}`);
      if (stopRequested || options.shouldStop?.()) {
        interrupted = !finished;
        if (interrupted) log(`interrupted after epoch ${epoch}; saved ${dir}`);
        break;
      }
    }
  } finally {
    if (handleSignals) process.off("SIGINT", onSignal);
    await engine.close();
  }
  return {
    config,
    dir,
    history,
    bestEpoch: position.bestEpoch,
    bestValidNdcg: position.bestMetric,
    finished: position.finished,
    stoppedEarly: position.stoppedEarly,
    interrupted,
    resumedFrom,
    backend,
    threads,
    seconds: (performance.now() - started) / 1000,
    model: new CvaeModel(config, dims, best.slice(), vocabularyOf(ds)),
  };
}
