import assert from "node:assert/strict";
import { cpSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import { modelDir } from "../../lib/model/checkpoint";
import { makeTrainConfig, type TrainConfig } from "../../lib/train/config";
import { train } from "../../lib/train/loop";
import { ensureSeedModels, planSeedRuns, sameTraining, seedRunState } from "../../lib/train/seeds";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("seeds-test-");
const TINY: Partial<TrainConfig> = {
  dataset: "ml-small",
  hidden: 16,
  latent: 4,
  batchSize: 32,
  epochs: 2,
  patience: 0,
  workers: 0,
  seed: 11,
};

describe("planSeedRuns(explored config, { seeds, training })", () => {
  const explored = makeTrainConfig({ ...TINY, run: "base" });

  it("gives the explored run's seed and the next ones; with training 'run' only the seed differs and the first is the explored run", () => {
    const plans = planSeedRuns(explored, { seeds: 3, training: "run" });
    assert.deepEqual(
      plans.map((p) => [p.seed, p.run, p.isExplored]),
      [
        [11, "base", true],
        [12, "base-seed12", false],
        [13, "base-seed13", false],
      ],
    );
    assert.equal(plans[0].config, explored);
    for (const p of plans.slice(1)) {
      const { seed, run, ...rest } = p.config;
      const { seed: s0, run: r0, ...base } = explored;
      assert.deepEqual(rest, base);
      assert.notEqual(seed, s0);
      assert.notEqual(run, r0);
    }
  });

  it("with a preset, applies its schedule over the run's architecture, names runs after it, leaves the explored run out", () => {
    const plans = planSeedRuns(explored, { seeds: 2, training: "quick" });
    assert.deepEqual(
      plans.map((p) => [p.run, p.isExplored, p.config.epochs, p.config.patience, p.config.beta.kind]),
      [
        ["base-quick-seed11", false, 5, 0, "fixed"],
        ["base-quick-seed12", false, 5, 0, "fixed"],
      ],
    );
    for (const p of plans) assert.deepEqual([p.config.hidden, p.config.latent, p.config.dataset], [16, 4, "ml-small"]);
    assert.equal(planSeedRuns(explored, { seeds: 2, training: "paper" })[0].config.epochs, 100);
  });

  it("reuses the explored run for its seed when its training is the preset's", () => {
    const quickRun = makeTrainConfig({ ...TINY, run: "q", epochs: 5, patience: 0, beta: { kind: "fixed", value: 0.008 } });
    const plans = planSeedRuns(quickRun, { seeds: 2, training: "quick" });
    assert.deepEqual(
      plans.map((p) => [p.run, p.isExplored]),
      [
        ["q", true],
        ["q-quick-seed12", false],
      ],
    );
  });

  it("seeds wrap around at 2^32, and one seed is the explored model alone", () => {
    const top = makeTrainConfig({ ...TINY, run: "top", seed: 0xffffffff });
    assert.deepEqual(
      planSeedRuns(top, { seeds: 2, training: "run" }).map((p) => p.seed),
      [0xffffffff, 0],
    );
    assert.deepEqual(
      planSeedRuns(explored, { seeds: 1, training: "run" }).map((p) => p.run),
      ["base"],
    );
  });

  it("rejects a bad count or training, naming the parameter", () => {
    assert.throws(() => planSeedRuns(explored, { seeds: 0, training: "run" }), /seeds must be an integer in \[1, 50\], got 0/);
    assert.throws(() => planSeedRuns(explored, { seeds: 2.5, training: "run" }), /seeds must be an integer/);
    assert.throws(() => planSeedRuns(explored, { seeds: 51, training: "run" }), /seeds must be/);
    assert.throws(
      () => planSeedRuns(explored, { seeds: 2, training: "fast" as "run" }),
      /seed training must be one of quick, paper, run, got "fast"/,
    );
  });
});

describe("sameTraining(a, b)", () => {
  it("ignores the run name and the threads, and nothing else", () => {
    const a = makeTrainConfig({ ...TINY, run: "a" });
    assert.ok(sameTraining(a, makeTrainConfig({ ...TINY, run: "b", workers: "auto" })));
    assert.ok(!sameTraining(a, makeTrainConfig({ ...TINY, run: "a", seed: 12 })));
    assert.ok(!sameTraining(a, makeTrainConfig({ ...TINY, run: "a", hidden: 17 })));
    assert.ok(!sameTraining(a, makeTrainConfig({ ...TINY, run: "a", beta: { kind: "fixed", value: 0.1 } })));
  });
});

describe("ensureSeedModels(ds, plans, options) and seedRunState(plan)", () => {
  let ds: ProcessedDataset;
  before(async () => {
    await tf.setBackend("cpu");
    ds = preprocess(readMovieLens(join(__dirname, "..", "fixtures", "ml-small")), "ml-small");
    await saveProcessed(ds);
  });

  it("trains the missing seed models once, uses the explored model as given, and loads them the second time", async () => {
    const explored = (await train({ ...TINY, run: "ex" }, { handleSignals: false, dataset: ds })).model;
    const plans = planSeedRuns(explored.config, { seeds: 3, training: "run" });
    assert.deepEqual(
      plans.map((p) => seedRunState(p)),
      ["finished", "missing", "missing"],
    );
    const lines: string[] = [];
    const first = await ensureSeedModels(ds, plans, { explored, log: (l) => lines.push(l), handleSignals: false });
    assert.equal(first.interrupted, null);
    assert.equal(first.models[0].model, explored);
    assert.deepEqual(
      first.models.map((m) => [m.seed, m.run, m.trainedNow]),
      [
        [11, "ex", false],
        [12, "ex-seed12", true],
        [13, "ex-seed13", true],
      ],
    );
    assert.deepEqual(
      first.models.map((m) => m.model.config.seed),
      [11, 12, 13],
    );
    // Different seeds, different weights; the seed models train as long as the explored one.
    assert.notDeepEqual(first.models[1].model.params, first.models[2].model.params);
    assert.equal(first.models[1].model.training.epochs, 2);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /training seed model ex-seed12 \(1 of 2; 2 epochs, seed 12\)/);
    const saved = statSync(join(modelDir("ex-seed12"), "checkpoint.json")).mtimeMs;
    const second = await ensureSeedModels(ds, plans, { explored, log: (l) => lines.push(l), handleSignals: false });
    assert.deepEqual(
      second.models.map((m) => m.trainedNow),
      [false, false, false],
    );
    assert.equal(lines.length, 2, "nothing trained the second time");
    assert.deepEqual(second.models[1].model.params, first.models[1].model.params);
    assert.equal(statSync(join(modelDir("ex-seed12"), "checkpoint.json")).mtimeMs, saved);
  });

  it("refuses a seed folder holding a run trained otherwise, naming the folder and the difference, before training anything", async () => {
    const explored = (await train({ ...TINY, run: "clash" }, { handleSignals: false, dataset: ds })).model;
    // A copy of the explored run where the second seed model belongs: its seed is 11, not 12.
    cpSync(modelDir("clash"), modelDir("clash-seed13"), { recursive: true });
    const before = readFileSync(join(modelDir("clash-seed13"), "checkpoint.json"), "utf8");
    const plans = planSeedRuns(explored.config, { seeds: 3, training: "run" });
    const lines: string[] = [];
    await assert.rejects(
      ensureSeedModels(ds, plans, { explored, log: (l) => lines.push(l), handleSignals: false }),
      new RegExp(`${modelDir("clash-seed13")} holds a run trained otherwise \\(seed: 11 there, 13 wanted\\)`),
    );
    assert.deepEqual(lines, [], "the clash was found before seed 12 trained");
    assert.equal(seedRunState(plans[1]), "missing");
    assert.equal(readFileSync(join(modelDir("clash-seed13"), "checkpoint.json"), "utf8"), before, "the folder is untouched");
  });

  it("continues an unfinished seed model instead of starting it over", async () => {
    const explored = (await train({ ...TINY, run: "cont" }, { handleSignals: false, dataset: ds })).model;
    const [, plan] = planSeedRuns(explored.config, { seeds: 2, training: "run" });
    let batches = 0;
    const cut = await train(plan.config, { handleSignals: false, dataset: ds, shouldStop: () => ++batches === 3 });
    assert.ok(cut.interrupted);
    assert.equal(seedRunState(plan), "unfinished");
    const lines: string[] = [];
    const r = await ensureSeedModels(ds, [planSeedRuns(explored.config, { seeds: 1, training: "run" })[0], plan], {
      explored,
      log: (l) => lines.push(l),
      handleSignals: false,
    });
    assert.match(lines[0], /continuing seed model cont-seed12/);
    assert.deepEqual(r.models[1].model.training, { epochs: 2, finished: true, bestEpoch: r.models[1].model.training.bestEpoch });
    assert.ok(r.models[1].trainedNow);
  });
});
