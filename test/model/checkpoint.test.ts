import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deriveSeed, Rng } from "../../lib/core/rng";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointOf,
  checkVocabulary,
  loadCheckpoint,
  runName,
  saveCheckpoint,
  vocabularyOf,
} from "../../lib/model/checkpoint";
import { smallDataset } from "../helpers/small-model";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { makeTrainConfig } from "../../lib/train/config";
import { tempDir } from "../helpers/temp";

describe("runName(dataset, prefix)", () => {
  it("names a run <prefix>-<dataset>, cvae by default (notebooks 03-05 and the CLI)", () => {
    assert.equal(runName("synthetic"), "cvae-synthetic");
    assert.equal(runName("ml-1m", "mult"), "mult-ml-1m");
  });
});

describe("checkpointOf(parts), saveCheckpoint and loadCheckpoint", () => {
  const dims = { items: 6, conditions: 2, hidden: 4, latent: 2 };
  const layout = paramLayout(dims);
  const config = makeTrainConfig({ dataset: "toy", hidden: 4, latent: 2 });
  const state = new Rng(deriveSeed(1, "train")).getState();
  const position = {
    epoch: 1,
    batchInEpoch: 0,
    updates: 3,
    rngEpochStart: state,
    rngNow: state,
    partial: { nllSum: 0, klSum: 0, rows: 0, seconds: 0 },
    bestEpoch: 1,
    bestMetric: 0.5,
    epochsWithoutImprovement: 0,
    finished: false,
    stoppedEarly: false,
  };
  const vocabulary = { dataset: "toy", itemMovieIds: [1, 2, 3, 4, 5, 6], genres: ["a", "b"] };

  it("checkpointOf tags the checkpoint with the format and version constants", () => {
    const ck = checkpointOf({ config, dims, vocabulary, position, history: [], backend: "cpu", threads: 1 });
    assert.equal(ck.format, CHECKPOINT_FORMAT);
    assert.equal(ck.version, CHECKPOINT_VERSION);
    assert.ok(!Number.isNaN(Date.parse(ck.created)));
  });

  it("a saved checkpoint loads back with the same metadata, weights, Adam state and best weights", async () => {
    const dir = join(tempDir("ck-"), "run");
    const params = initParams(layout, new Rng(5));
    const m = params.map((x) => x / 2);
    const v = params.map((x) => x * x);
    const best = params.map((x) => -x);
    const ck = checkpointOf({ config, dims, vocabulary, position, history: [], backend: "cpu", threads: 1 });
    await saveCheckpoint(dir, ck, { params, adam: { m, v, step: 7 } }, best);
    assert.deepEqual(readdirSync(dir).sort(), ["best.bin", "checkpoint.json", "state.bin"]);
    const loaded = loadCheckpoint(dir, layout);
    assert.deepEqual(loaded.checkpoint, ck);
    assert.deepEqual(Array.from(loaded.arrays.params), Array.from(params));
    assert.deepEqual(Array.from(loaded.arrays.adamM), Array.from(m));
    assert.deepEqual(Array.from(loaded.arrays.adamV), Array.from(v));
    assert.deepEqual(Array.from(loaded.arrays.best), Array.from(best));
    assert.equal(loaded.arrays.adamStep, 7);
    assert.equal(JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")).format, "cvae-lens/checkpoint");
  });
});

describe("vocabularyOf(ds) and checkVocabulary(checkpoint, ds, where)", () => {
  const genre = smallDataset();
  const daypart = smallDataset({ conditions: "daypart" });

  it("records the condition kind and labels, and accepts the data set it came from", () => {
    const v = vocabularyOf(daypart);
    assert.deepEqual([v.conditionKind, v.genres], ["daypart", ["night", "morning", "afternoon", "evening"]]);
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: v }, daypart, "here"));
  });

  it("refuses a model of another kind over the same items, naming both kinds", () => {
    assert.throws(
      () => checkVocabulary({ vocabulary: vocabularyOf(genre) }, daypart, "data/models/x"),
      /data\/models\/x: the model was trained on data set "ml-small" \(\d+ items, \d+ genres\), not on "ml-small" \(\d+ items, 4 dayparts/,
    );
  });

  it("reads a checkpoint written before condition kinds (no conditionKind) as a genre model", () => {
    const { conditionKind: _k, ...old } = vocabularyOf(genre);
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: old }, genre, "old"));
    assert.throws(() => checkVocabulary({ vocabulary: old }, daypart, "old"), /genres\), not on/);
  });
});
