import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { PARAM_NAMES, paramView } from "../../lib/model/parameters";
import { computeGradients } from "../../lib/model/backward";
import { tinyModel } from "../helpers/tiny-model";
import { autodiffGrads, maxRelError } from "../helpers/autodiff";

const { dims, layout, fixture } = tinyModel;

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
