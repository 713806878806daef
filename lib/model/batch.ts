// The sparse batches the model consumes, built from rows. A row is a (user, condition)
// pair: condition -1 is the zero condition (all of the user's items are the target),
// condition c targets the user's items having condition c (a genre or decade of the item,
// or the context the user rated it in; data/conditions.ts). Inputs are always the user's whole
// history, L2-normalised, with inverted dropout in training. Which rows an epoch or an
// evaluation holds is decided elsewhere (train/samplers.ts, evaluation/evaluate.ts).
import type { Rng } from "../core/rng";
import { type EntryConditions, entryHas } from "../data/conditions/conditions";
import type { Csr } from "../data/schema";

export interface Rows {
  /** Row index into the user matrix (train matrix, or a held-out split's fold-in). */
  users: Int32Array;
  /** Condition per row: -1 = none, else a condition index. */
  conditions: Int32Array;
}

/** A batch in sparse form: what the compute kernels consume. */
export interface SparseBatch {
  rows: number;
  /** Input items per row (CSR) with their values: 1/sqrt(n), scaled by 1/(1-p) and dropped at rate p in training. */
  inPtr: Int32Array;
  inItems: Int32Array;
  inValues: Float32Array;
  /** Condition per row (-1 = none). */
  cond: Int32Array;
  /** Target items per row (CSR). */
  tgtPtr: Int32Array;
  tgtItems: Int32Array;
  /** Standard normal noise (rows x latent) for z = mu + eps * sigma; null at evaluation. */
  eps: Float32Array | null;
}

export interface BatchOptions {
  /** Dropout rate on input items; 0 at evaluation. */
  dropout: number;
  /** Latent size for eps; 0 = no sampling (evaluation uses z = mu). */
  latentDim: number;
  /** Draws dropout masks and eps; needed in training. */
  rng?: Rng;
  /** The conditions of the target matrix's entries, which restrict conditioned targets. */
  targetConditions: EntryConditions;
}

/**
 * Builds a batch from rows[from..to): inputs from `input` (the user's history), targets
 * from `target` (the same matrix in training; the held-out items at evaluation),
 * restricted to the row's condition when it has one.
 */
export function buildBatch(input: Csr, target: Csr, rows: Rows, from: number, to: number, options: BatchOptions): SparseBatch {
  const { dropout, latentDim, rng, targetConditions } = options;
  if ((dropout > 0 || latentDim > 0) && !rng) throw new Error("buildBatch: training batches need an rng");
  const n = to - from;
  const inPtr = new Int32Array(n + 1);
  const tgtPtr = new Int32Array(n + 1);
  const inItems: number[] = [];
  const inValues: number[] = [];
  const tgtItems: number[] = [];
  const cond = new Int32Array(n);
  const keepScale = 1 / (1 - dropout);
  for (let r = 0; r < n; r++) {
    const u = rows.users[from + r];
    const c = rows.conditions[from + r];
    cond[r] = c;
    const a = input.indptr[u];
    const b = input.indptr[u + 1];
    const norm = b > a ? 1 / Math.sqrt(b - a) : 0;
    for (let k = a; k < b; k++) {
      if (dropout > 0 && (rng as Rng).random() < dropout) continue;
      inItems.push(input.indices[k]);
      inValues.push(norm * (dropout > 0 ? keepScale : 1));
    }
    inPtr[r + 1] = inItems.length;
    for (let k = target.indptr[u]; k < target.indptr[u + 1]; k++) {
      const item = target.indices[k];
      if (c < 0 || entryHas(targetConditions, k, item, c)) tgtItems.push(item);
    }
    tgtPtr[r + 1] = tgtItems.length;
  }
  let eps: Float32Array | null = null;
  if (latentDim > 0) {
    eps = new Float32Array(n * latentDim);
    for (let i = 0; i < eps.length; i++) eps[i] = (rng as Rng).normal();
  }
  return {
    rows: n,
    inPtr,
    inItems: Int32Array.from(inItems),
    inValues: Float32Array.from(inValues),
    cond,
    tgtPtr,
    tgtItems: Int32Array.from(tgtItems),
    eps,
  };
}

/** Rows [from, to) of a batch as a batch of their own (the worker pool splits batches this way). */
export function sliceBatch(b: SparseBatch, from: number, to: number, latentDim: number): SparseBatch {
  const a0 = b.inPtr[from];
  const a1 = b.inPtr[to];
  const t0 = b.tgtPtr[from];
  const t1 = b.tgtPtr[to];
  return {
    rows: to - from,
    inPtr: b.inPtr.slice(from, to + 1).map((p) => p - a0),
    inItems: b.inItems.slice(a0, a1),
    inValues: b.inValues.slice(a0, a1),
    cond: b.cond.slice(from, to),
    tgtPtr: b.tgtPtr.slice(from, to + 1).map((p) => p - t0),
    tgtItems: b.tgtItems.slice(t0, t1),
    eps: b.eps ? b.eps.slice(from * latentDim, to * latentDim) : null,
  };
}
