// Adam (Kingma and Ba 2015) in PyTorch's formulation, without weight decay, over flat
// parameter arrays: the optimiser of the C-VAE. Moments live beside the parameters (shared
// between worker threads), and each thread updates its own slice.

/** Adam moments and step count, flat like the parameters. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  step: number;
}

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * One Adam update (PyTorch's formulation, no weight decay) of params[from..to), with the
 * gradient being the sum of `grads` (one buffer per worker, summed in a fixed order).
 * `step` is the 1-based update number.
 */
export function adamUpdate(
  params: Float32Array,
  grads: readonly Float32Array[],
  state: AdamState,
  lr: number,
  step: number,
  from = 0,
  to = params.length,
): void {
  const { beta1, beta2, eps } = ADAM;
  if (grads.length < 1 || grads.length > 2) throw new RangeError("adamUpdate: one or two gradient buffers");
  const c1 = 1 - beta1 ** step;
  const stepSize = lr / c1;
  const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** step);
  const { m, v } = state;
  const g0 = grads[0];
  // Two loops rather than a branch per element: this runs over ~10M parameters per step.
  if (grads.length === 1) {
    for (let i = from; i < to; i++) {
      const g = g0[i];
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
    }
  } else {
    const g1 = grads[1];
    for (let i = from; i < to; i++) {
      const g = g0[i] + g1[i];
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
    }
  }
}
