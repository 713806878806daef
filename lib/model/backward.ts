// One training step's loss and gradients, with hand-written backpropagation:
//  - the input layer works on the sparse input in plain JS (a batch touches ~1 % of the
//    items; a dense [batch x m] input would cost two of the five large matrix products);
//  - the dense layers run in TensorFlow.js with explicit transposes (tfjs-wasm's
//    transposed-matMul path is ~10x slower) and a fused softmax-cross-entropy gradient.
// Loss = -mean_rows sum_i log_softmax(logits)_i * target_i + beta * mean_rows KL.
import * as tf from "@tensorflow/tfjs";
import type { SparseBatch } from "./batch";
import { type ParamLayout, paramView } from "./parameters";

/** A1 = b1 + sum_i x_i W1[i] + W1[m + c]: the input layer's pre-activation, rows x H. */
export function encoderInput(batch: SparseBatch, params: Float32Array, layout: ParamLayout, out = new Float32Array(batch.rows * layout.dims.hidden)): Float32Array {
  const H = layout.dims.hidden;
  const m = layout.dims.items;
  const W1 = paramView(params, layout, "W1");
  const b1 = paramView(params, layout, "b1");
  for (let r = 0; r < batch.rows; r++) {
    const o = r * H;
    out.set(b1, o);
    for (let k = batch.inPtr[r]; k < batch.inPtr[r + 1]; k++) {
      const w = batch.inItems[k] * H;
      const v = batch.inValues[k];
      for (let j = 0; j < H; j++) out[o + j] += v * W1[w + j];
    }
    const c = batch.cond[r];
    if (c >= 0) {
      const w = (m + c) * H;
      for (let j = 0; j < H; j++) out[o + j] += W1[w + j];
    }
  }
  return out;
}

/** Adds the input layer's gradients (dW1 rows of the batch's items and conditions, db1) to `grads`. */
export function encoderInputGrad(batch: SparseBatch, dA1: Float32Array, grads: Float32Array, layout: ParamLayout): void {
  const H = layout.dims.hidden;
  const m = layout.dims.items;
  const gW1 = paramView(grads, layout, "W1");
  const gb1 = paramView(grads, layout, "b1");
  for (let r = 0; r < batch.rows; r++) {
    const o = r * H;
    for (let j = 0; j < H; j++) gb1[j] += dA1[o + j];
    for (let k = batch.inPtr[r]; k < batch.inPtr[r + 1]; k++) {
      const w = batch.inItems[k] * H;
      const v = batch.inValues[k];
      for (let j = 0; j < H; j++) gW1[w + j] += v * dA1[o + j];
    }
    const c = batch.cond[r];
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

function weight(params: Float32Array, layout: ParamLayout, name: "W2" | "b2" | "W3" | "b3" | "W4" | "b4"): tf.Tensor2D {
  const e = layout.entries[name];
  return tf.tensor2d(paramView(params, layout, name), [e.rows, e.cols]);
}

export interface StepLoss {
  /** Sum over the batch rows of each row's multinomial negative log-likelihood. */
  nllSum: number;
  /** Sum over the rows of KL(q(z|x,c) || N(0, I)). */
  klSum: number;
  rows: number;
}

/**
 * Loss and gradients of `batch` under `params`; gradients are written (dense layers) or
 * added (input layer) into `grads`, which must hold zeros in W1 and b1 beforehand.
 * `scale` = 1 / (rows of the whole batch): a worker given part of a batch contributes
 * its share of the mean.
 */
export function computeGradients(params: Float32Array, layout: ParamLayout, batch: SparseBatch, beta: number, scale: number, grads: Float32Array, timings?: Record<string, number>): StepLoss {
  const { hidden: H, latent: L, items: m } = layout.dims;
  const R = batch.rows;
  if (!batch.eps) throw new Error("computeGradients: a training batch needs eps");
  // Optional profile for `npm run bench -- train`: milliseconds per phase, accumulated.
  let last = timings ? performance.now() : 0;
  const mark = (phase: string) => {
    if (!timings) return;
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + now - last;
    last = now;
  };
  const a1 = encoderInput(batch, params, layout);
  const { t, counts, flat } = denseTargets(batch, m, scale);
  mark("sparse input layer (JS)");
  const out = tf.tidy(() => {
    const W2 = weight(params, layout, "W2");
    const W3 = weight(params, layout, "W3");
    const W4 = weight(params, layout, "W4");
    const H1 = tf.tanh(tf.tensor2d(a1, [R, H]));
    const A2 = tf.add(tf.matMul(H1, W2), weight(params, layout, "b2"));
    const [mu, logvar] = tf.split(A2, 2, 1);
    const E = tf.tensor2d(batch.eps as Float32Array, [R, L]);
    const sigma = tf.exp(tf.mul(logvar, 0.5));
    const Z = tf.add(mu, tf.mul(E, sigma));
    const H3 = tf.tanh(tf.add(tf.matMul(Z, W3), weight(params, layout, "b3")));
    mark("upload weights + small layers");
    const logits = tf.add(tf.matMul(H3, W4), weight(params, layout, "b4"));
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
    const dH3 = tf.transpose(tf.matMul(W4, tf.transpose(dLogits)));
    const dA3 = tf.mul(dH3, tf.sub(1, tf.square(H3)));
    mark("dH3 matMul");
    const dW3 = tf.matMul(tf.transpose(Z), dA3);
    const db3 = tf.sum(dA3, 0);
    const dZ = tf.matMul(dA3, tf.transpose(W3));
    const varTerm = tf.exp(logvar);
    const klSum = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), varTerm)));
    const dmu = tf.add(dZ, tf.mul(mu, beta * scale));
    const dlogvar = tf.add(tf.mul(tf.mul(tf.mul(dZ, E), sigma), 0.5), tf.mul(tf.sub(varTerm, 1), 0.5 * beta * scale));
    const dA2 = tf.concat([dmu, dlogvar], 1);
    const dW2 = tf.matMul(tf.transpose(H1), dA2);
    const db2 = tf.sum(dA2, 0);
    const dA1 = tf.mul(tf.matMul(dA2, tf.transpose(W2)), tf.sub(1, tf.square(H1)));
    mark("small layers backward");
    return { nllSum, klSum, dW2, db2, dW3, db3, dW4, db4, dA1 };
  });
  try {
    for (const [name, g] of [["W2", out.dW2], ["b2", out.db2], ["W3", out.dW3], ["b3", out.db3], ["W4", out.dW4], ["b4", out.db4]] as const) {
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

/** mu of q(z | x, c) for a batch (inside a tidy): the evaluation-time encoder. */
function meansTensor(params: Float32Array, layout: ParamLayout, batch: SparseBatch): tf.Tensor {
  const { hidden: H, latent: L } = layout.dims;
  const R = batch.rows;
  const H1 = tf.tanh(tf.tensor2d(encoderInput(batch, params, layout), [R, H]));
  const A2 = tf.add(tf.matMul(H1, weight(params, layout, "W2")), weight(params, layout, "b2"));
  return tf.slice(A2, [0, 0], [R, L]);
}

/** Scores (logits, rows x m) of an evaluation batch: z = mu, no dropout. */
export function scoreBatch(params: Float32Array, layout: ParamLayout, batch: SparseBatch): Float32Array {
  const m = layout.dims.items;
  const logits = tf.tidy(() => {
    const H3 = tf.tanh(tf.add(tf.matMul(meansTensor(params, layout, batch), weight(params, layout, "W3")), weight(params, layout, "b3")));
    return tf.add(tf.matMul(H3, weight(params, layout, "W4")), weight(params, layout, "b4"));
  });
  try {
    const out = logits.dataSync() as Float32Array;
    if (out.length !== batch.rows * m) throw new Error(`scoreBatch: expected ${batch.rows * m} scores, got ${out.length}`);
    return out;
  } finally {
    logits.dispose();
  }
}

/** Latent means mu (rows x L) of a batch: the representation the analysis explores. */
export function encodeMeans(params: Float32Array, layout: ParamLayout, batch: SparseBatch): Float32Array {
  const mu = tf.tidy(() => meansTensor(params, layout, batch));
  try {
    return mu.dataSync() as Float32Array;
  } finally {
    mu.dispose();
  }
}
