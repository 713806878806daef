import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { computeGradients, encoderInputGrad, expNonPositive } from "../../lib/model/backward";
import { sliceBatch, type SparseBatch } from "../../lib/model/batch";
import { jsGemm } from "../../lib/model/gemm";
import { initParams, PARAM_NAMES, paramLayout, paramView } from "../../lib/model/parameters";
import { Rng } from "../../lib/core/rng";
import { autodiffGrads, maxRelError } from "../helpers/autodiff";
import { PROVIDERS } from "../helpers/providers";
import { tinyModel } from "../helpers/tiny-model";

const { dims, layout, fixture } = tinyModel;

for (const provider of PROVIDERS) {
  const { gemm, skip } = provider;
  describe(`computeGradients on the ${provider.name} provider`, () => {
    it("matches tfjs autodiff of the loss within 1e-4 of each gradient's scale", { skip }, async () => {
      await provider.ready();
      const { params, batch } = fixture(3);
      const beta = 0.3;
      const grads = new Float32Array(layout.size);
      const loss = computeGradients(gemm, params, layout, batch, beta, 1 / batch.rows, grads);
      const ref = autodiffGrads(params, layout, batch, beta);
      const mean = (loss.nllSum + beta * loss.klSum) / loss.rows;
      assert.ok(Math.abs(mean - ref.loss) < 1e-4 * Math.abs(ref.loss), `loss ${mean} vs ${ref.loss}`);
      for (const n of PARAM_NAMES) {
        const err = maxRelError(paramView(grads, layout, n), ref.grads[n]);
        assert.ok(err < 1e-4, `${n}: max relative error ${err}`);
      }
    });

    it(
      "agrees with the plain-JS provider from the same weights and batch to float precision (1e-5 of each gradient's scale)",
      { skip },
      async () => {
        await provider.ready();
        const { params, batch } = fixture(5);
        const ours = new Float32Array(layout.size);
        const reference = new Float32Array(layout.size);
        const a = computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, ours);
        const b = computeGradients(jsGemm, params, layout, batch, 0.2, 1 / batch.rows, reference);
        assert.ok(Math.abs(a.nllSum - b.nllSum) < 1e-5 * Math.abs(b.nllSum), `nll ${a.nllSum} vs ${b.nllSum}`);
        assert.ok(Math.abs(a.klSum - b.klSum) < 1e-5 * Math.max(1, Math.abs(b.klSum)), `kl ${a.klSum} vs ${b.klSum}`);
        for (const n of PARAM_NAMES) {
          const err = maxRelError(paramView(ours, layout, n), paramView(reference, layout, n));
          assert.ok(err < 1e-5, `${n}: max relative error ${err}`);
        }
      },
    );

    it("overwrites the gradient buffer: one holding garbage gives the same gradients as a zeroed one", { skip }, async () => {
      await provider.ready();
      const { params, batch } = fixture(7);
      const clean = new Float32Array(layout.size);
      const dirty = new Float32Array(layout.size).fill(123.5);
      computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, clean);
      computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, dirty);
      assert.deepEqual(Array.from(dirty), Array.from(clean));
    });

    it("is repeatable, gives a finite positive loss and leaks no tensors", { skip }, async () => {
      await provider.ready();
      const { params, batch } = fixture(6);
      const before = tf.memory().numTensors;
      const g1 = new Float32Array(layout.size);
      const g2 = new Float32Array(layout.size);
      const loss = computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, g1);
      computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, g2);
      assert.deepEqual(g1, g2);
      assert.equal(tf.memory().numTensors, before);
      assert.ok(Number.isFinite(loss.nllSum) && loss.nllSum > 0 && loss.klSum >= 0);
    });

    it("splits over sub-batches: two halves with scale 1/R add up to the whole batch's gradient", { skip }, async () => {
      await provider.ready();
      const { params, batch } = fixture(5);
      const whole = new Float32Array(layout.size);
      computeGradients(gemm, params, layout, batch, 0.2, 1 / batch.rows, whole);
      const g1 = new Float32Array(layout.size);
      const g2 = new Float32Array(layout.size);
      computeGradients(gemm, params, layout, sliceBatch(batch, 0, 2, dims.latentDim), 0.2, 1 / batch.rows, g1);
      computeGradients(gemm, params, layout, sliceBatch(batch, 2, 5, dims.latentDim), 0.2, 1 / batch.rows, g2);
      assert.ok(
        maxRelError(
          g1.map((v, i) => v + g2[i]),
          whole,
        ) < 1e-5,
      );
    });
  });
}

describe("computeGradients(gemm, ...) on any provider", () => {
  it("refuses a batch without eps (an evaluation batch)", () => {
    const { params, batch } = fixture(2);
    assert.throws(
      () => computeGradients(jsGemm, params, layout, { ...batch, eps: null }, 0.2, 1, new Float32Array(layout.size)),
      /needs eps/,
    );
  });
});

describe("encoderInputGrad(batch, dA1, grads, layout)", () => {
  it("equals X^T dA1 (one-hot condition included) for rows of 0 to 9 items, the four-item passes and their remainders", () => {
    const L = paramLayout({ items: 20, conditions: 2, hidden: 5, latentDim: 2 });
    const rng = new Rng(11);
    const counts = [0, 1, 3, 4, 5, 8, 9];
    const inPtr = Int32Array.from([0, ...counts.map((_, i) => counts.slice(0, i + 1).reduce((a, b) => a + b, 0))]);
    const inItems = Int32Array.from(counts.flatMap((n) => Array.from(rng.sampleWithoutReplacement(20, n))));
    const inValues = Float32Array.from(inItems, () => rng.random());
    const R = counts.length;
    const batch: SparseBatch = {
      rows: R,
      inPtr,
      inItems,
      inValues,
      cond: Int32Array.from({ length: R }, (_, r) => (r % 3) - 1),
      tgtPtr: new Int32Array(R + 1),
      tgtItems: new Int32Array(0),
      eps: null,
    };
    const dA1 = Float32Array.from({ length: R * 5 }, () => rng.normal());
    const grads = new Float32Array(L.size).fill(9); // garbage: W1 and b1 are overwritten
    encoderInputGrad(batch, dA1, grads, L);
    const expected = new Float64Array(22 * 5);
    for (let r = 0; r < R; r++) {
      const rowItems: [number, number][] = [];
      for (let k = inPtr[r]; k < inPtr[r + 1]; k++) rowItems.push([inItems[k], inValues[k]]);
      if (batch.cond[r] >= 0) rowItems.push([20 + batch.cond[r], 1]);
      for (const [i, v] of rowItems) for (let j = 0; j < 5; j++) expected[i * 5 + j] += v * dA1[r * 5 + j];
    }
    const gW1 = paramView(grads, L, "W1");
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(gW1[i] - expected[i]) < 1e-5, `W1 entry ${i}`);
    const gb1 = paramView(grads, L, "b1");
    for (let j = 0; j < 5; j++) assert.ok(Math.abs(gb1[j] - dA1.filter((_, i) => i % 5 === j).reduce((a, b) => a + b, 0)) < 1e-5);
  });
});

describe("expNonPositive(x)", () => {
  it("is exact at the limits: e^0 = 1, and 0 below -103 where float32 underflows", () => {
    assert.equal(expNonPositive(0), 1);
    assert.equal(expNonPositive(-104), 0);
    assert.equal(expNonPositive(-Infinity), 0);
  });

  it("matches Math.exp within 1e-8 relative over [-87, 0] (float32's normal range), range-reduction edges included", () => {
    const xs = [-1e-12, -Math.LN2 / 2, -Math.LN2 / 2 - 1e-12, -Math.LN2, -1, -10, -50, -87];
    for (let i = 0; i <= 20000; i++) xs.push(-87 * (i / 20000));
    let worst = 0;
    for (const x of xs) worst = Math.max(worst, Math.abs(expNonPositive(x) - Math.exp(x)) / Math.exp(x));
    assert.ok(worst < 1e-8, `worst relative error ${worst}`);
  });
});

describe("computeGradients with fresh initial weights", () => {
  it("gives gradients for every parameter block, none of them all zero", () => {
    const { batch } = fixture(9);
    const params = initParams(layout, new Rng(1));
    const grads = new Float32Array(layout.size);
    computeGradients(jsGemm, params, layout, batch, 0.2, 1 / batch.rows, grads);
    for (const n of PARAM_NAMES)
      assert.ok(
        paramView(grads, layout, n).some((g) => g !== 0),
        `${n} has a nonzero gradient`,
      );
  });
});
