// The ml-small fixture preprocessed, and a hand-made C-VAE over it (hidden 16, latent 6) with
// seeded weights, for the analysis tests that need a model but not a trained one.
import { join } from "node:path";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { PreprocessOptions, ProcessedDataset } from "../../lib/data/schema";
import { vocabularyOf } from "../../lib/model/checkpoint";
import { CvaeModel } from "../../lib/model/cvae-model";
import { initialParams, paramLayout } from "../../lib/model/parameters";
import { makeTrainConfig, type TrainConfig } from "../../lib/train/config";

export function smallDataset(options: Partial<PreprocessOptions> = {}): ProcessedDataset {
  return preprocess(readMovieLens(join(__dirname, "..", "fixtures", "ml-small")), "ml-small", options);
}

/** A model whose weights are initialParams(weightsSeed): "trained" when that differs from config.seed. */
export function smallModel(ds: ProcessedDataset, weightsSeed: number, config: Partial<TrainConfig> = {}): CvaeModel {
  const dims = { items: ds.summary.items, conditions: ds.conditions.labels.length, hidden: 16, latentDim: 6 };
  const c = makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 6, ...config });
  return new CvaeModel(c, dims, initialParams(paramLayout(dims), weightsSeed), vocabularyOf(ds));
}
