// The C-VAE's parameters (Carraro et al. 2020; Mult-VAE of Liang et al. 2018 when there are
// no conditions): [m + C -> H tanh -> 2L (mu, log sigma^2)] encoder, z = mu + eps * sigma,
// [L -> H tanh -> m] decoder. All weights live in one flat Float32Array (shareable between
// worker threads), laid out by `paramLayout`; each matrix is row-major [fan_in x fan_out].
import { deriveSeed, Rng } from "../core/rng";

export interface ModelDims {
  /** m: items. */
  items: number;
  /** C: conditions (0 for Mult-VAE). */
  conditions: number;
  /** H: hidden width. */
  hidden: number;
  /** L: latent dimensions (stored as `latent` in checkpoint.json's dims: lib/model/checkpoint.ts). */
  latentDim: number;
}

export type ParamName = "W1" | "b1" | "W2" | "b2" | "W3" | "b3" | "W4" | "b4";
export const PARAM_NAMES: readonly ParamName[] = ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"];

export interface ParamEntry {
  name: ParamName;
  offset: number;
  rows: number;
  cols: number;
}

export interface ParamLayout {
  dims: ModelDims;
  entries: Record<ParamName, ParamEntry>;
  /** Total number of parameters. */
  size: number;
}

/** Where each weight matrix and bias sits in the flat parameter array. */
export function paramLayout(dims: ModelDims): ParamLayout {
  const { items: m, conditions: C, hidden: H, latentDim: L } = dims;
  for (const [k, v] of Object.entries(dims)) {
    const name = k === "latentDim" ? "latent" : k; // the size's name in configs and checkpoint.json
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`model dims: ${name} must be a non-negative integer, got ${v}`);
  }
  if (m < 1 || H < 1 || L < 1) throw new RangeError(`model dims: items, hidden and latent must be positive (${m}, ${H}, ${L})`);
  const shapes: [ParamName, number, number][] = [
    ["W1", m + C, H],
    ["b1", 1, H],
    ["W2", H, 2 * L],
    ["b2", 1, 2 * L],
    ["W3", L, H],
    ["b3", 1, H],
    ["W4", H, m],
    ["b4", 1, m],
  ];
  const entries = {} as Record<ParamName, ParamEntry>;
  let offset = 0;
  for (const [name, rows, cols] of shapes) {
    entries[name] = { name, offset, rows, cols };
    offset += rows * cols;
  }
  return { dims: { ...dims }, entries, size: offset };
}

/** A view (no copy) of one parameter inside the flat array. */
export function paramView(flat: Float32Array, layout: ParamLayout, name: ParamName): Float32Array {
  const e = layout.entries[name];
  return flat.subarray(e.offset, e.offset + e.rows * e.cols);
}

/** A flat Float32Array, shared between threads when `shared` (the worker pool needs that). */
export function allocate(size: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(size * 4)) : new Float32Array(size);
}

/**
 * Initialises as the paper does: Xavier-uniform weights, U(-a, a) with
 * a = sqrt(6 / (fan_in + fan_out)); biases from a normal with std 0.001 truncated at 2 std.
 */
export function initParams(layout: ParamLayout, rng: Rng, into: Float32Array = new Float32Array(layout.size)): Float32Array {
  if (into.length !== layout.size) throw new RangeError(`initParams: array has ${into.length} entries, the layout needs ${layout.size}`);
  for (const name of PARAM_NAMES) {
    const e = layout.entries[name];
    const v = paramView(into, layout, name);
    if (name.startsWith("W")) {
      const a = Math.sqrt(6 / (e.rows + e.cols));
      for (let i = 0; i < v.length; i++) v[i] = (2 * rng.random() - 1) * a;
    } else {
      for (let i = 0; i < v.length; i++) {
        let x: number;
        do x = rng.normal();
        while (Math.abs(x) > 2);
        v[i] = 0.001 * x;
      }
    }
  }
  return into;
}

/** The weights a run with this seed starts training from (its own "init" stream of the seed). */
export function initialParams(layout: ParamLayout, seed: number, into?: Float32Array): Float32Array {
  return initParams(layout, new Rng(deriveSeed(seed, "init")), into);
}
