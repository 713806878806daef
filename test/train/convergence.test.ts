// The default training (the "paper" preset) trains to validation convergence on any data, where an
// epoch count sized for one data set does not: on a small synthetic set (160 training users, two
// updates an epoch) 5 epochs leave the C-VAE below popularity on the genre rows, as 5 epochs left
// real ml-latest-small, while the default stops by itself once validation stops improving.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { checkAgainstPopularity } from "../../lib/analysis/model-check";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import { writeSynthetic } from "../../lib/data/synthetic/synth";
import { budgetNote } from "../../lib/model/cvae-model";
import { defaultTrainConfig, presetConfig } from "../../lib/train/config";
import { train } from "../../lib/train/loop";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("convergence-test-");

let ds: ProcessedDataset;
before(async () => {
  const raw = join(tempDir("convergence-raw-"), "small");
  await writeSynthetic(raw, { users: 200, movies: 400, ratings: 12_000, seed: 5, minUserRatings: 20 });
  ds = preprocess(readMovieLens(raw), "small");
  await saveProcessed(ds);
});

const quiet = { handleSignals: false, resume: "never" as const };
// The schedule is what is tested (epochs, early stopping, beta); smaller layers than the default 600/200
// keep the test cheap and show the same: the quick preset below popularity, the default above it.
const SIZES = { hidden: 200, latent: 64, workers: 0 } as const;

describe("the default training on a data set where 5 epochs are not enough", () => {
  it("the quick preset's 5 epochs stay below popularity on validation, and the model says it ended still improving", async () => {
    const r = await train(presetConfig("quick", { dataset: "small", run: "quick", ...SIZES }), { ...quiet, dataset: ds });
    assert.equal(r.history.length, 5);
    const check = await checkAgainstPopularity(ds, r.model);
    assert.equal(check.beats, false, check.text);
    assert.match(String(budgetNote(r.model)), /ended at its epoch budget \(5\)/);
  });

  it("the default (paper preset) stops by itself when validation stops improving, before its budget, and beats popularity", async () => {
    const r = await train({ ...defaultTrainConfig(), dataset: "small", run: "default", ...SIZES }, { ...quiet, dataset: ds });
    assert.equal(r.stoppedEarly, true, `${r.history.length} epochs, best ${r.bestEpoch}`);
    assert.ok(r.history.length < r.config.epochs && r.bestEpoch > 5, `${r.history.length} epochs, best ${r.bestEpoch}`);
    assert.equal(r.history.length - r.bestEpoch, r.config.patience, "it stops patience epochs after the best one");
    const check = await checkAgainstPopularity(ds, r.model);
    assert.equal(check.beats, true, check.text);
    assert.equal(budgetNote(r.model), null);
  });
});
