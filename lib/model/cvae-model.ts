// A trained C-VAE (or Mult-VAE) ready to use: its weights, config and vocabulary.
// It ranks, scores and encodes batches in this thread; `CvaeModel.load` reads the best
// weights of a checkpoint and checks they fit the data set they are used with.
import type { SparseBatch } from "./batch";
import { checkVocabulary, loadCheckpoint, modelDir, type Vocabulary } from "./checkpoint";
import { type ModelDims, type ParamLayout, paramLayout } from "./parameters";
import { encodeMeans, scoreBatch } from "./forward";
import type { ProcessedDataset } from "../data/schema";
import { topKExcluding } from "./top-k";
import type { TrainConfig } from "../train/config";

export class CvaeModel {
  readonly layout: ParamLayout;

  constructor(
    readonly config: TrainConfig,
    readonly dims: ModelDims,
    readonly params: Float32Array,
    readonly vocabulary: Vocabulary,
  ) {
    this.layout = paramLayout(dims);
    if (params.length !== this.layout.size) throw new RangeError(`model: ${params.length} parameters, the dims need ${this.layout.size}`);
  }

  /** The best weights of data/models/<run>/ (or a checkpoint folder), checked against `ds` when given. */
  static load(runOrDir: string, ds?: ProcessedDataset): CvaeModel {
    const dir = runOrDir.includes("/") ? runOrDir : modelDir(runOrDir);
    const { checkpoint, arrays } = loadCheckpoint(dir);
    if (ds) checkVocabulary(checkpoint, ds, dir);
    return new CvaeModel(checkpoint.config, checkpoint.dims, arrays.best, checkpoint.vocabulary);
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
    return scoreBatch(this.params, this.layout, batch);
  }

  /** Latent means mu, rows x L. */
  encode(batch: SparseBatch): Float32Array {
    return encodeMeans(this.params, this.layout, batch);
  }
}
