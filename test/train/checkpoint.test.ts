import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deriveSeed, Rng } from "../../lib/core/rng";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, loadModelCheckpoint } from "../../lib/model/checkpoint";
import { modelConfigOf } from "../../lib/model/config";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { checkpointOf, loadCheckpoint, saveCheckpoint, trainConfigOf } from "../../lib/train/checkpoint";
import { makeTrainConfig } from "../../lib/train/config";
import { tempDir } from "../helpers/temp";

describe("checkpointOf(parts), saveCheckpoint and loadCheckpoint", () => {
  const dims = { items: 6, conditions: 2, hidden: 4, latentDim: 2 };
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
    const stored = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
    assert.equal(stored.format, "cvae-lens/checkpoint");
    assert.deepEqual(
      Object.entries(stored.dims),
      [
        ["items", 6],
        ["conditions", 2],
        ["hidden", 4],
        ["latent", 2],
      ],
      "dims as always stored",
    );
  });

  it("loadModelCheckpoint reads the same folder: the config as stored, dims, vocabulary, position and best weights", async () => {
    const dir = join(tempDir("ck-"), "run");
    const params = initParams(layout, new Rng(5));
    const best = params.map((x) => -x);
    const ck = checkpointOf({ config, dims, vocabulary, position, history: [], backend: "cpu", threads: 1 });
    await saveCheckpoint(dir, ck, { params, adam: { m: params, v: params, step: 7 } }, best);
    const model = loadModelCheckpoint(dir);
    assert.deepEqual(model.config, config, "the stored config, as stored");
    assert.deepEqual([model.dims, model.vocabulary, model.position], [dims, vocabulary, { epoch: 1, finished: false, bestEpoch: 1 }]);
    assert.deepEqual(Array.from(model.best), Array.from(best));
  });
});

describe("trainConfigOf(a model's config)", () => {
  it("passes a whole training config as it is, and names the first training setting a model-only config lacks", () => {
    const config = makeTrainConfig({ dataset: "toy", hidden: 4, latent: 2 });
    assert.equal(trainConfigOf(config), config);
    const modelOnly = { ...modelConfigOf(config), dataset: "toy", run: "r", epochs: 3, patience: 0 };
    assert.throws(() => trainConfigOf(modelOnly), /train config: sampler must be one of "full", "balanced", "one-genre", got undefined/);
  });
});
