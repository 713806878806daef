// openScorer on the webgpu backend (this file's process forces it; llvmpipe in CI): the GPU ranks
// and encodes as the model's own CPU methods do, and evaluation through it gives the CPU's metrics.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unscoredTargets } from "../../lib/data/conditions/conditions";
import { compareWithPopularity } from "../../lib/evaluation/evaluate";
import { buildBatch } from "../../lib/model/batch";
import { openScorer } from "../../lib/model/scorer";
import { maxRelError } from "../helpers/autodiff";
import { smallDataset, smallModel } from "../helpers/small-model";
import { forceWebGpu } from "../helpers/webgpu";

describe("openScorer(model) on the webgpu backend", async () => {
  const skip = await forceWebGpu();
  const ds = smallDataset();
  const model = smallModel(ds, 7);
  const users = Int32Array.from({ length: 23 }, (_, i) => i);
  const rows = { users, conditions: Int32Array.from(users, (u) => (u % (ds.conditions.labels.length + 1)) - 1) };
  const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, users.length, {
    dropout: 0,
    latentDim: 0,
    targetConditions: unscoredTargets(ds.train.matrix),
  });

  it("ranks and encodes under every condition as the CPU does (ranks: all but float ties; means within 1e-5)", { skip }, async () => {
    const scorer = await openScorer(model);
    try {
      assert.equal(scorer.where, "webgpu");
      const gpu = await scorer.rank(batch, 20);
      const cpu = model.rank(batch, 20);
      let same = 0;
      for (let i = 0; i < gpu.length; i++) if (gpu[i] === cpu[i]) same++;
      assert.ok(same >= gpu.length - 4, `${same} of ${gpu.length} ranks agree`);
      const means = await scorer.encodeUnderEveryCondition(batch);
      assert.ok(maxRelError(means, model.encodeUnderEveryCondition(batch)) < 1e-5);
    } finally {
      await scorer.close();
    }
  });

  it("gives evaluation the CPU's nDCG@100 within 1e-3 (compareWithPopularity ranks on the GPU)", { skip }, async () => {
    const gpu = await compareWithPopularity(ds, "valid", model);
    const cpuModel = { conditioned: model.conditioned, rank: (b: typeof batch, k: number) => model.rank(b, k) };
    const cpu = await compareWithPopularity(ds, "valid", cpuModel);
    const name = Object.keys(gpu)[0];
    assert.ok(Math.abs(gpu[name].unconditioned.ndcg100 - cpu[name].unconditioned.ndcg100) < 1e-3);
    assert.ok(Math.abs((gpu[name].conditioned?.ndcg100 ?? NaN) - (cpu[name].conditioned?.ndcg100 ?? NaN)) < 1e-3);
    assert.deepEqual(gpu.popularity, cpu.popularity);
  });

  it("cuts a batch too large for one pass into slices of rows and gives the unsliced results exactly", { skip }, async () => {
    const whole = await openScorer(model);
    // 4 KiB: a handful of rows per slice for the scores, one row per slice for every condition's activations.
    const sliced = await openScorer(model, { sliceBytes: 4096 });
    try {
      assert.deepEqual(await sliced.scores(batch), await whole.scores(batch));
      assert.deepEqual(await sliced.rank(batch, 20), await whole.rank(batch, 20));
      assert.deepEqual(await sliced.encodeUnderEveryCondition(batch), await whole.encodeUnderEveryCondition(batch));
    } finally {
      await sliced.close();
      await whole.close();
    }
  });

  it("releases the GPU on close: a closed scorer refuses to rank, by name", { skip }, async () => {
    const scorer = await openScorer(model);
    await scorer.close();
    await assert.rejects(() => scorer.rank(batch, 5), /backend "webgpu": already closed/);
  });
});
