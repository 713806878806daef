// The reference C-VAE: the model written directly in tfjs ops (a dense input layer, the
// definitions of forward.ts's header). Its forward pass checks forward.ts (forward.test.ts);
// its loss, differentiated by tfjs's autodiff, checks backward.ts's hand-written gradients,
// both on every Gemm provider. Changing the encoder changes `encode` here, once for both.
import * as tf from "@tensorflow/tfjs";
import type { SparseBatch } from "../../lib/model/batch";
import { type ParamLayout, type ParamName, PARAM_NAMES, paramView } from "../../lib/model/parameters";

type DenseWeights = Record<"W2" | "b2" | "W3" | "b3" | "W4" | "b4", tf.Tensor2D>;

/** The batch's dense input X (rows x (m + C)): the input values and a one-hot condition. */
function denseInput(batch: SparseBatch, m: number, C: number): Float32Array {
  const x = new Float32Array(batch.rows * (m + C));
  for (let r = 0; r < batch.rows; r++) {
    for (let k = batch.inPtr[r]; k < batch.inPtr[r + 1]; k++) x[r * (m + C) + batch.inItems[k]] = batch.inValues[k];
    if (batch.cond[r] >= 0) x[r * (m + C) + m + batch.cond[r]] = 1;
  }
  return x;
}

/** h1 = tanh(A1), [mu, logvar] = h1 W2 + b2. */
function encode(a1: tf.Tensor2D, w: DenseWeights): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const [mu, logvar] = tf.split(tf.add(tf.matMul(tf.tanh(a1), w.W2), w.b2), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  return { mu, logvar };
}

/** logits = tanh(z W3 + b3) W4 + b4. */
function decode(z: tf.Tensor2D, w: DenseWeights): tf.Tensor2D {
  const h3 = tf.tanh(tf.add(tf.matMul(z, w.W3), w.b3)) as tf.Tensor2D;
  return tf.add(tf.matMul(h3, w.W4), w.b4) as tf.Tensor2D;
}

/** decode(z), z = mu + eps * exp(logvar / 2). */
function decodeSample(enc: { mu: tf.Tensor2D; logvar: tf.Tensor2D }, eps: tf.Tensor2D, w: DenseWeights): tf.Tensor2D {
  return decode(tf.add(enc.mu, tf.mul(eps, tf.exp(tf.mul(enc.logvar, 0.5)))) as tf.Tensor2D, w);
}

/**
 * The reference evaluation-time forward pass (dense input, z = mu): the input layer's
 * pre-activation A1 = X W1 + b1, the means and the logits. It runs on tfjs's cpu backend
 * whichever backend the provider under test selected, and restores that one (if any).
 */
export async function referenceForward(
  params: Float32Array,
  L: ParamLayout,
  batch: SparseBatch,
): Promise<{ a1: Float32Array; mu: Float32Array; logits: Float32Array }> {
  const { items: m, conditions: C } = L.dims;
  const previous = tf.getBackend() as string | undefined; // undefined before any backend is selected
  await tf.setBackend("cpu");
  try {
    return tf.tidy(() => {
      const w = Object.fromEntries(
        PARAM_NAMES.map((n) => [n, tf.tensor2d(paramView(params, L, n), [L.entries[n].rows, L.entries[n].cols])]),
      ) as Record<ParamName, tf.Tensor2D>;
      const a1 = tf.add(tf.matMul(tf.tensor2d(denseInput(batch, m, C), [batch.rows, m + C]), w.W1), w.b1) as tf.Tensor2D;
      const { mu } = encode(a1, w);
      const logits = decode(mu, w);
      return { a1: a1.dataSync() as Float32Array, mu: mu.dataSync() as Float32Array, logits: logits.dataSync() as Float32Array };
    });
  } finally {
    if (previous && previous !== "cpu") await tf.setBackend(previous);
  }
}

/**
 * The reference: the loss with a dense input layer (X W1 + b1, X holding the input values
 * and a one-hot condition), differentiated by tfjs's autodiff.
 */
export function autodiffGrads(params: Float32Array, L: ParamLayout, batch: SparseBatch, beta: number) {
  const { items: m, conditions: C, latentDim: Lt } = L.dims;
  const R = batch.rows;
  const x = denseInput(batch, m, C);
  const t = new Float32Array(R * m);
  for (let r = 0; r < R; r++) for (let k = batch.tgtPtr[r]; k < batch.tgtPtr[r + 1]; k++) t[r * m + batch.tgtItems[k]] = 1;
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
    const logits = decodeSample(enc, E, w);
    const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), T), 1)));
    const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar)), 1)));
    return tf.add(nll, tf.mul(beta, kl)) as tf.Scalar;
  }, Object.values(vars));
  const out = Object.fromEntries(PARAM_NAMES.map((n) => [n, grads[vars[n].name].dataSync() as Float32Array]));
  const loss = value.dataSync()[0];
  tf.dispose([value, X, T, E, ...Object.values(grads), ...Object.values(vars)]);
  return { grads: out, loss };
}

export function maxRelError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}
