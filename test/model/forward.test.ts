import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { encodeMeans, encoderInput, encodeUnderEveryCondition, scoreBatch } from "../../lib/model/forward";
import { jsGemm } from "../../lib/model/gemm";
import type { SparseBatch } from "../../lib/model/batch";
import { PROVIDERS } from "../helpers/providers";
import { paramLayout } from "../../lib/model/parameters";
import { referenceForward } from "../helpers/autodiff";
import { tinyModel } from "../helpers/tiny-model";

const { dims, layout, fixture } = tinyModel;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("encoderInput(batch, params, layout)", () => {
  it("equals the dense input layer X W1 + b1 (one-hot condition included) within 1e-6", async () => {
    const { params, batch } = fixture(6);
    assert.ok(maxAbsDiff(encoderInput(batch, params, layout), (await referenceForward(params, layout, batch)).a1) < 1e-6);
  });

  it("ignores the rows' conditions when the model has no condition inputs (Mult-VAE)", () => {
    const { params, batch } = fixture(8);
    const mult = paramLayout({ ...dims, conditions: 0 });
    const weights = params.subarray(0, mult.size); // any weights of the right size
    const noConditions = { ...batch, cond: new Int32Array(batch.rows).fill(-1) };
    assert.ok(
      batch.cond.some((c) => c >= 0),
      "the fixture has conditioned rows",
    );
    assert.deepEqual(Array.from(encoderInput(batch, weights, mult)), Array.from(encoderInput(noConditions, weights, mult)));
    assert.deepEqual(Array.from(scoreBatch(jsGemm, weights, mult, batch)), Array.from(scoreBatch(jsGemm, weights, mult, noConditions)));
  });
});

describe("encodeUnderEveryCondition(gemm, params, layout, batch) of a model without conditions (Mult-VAE)", () => {
  it("gives the rows' unconditioned means only, whatever their conditions", () => {
    const { params, batch } = fixture(8);
    const mult = paramLayout({ ...dims, conditions: 0 });
    const weights = params.subarray(0, mult.size);
    const noConditions = { ...batch, cond: new Int32Array(batch.rows).fill(-1) };
    assert.deepEqual(
      Array.from(encodeUnderEveryCondition(jsGemm, weights, mult, batch)),
      Array.from(encodeMeans(jsGemm, weights, mult, noConditions)),
    );
  });
});

describe("encoderInput on longer rows", () => {
  it("equals the dense input layer for rows of 0 to 9 items (the four-item passes and their remainders)", async () => {
    const { params } = fixture(3);
    const counts = [0, 1, 3, 4, 5, 8, 9];
    const inPtr = Int32Array.from([0, ...counts.map((_, i) => counts.slice(0, i + 1).reduce((a, b) => a + b, 0))]);
    const inItems = Int32Array.from(counts.flatMap((n) => Array.from({ length: n }, (_, k) => (k * 5 + n) % dims.items)));
    const rows = counts.length;
    const batch: SparseBatch = {
      rows,
      inPtr,
      inItems,
      inValues: Float32Array.from(inItems, (i) => 0.1 + i / 10),
      cond: Int32Array.from({ length: rows }, (_, r) => (r % (dims.conditions + 1)) - 1),
      tgtPtr: new Int32Array(rows + 1),
      tgtItems: new Int32Array(0),
      eps: null,
    };
    assert.ok(maxAbsDiff(encoderInput(batch, params, layout), (await referenceForward(params, layout, batch)).a1) < 1e-5);
  });
});

for (const provider of PROVIDERS) {
  describe(`scoreBatch and encodeMeans on the ${provider.name} provider`, () => {
    it(
      "equal the tfjs forward pass from the definitions (test/helpers/autodiff.ts, z = mu) within 1e-5",
      { skip: provider.skip },
      async () => {
        await provider.ready();
        const { params, batch } = fixture(6);
        const ref = await referenceForward(params, layout, batch);
        assert.ok(maxAbsDiff(scoreBatch(provider.gemm, params, layout, batch), ref.logits) < 1e-5);
        assert.ok(maxAbsDiff(encodeMeans(provider.gemm, params, layout, batch), ref.mu) < 1e-5);
      },
    );

    it(
      "encodeUnderEveryCondition equals encodeMeans of the batch under no condition and each one-hot condition within 1e-6",
      {
        skip: provider.skip,
      },
      async () => {
        await provider.ready();
        const { params, batch } = fixture(6); // rows with mixed conditions: the function ignores them
        const { latentDim: L, conditions: C } = dims;
        const all = encodeUnderEveryCondition(provider.gemm, params, layout, batch);
        assert.equal(all.length, (C + 1) * batch.rows * L);
        for (let c = -1; c < C; c++) {
          const under = encodeMeans(provider.gemm, params, layout, { ...batch, cond: new Int32Array(batch.rows).fill(c) });
          const block = all.subarray((c + 1) * batch.rows * L, (c + 2) * batch.rows * L);
          assert.ok(maxAbsDiff(block, under) < 1e-6, `condition ${c}`);
        }
      },
    );

    it("return rows x m scores and rows x L means, deterministic, without leaks", { skip: provider.skip }, async () => {
      await provider.ready();
      const { params, batch } = fixture(6);
      const before = tf.memory().numTensors;
      const s = scoreBatch(provider.gemm, params, layout, batch);
      const mu = encodeMeans(provider.gemm, params, layout, batch);
      assert.equal(s.length, batch.rows * dims.items);
      assert.equal(mu.length, batch.rows * dims.latentDim);
      assert.deepEqual(Array.from(scoreBatch(provider.gemm, params, layout, batch)), Array.from(s));
      assert.equal(tf.memory().numTensors, before);
    });
  });
}
