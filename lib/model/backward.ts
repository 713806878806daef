// One training step's loss and gradients over a Gemm (gemm.ts): the forward pass of
// forward.ts, then hand-written backpropagation, term by term (the tests hold it to tfjs's
// autodiff of the same loss):
//   loss = -sum_targets log softmax(logits) + beta * KL(q(z | x, c) || N(0, I)), per row.
// The products go to the provider; the sparse input layer, the fused softmax
// cross-entropy and the element-wise work stay in tight typed-array loops here.
import type { SparseBatch } from "./batch";
import { conditionOf, decode, encodeRows } from "./forward";
import type { Gemm } from "./gemm";
import { type ParamLayout, type ParamName, paramView } from "./parameters";

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

/**
 * Loss and gradients of `batch` under `params`, written into `grads` (overwritten); `scale`
 * = 1 / (rows of the whole batch): a worker given part of a batch contributes its share of the mean.
 */
export function computeGradients(
  gemm: Gemm,
  params: Float32Array,
  layout: ParamLayout,
  batch: SparseBatch,
  beta: number,
  scale: number,
  grads: Float32Array,
  timings?: StepProfile,
): StepLoss {
  const { hidden: H, latentDim: L, items: m } = layout.dims;
  const R = batch.rows;
  const eps = batch.eps;
  if (!eps) throw new Error("computeGradients: a training batch needs eps");
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
