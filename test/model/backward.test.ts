import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { buildBatch, genreTable, type Rows } from "../../lib/model/batch";
import { initParams, type ParamLayout, paramLayout, PARAM_NAMES, paramView } from "../../lib/model/parameters";
import { computeGradients, encodeMeans, scoreBatch } from "../../lib/model/backward";
import { Rng } from "../../lib/core/rng";
import { csrFromPairs } from "../../lib/data/sparse";

// Tiny dimensions: 12 items, 3 conditions, hidden 7, latent 3, 5 rows.
const dims = { items: 12, conditions: 3, hidden: 7, latent: 3 };
const layout = paramLayout(dims);

function fixture(seed: number) {
  const rng = new Rng(seed);
  const params = initParams(layout, rng);
  // Larger biases than the paper's 0.001 so their gradients are not vanishingly small.
  for (const b of ["b1", "b2", "b3", "b4"] as const) paramView(params, layout, b).forEach((_, i, a) => (a[i] = 0.3 * rng.normal()));
  const pairs: [number, number][] = [];
  for (let u = 0; u < 5; u++) for (let i = 0; i < 12; i++) if ((u * 7 + i * 3) % 4 === 0) pairs.push([u, i]);
  const matrix = csrFromPairs(5, 12, pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  const itemGenres = csrFromPairs(12, 3, Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 12 }, (_, i) => i % 3));
  const rows: Rows = { users: Int32Array.from([0, 1, 2, 3, 4]), conditions: Int32Array.from([-1, 0, 1, -1, 2]) };
  const batch = buildBatch(matrix, matrix, rows, 0, 5, { dropout: 0.5, latent: dims.latent, rng, genres: genreTable(itemGenres), conditions: 3 });
  return { params, batch };
}

/** The same loss written densely and differentiated by tfjs's autodiff: the reference. */
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
  const vars = Object.fromEntries(PARAM_NAMES.map((n) => [n, tf.variable(tf.tensor2d(paramView(params, L, n), [L.entries[n].rows, L.entries[n].cols]), true, `${n}-${Math.round(performance.now() * 1000)}`)]));
  const X = tf.tensor2d(x, [R, m + C]);
  const T = tf.tensor2d(t, [R, m]);
  const E = tf.tensor2d(batch.eps as Float32Array, [R, Lt]);
  const { value, grads } = tf.variableGrads(() => {
    const H1 = tf.tanh(tf.add(tf.matMul(X, vars.W1), vars.b1));
    const A2 = tf.add(tf.matMul(H1, vars.W2), vars.b2);
    const mu = tf.slice(A2, [0, 0], [R, Lt]);
    const logvar = tf.slice(A2, [0, Lt], [R, Lt]);
    const z = tf.add(mu, tf.mul(E, tf.exp(tf.mul(logvar, 0.5))));
    const logits = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(z, vars.W3), vars.b3)), vars.W4), vars.b4);
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
      assert.ok(Math.abs((loss.nllSum + beta * loss.klSum) / loss.rows - ref.loss) < 1e-4 * Math.abs(ref.loss), `loss ${(loss.nllSum + beta * loss.klSum) / loss.rows} vs ${ref.loss}`);
      for (const n of PARAM_NAMES) {
        const err = maxRelError(paramView(grads, layout, n), ref.grads[n]);
        assert.ok(err < 1e-4, `${n}: max relative error ${err}`);
      }
    });
  }

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

describe("scoreBatch and encodeMeans", () => {
  it("return rows x m scores and rows x L means, deterministic, without leaks", async () => {
    await tf.setBackend("cpu");
    const { params, batch } = fixture(6);
    const before = tf.memory().numTensors;
    const s = scoreBatch(params, layout, batch);
    const mu = encodeMeans(params, layout, batch);
    assert.equal(s.length, batch.rows * dims.items);
    assert.equal(mu.length, batch.rows * dims.latent);
    assert.deepEqual(Array.from(scoreBatch(params, layout, batch)), Array.from(s));
    assert.equal(tf.memory().numTensors, before);
  });
});
