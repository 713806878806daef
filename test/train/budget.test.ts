import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import type { EpochRecord } from "../../lib/model/history";
import { budgetRows, equalUpdatesPlan, rowsPerEpoch } from "../../lib/train/budget";
import { makeTrainConfig } from "../../lib/train/config";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
let ds: ProcessedDataset;
before(() => {
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
});

const reference = () => makeTrainConfig({ dataset: "ml-small", run: "c", hidden: 16, latent: 4, batchSize: 8, patience: 4 });

function historyOf(epochs: number, updatesPerEpoch: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    seconds: 1,
    rows: 0,
    rowsPerSecond: 0,
    loss: 1,
    nll: 1,
    kl: 0,
    beta: 0.008,
    updates: (i + 1) * updatesPerEpoch,
    validNdcgUnconditioned: null,
    validNdcgConditioned: null,
  }));
}

describe("equalUpdatesPlan(ds, reference, overrides)", () => {
  it("gives a Mult-VAE the C-VAE run's updates: more, smaller epochs, validated after about a C-VAE epoch's updates", () => {
    const config = reference();
    const cvaeRows = rowsPerEpoch(ds, config);
    const multRows = rowsPerEpoch(ds, makeTrainConfig({ conditioned: false }, config));
    assert.ok(cvaeRows > 2 * multRows, `a C-VAE epoch has many more rows (${cvaeRows}) than a Mult-VAE epoch (${multRows})`);
    const perEpoch = Math.ceil(cvaeRows / 8);
    const plan = equalUpdatesPlan(ds, { config, history: historyOf(7, perEpoch) }, { conditioned: false, run: "m" });
    const batches = Math.ceil(multRows / 8);
    assert.equal(plan.updates, 7 * perEpoch);
    assert.ok(
      plan.config.epochs * batches >= plan.updates && (plan.config.epochs - 1) * batches < plan.updates,
      "the fewest epochs that reach the budget",
    );
    assert.equal(plan.config.validateEvery, Math.round(perEpoch / batches));
    assert.ok(plan.config.validateEvery > 1);
    assert.deepEqual([plan.config.patience, plan.config.conditioned, plan.config.run, plan.config.hidden], [4, false, "m", 16]);
    assert.deepEqual([plan.rows, plan.referenceRows], [multRows, cvaeRows]);
  });

  it("matches a run against itself with the same epochs and cadence, and refuses a reference that never trained", () => {
    const config = reference();
    const perEpoch = Math.ceil(rowsPerEpoch(ds, config) / 8);
    const same = equalUpdatesPlan(ds, { config, history: historyOf(3, perEpoch) }, {});
    assert.deepEqual([same.config.epochs, same.config.validateEvery], [3, 1]);
    assert.throws(() => equalUpdatesPlan(ds, { config, history: [] }, {}), /no trained epoch/);
  });
});

describe("budgetRows(runs, ds)", () => {
  it("says which budget is equal (the first run's updates) and what each run spent", () => {
    const config = reference();
    const rows = budgetRows([{ method: "C-VAE", config, history: historyOf(2, 5), bestEpoch: 2, seconds: 3.21 }], ds);
    assert.deepEqual(rows[0], {
      method: "C-VAE",
      "equal budget": "10 updates",
      "updates done": 10,
      epochs: 2,
      "rows an epoch": rowsPerEpoch(ds, config),
      "validated every (epochs)": 1,
      "best epoch": 2,
      "train s": 3.2,
    });
  });
});
