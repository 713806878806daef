import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sumOf } from "../../lib/core/checksum";
import { deriveSeed, Rng } from "../../lib/core/rng";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, loadModelCheckpoint } from "../../lib/model/checkpoint";
import { modelConfigOf } from "../../lib/model/config";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { checkpointOf, loadCheckpoint, readCheckpointMeta, saveCheckpoint, trainConfigOf } from "../../lib/train/checkpoint";
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
  /** The record of the one epoch the position says ran. */
  const history = [
    {
      epoch: 1,
      seconds: 0.5,
      rows: 12,
      rowsPerSecond: 24,
      loss: 3.5,
      nll: 3.4,
      kl: 12.5,
      beta: 0.008,
      updates: 3,
      validNdcgUnconditioned: 0.25,
      validNdcgConditioned: 0.5,
    },
  ];
  const parts = { config, dims, vocabulary, position, history, backend: "cpu", threads: 1 };

  it("checkpointOf tags the checkpoint with the format and version constants", () => {
    const ck = checkpointOf(parts);
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
    const ck = checkpointOf(parts);
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

  it("records the checksum of each of checkpoint.json's fields, so an edit is an error naming the field", async () => {
    const dir = join(tempDir("ck-"), "run");
    const params = initParams(layout, new Rng(5));
    await saveCheckpoint(dir, checkpointOf(parts), { params, adam: { m: params, v: params, step: 3 } }, params);
    const path = join(dir, "checkpoint.json");
    const stored = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(stored.version, 3);
    assert.deepEqual(stored.sums["position.bestMetric"], sumOf(Buffer.from("0.5")), "one sum per field, of its JSON");
    assert.ok(stored.sums.history && stored.sums["config.hidden"] && stored.sums.adamStep);
    writeFileSync(path, JSON.stringify({ ...stored, history: [{ ...history[0], loss: 2.5 }] }));
    assert.throws(() => loadCheckpoint(dir), /checkpoint\.json: history does not match its checksum/);
    writeFileSync(path, JSON.stringify({ ...stored, config: { ...stored.config, lr: 0.01 } }));
    assert.throws(() => readCheckpointMeta(dir), /checkpoint\.json: config\.lr does not match its checksum \(4 bytes, .*; 5 bytes/);
  });

  it("names the fields of a checkpoint.json that disagree with each other, and the dims a training's model does not have", async () => {
    const dir = join(tempDir("ck-"), "run");
    const params = initParams(layout, new Rng(5));
    const save = (p: typeof parts) => saveCheckpoint(dir, checkpointOf(p), { params, adam: { m: params, v: params, step: 3 } }, params);
    await save({ ...parts, history: [] });
    assert.throws(() => loadCheckpoint(dir), /checkpoint\.json: history holds 0 records, but position\.epoch says 1 epochs ran/);
    await save(parts);
    const other = paramLayout({ ...dims, hidden: 8 });
    assert.throws(() => loadCheckpoint(dir, other), /checkpoint\.json: dims\.hidden is 4, this training's model has 8/);
  });

  it("loadModelCheckpoint reads the same folder: the config as stored, dims, vocabulary, position and best weights", async () => {
    const dir = join(tempDir("ck-"), "run");
    const params = initParams(layout, new Rng(5));
    const best = params.map((x) => -x);
    const ck = checkpointOf(parts);
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
