// One training step's loss and gradients: the forward pass of forward.ts, then
// hand-written backpropagation:
//  - the input layer's gradient works on the sparse input in plain JS;
//  - the dense layers run in TensorFlow.js with explicit transposes (tfjs-wasm's
//    transposed-matMul path is ~10x slower) and a fused softmax-cross-entropy gradient.
// Loss = -mean_rows sum_i log_softmax(logits)_i * target_i + beta * mean_rows KL.
import * as tf from "@tensorflow/tfjs";
import type { SparseBatch } from "./batch";
import { conditionOf, decoderHidden, denseWeights, encode, encoderInput, outputLogits, sampleLatent } from "./forward";
import { type ParamLayout, paramView } from "./parameters";

/** Writes the input layer's gradients (dW1 rows of the batch's items and conditions, db1) into `grads`, zeroing W1 and b1 first. */
export function encoderInputGrad(batch: SparseBatch, dA1: Float32Array, grads: Float32Array, layout: ParamLayout): void {
  const { hidden: H, items: m, conditions: C } = layout.dims;
  const gW1 = paramView(grads, layout, "W1");
  const gb1 = paramView(grads, layout, "b1");
  // Accumulated row by row, so it starts from zero (W1 and b1 are adjacent in the layout).
  grads.fill(0, layout.entries.W1.offset, layout.entries.b1.offset + layout.entries.b1.cols);
  const { inPtr, inItems, inValues } = batch;
  for (let r = 0; r < batch.rows; r++) {
    const o = r * H;
    for (let j = 0; j < H; j++) gb1[j] += dA1[o + j];
    const end = inPtr[r + 1];
    let k = inPtr[r];
    // Four items per pass: each dA1 value is loaded once for four rows of gW1 (2.3x faster in V8).
    for (; k + 3 < end; k += 4) {
      const [w0, w1, w2, w3] = [inItems[k] * H, inItems[k + 1] * H, inItems[k + 2] * H, inItems[k + 3] * H];
      const [v0, v1, v2, v3] = [inValues[k], inValues[k + 1], inValues[k + 2], inValues[k + 3]];
      for (let j = 0; j < H; j++) {
        const d = dA1[o + j];
        gW1[w0 + j] += v0 * d;
        gW1[w1 + j] += v1 * d;
        gW1[w2 + j] += v2 * d;
        gW1[w3 + j] += v3 * d;
      }
    }
    for (; k < end; k++) {
      const w = inItems[k] * H;
      const v = inValues[k];
      for (let j = 0; j < H; j++) gW1[w + j] += v * dA1[o + j];
    }
    const c = conditionOf(batch, r, C);
    if (c >= 0) {
      const w = (m + c) * H;
      for (let j = 0; j < H; j++) gW1[w + j] += dA1[o + j];
    }
  }
}

/**
 * Dense target rows holding `value` at target items, each row's target count times
 * `value`, and the flat positions (row * m + item) of all targets.
 */
function denseTargets(batch: SparseBatch, m: number, value: number): { t: Float32Array; counts: Float32Array; flat: Int32Array } {
  const t = new Float32Array(batch.rows * m);
  const counts = new Float32Array(batch.rows);
  const flat = new Int32Array(batch.tgtItems.length);
  for (let r = 0; r < batch.rows; r++) {
    for (let k = batch.tgtPtr[r]; k < batch.tgtPtr[r + 1]; k++) {
      t[r * m + batch.tgtItems[k]] = value;
      flat[k] = r * m + batch.tgtItems[k];
    }
    counts[r] = (batch.tgtPtr[r + 1] - batch.tgtPtr[r]) * value;
  }
  return { t, counts, flat };
}

export interface StepLoss {
  /** Sum over the batch rows of each row's multinomial negative log-likelihood. */
  nllSum: number;
  /** Sum over the rows of KL(q(z|x,c) || N(0, I)). */
  klSum: number;
  rows: number;
}

/** Milliseconds per phase, accumulated (the profile of `npm run bench -- train`). */
export type StepProfile = Record<string, number>;

/** Adds the milliseconds since the last mark to `timings[phase]` (a no-op without timings). */
export function phaseTimer(timings: StepProfile | undefined): (phase: string) => void {
  let last = timings ? performance.now() : 0;
  return (phase) => {
    if (!timings) return;
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + now - last;
    last = now;
  };
}

/**
 * Loss and gradients of `batch` under `params`, written into `grads` (overwritten).
 * `scale` = 1 / (rows of the whole batch): a worker given part of a batch contributes
 * its share of the mean.
 */
export function computeGradients(
  params: Float32Array,
  layout: ParamLayout,
  batch: SparseBatch,
  beta: number,
  scale: number,
  grads: Float32Array,
  timings?: StepProfile,
): StepLoss {
  const { hidden: H, latent: L, items: m } = layout.dims;
  const R = batch.rows;
  if (!batch.eps) throw new Error("computeGradients: a training batch needs eps");
  const mark = phaseTimer(timings);
  const a1 = encoderInput(batch, params, layout);
  const { t, counts, flat } = denseTargets(batch, m, scale);
  mark("sparse input layer (JS)");
  const out = tf.tidy(() => {
    const w = denseWeights(params, layout);
    const enc = encode(tf.tensor2d(a1, [R, H]), w);
    const { h1: H1, mu, logvar } = enc;
    const E = tf.tensor2d(batch.eps as Float32Array, [R, L]);
    const { z: Z, sigma } = sampleLatent(enc, E);
    const H3 = decoderHidden(Z, w);
    mark("upload weights + small layers");
    const logits = outputLogits(H3, w);
    mark("decoder output matMul");
    // softmax is one fused kernel on wasm; log-softmax would be six passes over rows x m.
    const probs = tf.softmax(logits);
    // -sum_i t_i log p_i only needs p at the targets (a floor keeps an underflow finite).
    const nllSum = tf.neg(tf.sum(tf.log(tf.maximum(tf.gather(tf.reshape(probs, [-1]), tf.tensor1d(flat, "int32")), 1e-30))));
    // d/dlogits of -sum_i t_i log softmax_i = softmax * sum(t) - t, per row; scale is folded into t and counts.
    const dLogits = tf.sub(tf.mul(probs, tf.tensor2d(counts, [R, 1])), tf.tensor2d(t, [R, m]));
    mark("softmax + loss gradient");
    const dW4 = tf.matMul(tf.transpose(H3), dLogits);
    const db4 = tf.sum(dLogits, 0);
    mark("dW4 matMul");
    // dH3 = dLogits W4^T, computed as (W4 dLogits^T)^T: transposing the R x m gradient is
    // cheaper than transposing the H x m weights (measured 92 vs 125 ms at R=250, m=8000).
    const dH3 = tf.transpose(tf.matMul(w.W4, tf.transpose(dLogits)));
    const dA3 = tf.mul(dH3, tf.sub(1, tf.square(H3)));
    mark("dH3 matMul");
    const dW3 = tf.matMul(tf.transpose(Z), dA3);
    const db3 = tf.sum(dA3, 0);
    const dZ = tf.matMul(dA3, tf.transpose(w.W3));
    const varTerm = tf.exp(logvar);
    const klSum = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), varTerm)));
    const dmu = tf.add(dZ, tf.mul(mu, beta * scale));
    const dlogvar = tf.add(tf.mul(tf.mul(tf.mul(dZ, E), sigma), 0.5), tf.mul(tf.sub(varTerm, 1), 0.5 * beta * scale));
    const dA2 = tf.concat([dmu, dlogvar], 1);
    const dW2 = tf.matMul(tf.transpose(H1), dA2);
    const db2 = tf.sum(dA2, 0);
    const dA1 = tf.mul(tf.matMul(dA2, tf.transpose(w.W2)), tf.sub(1, tf.square(H1)));
    mark("small layers backward");
    return { nllSum, klSum, dW2, db2, dW3, db3, dW4, db4, dA1 };
  });
  try {
    for (const [name, g] of [
      ["W2", out.dW2],
      ["b2", out.db2],
      ["W3", out.dW3],
      ["b3", out.db3],
      ["W4", out.dW4],
      ["b4", out.db4],
    ] as const) {
      paramView(grads, layout, name).set(g.dataSync() as Float32Array);
    }
    mark("download gradients");
    encoderInputGrad(batch, out.dA1.dataSync() as Float32Array, grads, layout);
    mark("sparse input layer gradient (JS)");
    return { nllSum: out.nllSum.dataSync()[0], klSum: out.klSum.dataSync()[0], rows: R };
  } finally {
    tf.dispose(out);
  }
}
