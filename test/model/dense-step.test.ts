import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { computeGradients } from "../../lib/model/backward";
import { type Gemm, jsGemm, loadBlas } from "../../lib/model/blas";
import { computeGradientsDense, encodeMeansDense, expNonPositive, scoreBatchDense } from "../../lib/model/dense-step";
import { encodeMeans, scoreBatch } from "../../lib/model/forward";
import { PARAM_NAMES, paramView } from "../../lib/model/parameters";
import { autodiffGrads, maxRelError } from "../helpers/autodiff";
import { tinyModel } from "../helpers/tiny-model";

const { layout, fixture } = tinyModel;
const blas = loadBlas();
const PROVIDERS: [string, Gemm | null, string][] = [
  ["plain JS", jsGemm, ""],
  ["BLAS", blas.ok ? blas.gemm : null, blas.ok ? "" : blas.reason],
];

for (const [name, gemm, missing] of PROVIDERS) {
  describe(`computeGradientsDense on the ${name} provider`, () => {
    it("matches tfjs autodiff of the dense loss within 1e-4 of each gradient's scale", (t) => {
      if (!gemm) return t.skip(missing);
      const { params, batch } = fixture(3);
      const beta = 0.3;
      const grads = new Float32Array(layout.size);
      const loss = computeGradientsDense(gemm, params, layout, batch, beta, 1 / batch.rows, grads);
      const ref = autodiffGrads(params, layout, batch, beta);
      const mean = (loss.nllSum + beta * loss.klSum) / loss.rows;
      assert.ok(Math.abs(mean - ref.loss) < 1e-4 * Math.abs(ref.loss), `loss ${mean} vs ${ref.loss}`);
      for (const n of PARAM_NAMES) {
        const err = maxRelError(paramView(grads, layout, n), ref.grads[n]);
        assert.ok(err < 1e-4, `${n}: max relative error ${err}`);
      }
    });

    for (const tfjsBackend of ["cpu", "wasm"]) {
      it(`agrees with the tfjs step on ${tfjsBackend} from the same weights and batch to float precision (1e-5 of each gradient's scale)`, async (t) => {
        if (!gemm) return t.skip(missing);
        if (tfjsBackend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
        assert.ok(await tf.setBackend(tfjsBackend));
        const { params, batch } = fixture(5);
        const ours = new Float32Array(layout.size).fill(7); // garbage in: the step overwrites it
        const theirs = new Float32Array(layout.size);
        const a = computeGradientsDense(gemm, params, layout, batch, 0.2, 1 / batch.rows, ours);
        const b = computeGradients(params, layout, batch, 0.2, 1 / batch.rows, theirs);
        assert.ok(Math.abs(a.nllSum - b.nllSum) < 1e-5 * Math.abs(b.nllSum), `nll ${a.nllSum} vs ${b.nllSum}`);
        assert.ok(Math.abs(a.klSum - b.klSum) < 1e-4 * Math.max(1, Math.abs(b.klSum)), `kl ${a.klSum} vs ${b.klSum}`);
        assert.equal(a.rows, b.rows);
        for (const n of PARAM_NAMES) {
          const err = maxRelError(paramView(ours, layout, n), paramView(theirs, layout, n));
          assert.ok(err < 1e-5, `${n}: max relative error ${err}`);
        }
      });
    }

    it("scores and encodes an evaluation batch as the tfjs forward pass does", async (t) => {
      if (!gemm) return t.skip(missing);
      await tf.setBackend("cpu");
      const { params, batch } = fixture(4);
      const evalBatch = { ...batch, eps: null };
      assert.ok(maxRelError(scoreBatchDense(gemm, params, layout, evalBatch), scoreBatch(params, layout, evalBatch)) < 1e-5);
      assert.ok(maxRelError(encodeMeansDense(gemm, params, layout, evalBatch), encodeMeans(params, layout, evalBatch)) < 1e-5);
    });

    it("is repeatable: the same weights and batch give bit-identical gradients", (t) => {
      if (!gemm) return t.skip(missing);
      const { params, batch } = fixture(6);
      const g1 = new Float32Array(layout.size);
      const g2 = new Float32Array(layout.size);
      computeGradientsDense(gemm, params, layout, batch, 0.2, 1 / batch.rows, g1);
      computeGradientsDense(gemm, params, layout, batch, 0.2, 1 / batch.rows, g2);
      assert.deepEqual(g1, g2);
    });
  });
}

describe("computeGradientsDense(gemm, ...) on any provider", () => {
  it("refuses a batch without eps (an evaluation batch)", () => {
    const { params, batch } = fixture(2);
    assert.throws(
      () => computeGradientsDense(jsGemm, params, layout, { ...batch, eps: null }, 0.2, 1, new Float32Array(layout.size)),
      /needs eps/,
    );
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
