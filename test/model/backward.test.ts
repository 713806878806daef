import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { type ParamLayout, PARAM_NAMES, paramView } from "../../lib/model/parameters";
import { computeGradients } from "../../lib/model/backward";
import { tinyModel } from "../helpers/tiny-model";
import { decoderHidden, type DenseWeights, encode, outputLogits, sampleLatent } from "../../lib/model/forward";

const { dims, layout, fixture } = tinyModel;

/**
 * The reference: the loss with a dense input layer (X W1 + b1, X holding the input values
 * and a one-hot condition), the rest through lib's own forward pass, differentiated by
 * tfjs's autodiff. It checks the hand-written backward pass, not the forward one.
 */
function autodiffGrads(params: Float32Array, L: ParamLayout, batch: ReturnType<typeof fixture>["batch"], beta: number) {
  const { items: m, conditions: C, latent: Lt } = L.dims;
  const R = batch.rows;
  const x = new Float32Array(R * (m + C));
  const t = new Float32Array(R * m);
  for (let r = 0; r < R; r++) {
    for (let k = batch.inPtr[r]; k < batch.inPtr[r + 1]; k++) x[r * (m + C) + batch.inItems[k]] = batch.inValues[k];
    if (batch.cond[r] >= 0) x[r * (m + C) + m + batch.cond[r]] = 1;
    for (let k = batch.tgtPtr[r]; k < batch.tgtPtr[r + 1]; k++) t[r * m + batch.tgtItems[k]] = 1;
  }
  const vars = Object.fromEntries(
    PARAM_NAMES.map((n) => [
      n,
      tf.variable(
        tf.tensor2d(paramView(params, L, n), [L.entries[n].rows, L.entries[n].cols]),
        true,
        `${n}-${Math.round(performance.now() * 1000)}`,
      ),
    ]),
  );
  const X = tf.tensor2d(x, [R, m + C]);
  const T = tf.tensor2d(t, [R, m]);
  const E = tf.tensor2d(batch.eps as Float32Array, [R, Lt]);
  const { value, grads } = tf.variableGrads(() => {
    const w = vars as unknown as DenseWeights;
    const enc = encode(tf.add(tf.matMul(X, vars.W1), vars.b1) as tf.Tensor2D, w);
    const { mu, logvar } = enc;
    const logits = outputLogits(decoderHidden(sampleLatent(enc, E).z, w), w);
    const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), T), 1)));
    const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar)), 1)));
    return tf.add(nll, tf.mul(beta, kl)) as tf.Scalar;
  }, Object.values(vars));
  const out = Object.fromEntries(PARAM_NAMES.map((n) => [n, grads[vars[n].name].dataSync() as Float32Array]));
  const loss = value.dataSync()[0];
  tf.dispose([value, X, T, E, ...Object.values(grads), ...Object.values(vars)]);
  return { grads: out, loss };
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

describe("computeGradients(params, layout, batch, beta, scale, grads)", () => {
  for (const backend of ["cpu", "wasm"]) {
    it(`matches tfjs autodiff of the dense loss within 1e-4 of each gradient's scale (${backend} backend)`, async () => {
      if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      await tf.setBackend(backend);
      const { params, batch } = fixture(3);
      const beta = 0.3;
      const grads = new Float32Array(layout.size);
      const loss = computeGradients(params, layout, batch, beta, 1 / batch.rows, grads);
      const ref = autodiffGrads(params, layout, batch, beta);
      assert.ok(
        Math.abs((loss.nllSum + beta * loss.klSum) / loss.rows - ref.loss) < 1e-4 * Math.abs(ref.loss),
        `loss ${(loss.nllSum + beta * loss.klSum) / loss.rows} vs ${ref.loss}`,
      );
      for (const n of PARAM_NAMES) {
        const err = maxRelError(paramView(grads, layout, n), ref.grads[n]);
        assert.ok(err < 1e-4, `${n}: max relative error ${err}`);
      }
    });
  }

  it("overwrites the gradient buffer: one holding garbage gives the same gradients as a zeroed one", async () => {
    await tf.setBackend("cpu");
    const { params, batch } = fixture(7);
    const clean = new Float32Array(layout.size);
    const dirty = new Float32Array(layout.size).fill(123.5);
    computeGradients(params, layout, batch, 0.2, 1 / batch.rows, clean);
    computeGradients(params, layout, batch, 0.2, 1 / batch.rows, dirty);
    assert.deepEqual(Array.from(dirty), Array.from(clean));
  });

  it("gives a finite positive loss and leaks no tensors", async () => {
    await tf.setBackend("cpu");
    const { params, batch } = fixture(4);
    const before = tf.memory().numTensors;
    const loss = computeGradients(params, layout, batch, 0.2, 1 / batch.rows, new Float32Array(layout.size));
    assert.equal(tf.memory().numTensors, before);
    assert.ok(Number.isFinite(loss.nllSum) && loss.nllSum > 0 && loss.klSum >= 0);
  });

  it("splits over sub-batches: two halves with scale 1/R add up to the whole batch's gradient", async () => {
    await tf.setBackend("cpu");
    const { params, batch } = fixture(5);
    const { sliceBatch } = await import("../../lib/model/batch");
    const whole = new Float32Array(layout.size);
    computeGradients(params, layout, batch, 0.2, 1 / batch.rows, whole);
    const g1 = new Float32Array(layout.size);
    const g2 = new Float32Array(layout.size);
    computeGradients(params, layout, sliceBatch(batch, 0, 2, dims.latent), 0.2, 1 / batch.rows, g1);
    computeGradients(params, layout, sliceBatch(batch, 2, 5, dims.latent), 0.2, 1 / batch.rows, g2);
    const sum = g1.map((v, i) => v + g2[i]);
    assert.ok(maxRelError(sum, whole) < 1e-5);
  });
});
