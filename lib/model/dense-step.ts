// The C-VAE's training step and scoring on plain typed arrays over one dense-kernel
// interface (a row-major `Gemm`): the products go to the provider (native BLAS), while
// the sparse input layer (forward.ts / backward.ts), the fused softmax and the element-wise
// work stay in tight loops here. The same maths as backward.ts's tfjs path, term by term
// (the tests hold the two to float precision):
//   A1 = sparse input layer; h1 = tanh(A1); [mu, logvar] = h1 W2 + b2
//   z = mu + eps * exp(logvar / 2); h3 = tanh(z W3 + b3); logits = h3 W4 + b4
//   loss = -sum_targets log softmax(logits) + beta * KL, gradients by hand.
import type { StepLoss, StepProfile } from "./backward";
import { encoderInputGrad, phaseTimer } from "./backward";
import type { Gemm } from "./blas";
import type { SparseBatch } from "./batch";
import { encoderInput } from "./forward";
import { type ParamLayout, type ParamName, paramView } from "./parameters";

/** out[r, :] = bias (rows x cols), the start of a product that accumulates onto it. */
function fillRows(out: Float32Array, bias: Float32Array, rows: number): Float32Array {
  for (let r = 0; r < rows; r++) out.set(bias, r * bias.length);
  return out;
}

function tanhInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]);
  return a;
}

/** Column sums of a rows x cols matrix, written into `out`. */
function columnSums(a: Float32Array, rows: number, cols: number, out: Float32Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[j] += a[o + j];
  }
}

const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 2^k for k = -199..0, at POW2[k + 199]. */
const POW2 = Float64Array.from({ length: 200 }, (_, i) => 2 ** (i - 199));

/**
 * e^x for x <= 0 (a max-shifted logit): x = k ln2 + r with |r| <= ln2/2, e^r by its Taylor
 * polynomial to r^7. Relative error <= 1e-8, below float32's 6e-8; 0 below -103, where
 * float32 underflows anyway. Why: Math.exp costs ~13 ns in V8 and the softmax calls it
 * rows x items times a step; this costs ~5.
 */
export function expNonPositive(x: number): number {
  if (x < -103) return 0;
  const k = Math.floor(x * Math.LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2[k + 199];
}

/**
 * The fused softmax cross-entropy of the logits (rows x m), in place: returns the summed
 * NLL -sum_targets log p and leaves dLoss/dLogits = p * (targets * scale) - t, t = scale at
 * each target. Three passes over a row (max, exp, scale) instead of log-softmax's six.
 */
function softmaxCrossEntropy(logits: Float32Array, batch: SparseBatch, m: number, scale: number): number {
  const { tgtPtr, tgtItems } = batch;
  let nllSum = 0;
  for (let r = 0; r < batch.rows; r++) {
    const o = r * m;
    let max = -Infinity;
    for (let j = 0; j < m; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const e = expNonPositive(logits[o + j] - max);
      logits[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    // -log p at the targets (a floor keeps an underflow finite), before the row is rescaled.
    for (let k = tgtPtr[r]; k < tgtPtr[r + 1]; k++) nllSum -= Math.log(Math.max(logits[o + tgtItems[k]] * inv, 1e-30));
    const factor = inv * (tgtPtr[r + 1] - tgtPtr[r]) * scale;
    for (let j = 0; j < m; j++) logits[o + j] *= factor;
    for (let k = tgtPtr[r]; k < tgtPtr[r + 1]; k++) logits[o + tgtItems[k]] -= scale;
  }
  return nllSum;
}

/** The decoder from latent z (rows x L): h3 and the logits (rows x m). */
function decode(
  gemm: Gemm,
  params: Float32Array,
  layout: ParamLayout,
  z: Float32Array,
  R: number,
): { h3: Float32Array; logits: Float32Array } {
  const { hidden: H, latent: L, items: m } = layout.dims;
  const view = (name: ParamName) => paramView(params, layout, name);
  const h3 = fillRows(new Float32Array(R * H), view("b3"), R);
  gemm(false, false, R, H, L, z, view("W3"), h3, true);
  tanhInPlace(h3);
  const logits = fillRows(new Float32Array(R * m), view("b4"), R);
  gemm(false, false, R, m, H, h3, view("W4"), logits, true);
  return { h3, logits };
}

/** h1 and [mu, logvar] (rows x 2L) of a batch. */
function encodeRows(gemm: Gemm, params: Float32Array, layout: ParamLayout, batch: SparseBatch): { h1: Float32Array; out2: Float32Array } {
  const { hidden: H, latent: L } = layout.dims;
  const R = batch.rows;
  const h1 = tanhInPlace(encoderInput(batch, params, layout));
  const out2 = fillRows(new Float32Array(R * 2 * L), paramView(params, layout, "b2"), R);
  gemm(false, false, R, 2 * L, H, h1, paramView(params, layout, "W2"), out2, true);
  return { h1, out2 };
}

/** Latent means mu (rows x L) of an evaluation batch. */
export function encodeMeansDense(gemm: Gemm, params: Float32Array, layout: ParamLayout, batch: SparseBatch): Float32Array {
  const L = layout.dims.latent;
  const { out2 } = encodeRows(gemm, params, layout, batch);
  const mu = new Float32Array(batch.rows * L);
  for (let r = 0; r < batch.rows; r++) mu.set(out2.subarray(r * 2 * L, r * 2 * L + L), r * L);
  return mu;
}

/** Scores (logits, rows x m) of an evaluation batch: z = mu, no dropout. */
export function scoreBatchDense(gemm: Gemm, params: Float32Array, layout: ParamLayout, batch: SparseBatch): Float32Array {
  return decode(gemm, params, layout, encodeMeansDense(gemm, params, layout, batch), batch.rows).logits;
}

/**
 * Loss and gradients of `batch` under `params`, written into `grads` (overwritten); `scale`
 * = 1 / (rows of the whole batch), as in backward.ts's computeGradients.
 */
export function computeGradientsDense(
  gemm: Gemm,
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
  const eps = batch.eps;
  if (!eps) throw new Error("computeGradientsDense: a training batch needs eps");
  const mark = phaseTimer(timings);
  const view = (name: ParamName) => paramView(params, layout, name);
  const grad = (name: ParamName) => paramView(grads, layout, name);
  const { h1, out2 } = encodeRows(gemm, params, layout, batch);
  mark("sparse input layer + encoder");
  // z = mu + eps * sigma, and the KL term, row by row from [mu, logvar].
  const z = new Float32Array(R * L);
  const sigma = new Float32Array(R * L);
  let klSum = 0;
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < L; j++) {
      const mu = out2[r * 2 * L + j];
      const logvar = out2[r * 2 * L + L + j];
      const s = Math.exp(logvar * 0.5);
      sigma[r * L + j] = s;
      z[r * L + j] = mu + eps[r * L + j] * s;
      klSum += 1 + logvar - mu * mu - Math.exp(logvar);
    }
  }
  klSum *= -0.5;
  const { h3, logits } = decode(gemm, params, layout, z, R);
  mark("decoder (output product)");
  const nllSum = softmaxCrossEntropy(logits, batch, m, scale);
  const dLogits = logits;
  mark("softmax + loss gradient");
  gemm(true, false, H, m, R, h3, dLogits, grad("W4"));
  columnSums(dLogits, R, m, grad("b4"));
  mark("dW4 product");
  const dA3 = new Float32Array(R * H);
  gemm(false, true, R, H, m, dLogits, view("W4"), dA3);
  for (let i = 0; i < dA3.length; i++) dA3[i] *= 1 - h3[i] * h3[i];
  mark("dH3 product");
  gemm(true, false, L, H, R, z, dA3, grad("W3"));
  columnSums(dA3, R, H, grad("b3"));
  const dZ = new Float32Array(R * L);
  gemm(false, true, R, L, H, dA3, view("W3"), dZ);
  const dA2 = new Float32Array(R * 2 * L);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < L; j++) {
      const q = r * L + j;
      const mu = out2[r * 2 * L + j];
      const logvar = out2[r * 2 * L + L + j];
      dA2[r * 2 * L + j] = dZ[q] + mu * beta * scale;
      dA2[r * 2 * L + L + j] = dZ[q] * eps[q] * sigma[q] * 0.5 + (Math.exp(logvar) - 1) * 0.5 * beta * scale;
    }
  }
  gemm(true, false, H, 2 * L, R, h1, dA2, grad("W2"));
  columnSums(dA2, R, 2 * L, grad("b2"));
  const dA1 = new Float32Array(R * H);
  gemm(false, true, R, H, 2 * L, dA2, view("W2"), dA1);
  for (let i = 0; i < dA1.length; i++) dA1[i] *= 1 - h1[i] * h1[i];
  mark("small layers backward");
  encoderInputGrad(batch, dA1, grads, layout);
  mark("sparse input layer gradient");
  return { nllSum, klSum, rows: R };
}
