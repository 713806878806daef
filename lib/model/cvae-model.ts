// A trained C-VAE (or Mult-VAE) ready to use: its weights, config (its own settings and its
// run's name, data set and epoch budget) and vocabulary, and how far its training got. It
// ranks, scores and encodes batches in this thread; `CvaeModel.load` reads the model's part of
// a checkpoint (lib/model/checkpoint.ts) and checks it fits the data set it is used with.
import type { SparseBatch } from "./batch";
import { checkVocabulary, loadModelCheckpoint, modelDir, type TrainedModelConfig, type Vocabulary } from "./checkpoint";
import { initialParams, type ModelDims, type ParamLayout, paramLayout } from "./parameters";
import { encodeMeans, encodeUnderEveryCondition, scoreBatch } from "./forward";
import { activeGemm } from "./backend";
import type { ProcessedDataset } from "../data/schema";
import { topKExcluding } from "./top-k";

/** How far a model's training got. */
export interface TrainingState {
  /** Epochs completed. */
  epochs: number;
  /** All epochs ran, or early stopping ended the run. */
  finished: boolean;
  /** The epoch whose weights these are (0: none validated yet). */
  bestEpoch: number;
}

export interface ModelStatus {
  run: string;
  /** The checkpoint folder the model came from (null for a model built in memory). */
  dir: string | null;
  epochs: number;
  plannedEpochs: number;
  finished: boolean;
  bestEpoch: number;
}

export class CvaeModel {
  readonly layout: ParamLayout;

  constructor(
    readonly config: TrainedModelConfig,
    readonly dims: ModelDims,
    readonly params: Float32Array,
    readonly vocabulary: Vocabulary,
    readonly training: TrainingState = { epochs: config.epochs, finished: true, bestEpoch: 0 },
    /** Where the checkpoint lives (analysis output such as the latent PCA goes beside it). */
    readonly dir: string | null = null,
  ) {
    this.layout = paramLayout(dims);
    if (params.length !== this.layout.size) throw new RangeError(`model: ${params.length} parameters, the dims need ${this.layout.size}`);
  }

  /** The best weights of data/models/<run>/ (or a checkpoint folder), checked against `ds` when given. */
  static load(runOrDir: string, ds?: ProcessedDataset): CvaeModel {
    const dir = runOrDir.includes("/") ? runOrDir : modelDir(runOrDir);
    const checkpoint = loadModelCheckpoint(dir);
    if (ds) checkVocabulary(checkpoint, ds, dir);
    const { position } = checkpoint;
    const training = { epochs: position.epoch, finished: position.finished, bestEpoch: position.bestEpoch };
    return new CvaeModel(checkpoint.config, checkpoint.dims, checkpoint.best, checkpoint.vocabulary, training, dir);
  }

  /**
   * The same architecture with the weights its training started from (the config's seed,
   * as lib/train/run.ts initialises them): the untrained control of the latent analysis.
   */
  untrainedTwin(): CvaeModel {
    const params = initialParams(this.layout, this.config.seed);
    return new CvaeModel(this.config, this.dims, params, this.vocabulary, { epochs: 0, finished: false, bestEpoch: 0 }, null);
  }

  /** The run, its folder and how far training got (for JSON output). */
  status(): ModelStatus {
    const { epochs, finished, bestEpoch } = this.training;
    return { run: this.config.run, dir: this.dir, epochs, plannedEpochs: this.config.epochs, finished, bestEpoch };
  }

  get conditioned(): boolean {
    return this.dims.conditions > 0;
  }

  /**
   * Top-k items per row, input items excluded. A model without conditions ignores the
   * rows' conditions (so a Mult-VAE can be scored on the conditioned protocol too).
   */
  rank(batch: SparseBatch, k: number): Int32Array {
    return topKExcluding(this.scores(batch), batch, this.dims.items, k);
  }

  /** Scores (logits) rows x m. */
  scores(batch: SparseBatch): Float32Array {
    return scoreBatch(activeGemm(), this.params, this.layout, batch);
  }

  /** Latent means mu, rows x L. */
  encode(batch: SparseBatch): Float32Array {
    return encodeMeans(activeGemm(), this.params, this.layout, batch);
  }

  /** Latent means of every row under no condition, then under each condition: ((C + 1) x rows) x L (forward.ts). */
  encodeUnderEveryCondition(batch: SparseBatch): Float32Array {
    return encodeUnderEveryCondition(activeGemm(), this.params, this.layout, batch);
  }
}

/**
 * A warning when the model's training is unfinished (interrupted), naming the epochs done and how to
 * resume (`finish`: the CLI command unless a notebook words it with its parameters); null otherwise.
 */
export function trainingNote(model: CvaeModel, finish?: string): string | null {
  if (model.training.finished) return null;
  const { epochs } = model.training;
  const weights =
    model.training.bestEpoch > 0 ? `the best weights so far (epoch ${model.training.bestEpoch})` : "weights that were never validated";
  return (
    `model "${model.config.run}" is UNFINISHED: ${epochs} of ${model.config.epochs} epochs trained, so results use ${weights}; ` +
    (finish ?? `finish it with \`npx cvae train --run ${model.config.run} --dataset ${model.config.dataset}\``)
  );
}

/**
 * A note when a finished training ended at its epoch budget while validation was still
 * improving (the best epoch within the last \`patience\` epochs, or early stopping off): the
 * model may be undertrained. Null for a run that early stopping ended, or an unfinished one.
 */
export function budgetNote(model: CvaeModel): string | null {
  const { epochs, finished, bestEpoch } = model.training;
  if (!finished || epochs < model.config.epochs || bestEpoch === 0) return null;
  const since = epochs - bestEpoch;
  if (model.config.patience > 0 && since >= model.config.patience) return null;
  const when = since === 0 ? "in its last epoch" : `${since} epoch${since === 1 ? "" : "s"} before the end`;
  return (
    `model "${model.config.run}" ended at its epoch budget (${epochs}) with validation nDCG@100 still improving ${when}: ` +
    `it may be undertrained; more epochs, or the "paper" preset (training to convergence), may give a better model`
  );
}
