// Training and evaluation rows, and the sparse batches built from them. A row is a
// (user, condition) pair: condition -1 is the zero condition (all of the user's items are
// the target), condition c targets the user's items of genre c. Inputs are always the
// user's whole history, L2-normalised, with inverted dropout in training.
import type { HeldOutSplit } from "../data/preprocess";
import { Rng } from "../core/rng";
import type { Csr } from "../data/schema";
import { nnz, rowLength } from "../data/sparse";
import type { Sampler } from "../train/config";

export interface Rows {
  /** Row index into the user matrix (train matrix, or a held-out split's fold-in). */
  users: Int32Array;
  /** Condition per row: -1 = none, else a genre index. */
  conditions: Int32Array;
}

/** Item x genre membership as a dense byte table (m x C) for O(1) lookups. */
export function genreTable(itemGenres: Csr): Uint8Array {
  const t = new Uint8Array(itemGenres.rows * itemGenres.cols);
  for (let i = 0; i < itemGenres.rows; i++) for (let k = itemGenres.indptr[i]; k < itemGenres.indptr[i + 1]; k++) t[i * itemGenres.cols + itemGenres.indices[k]] = 1;
  return t;
}

/** For each user row, the genres among its items (ascending), as CSR. */
export function userGenres(matrix: Csr, itemGenres: Csr): Csr {
  const C = itemGenres.cols;
  const indptr = new Int32Array(matrix.rows + 1);
  const out: number[] = [];
  const seen = new Uint8Array(C);
  for (let u = 0; u < matrix.rows; u++) {
    seen.fill(0);
    for (let k = matrix.indptr[u]; k < matrix.indptr[u + 1]; k++) {
      const item = matrix.indices[k];
      for (let j = itemGenres.indptr[item]; j < itemGenres.indptr[item + 1]; j++) seen[itemGenres.indices[j]] = 1;
    }
    for (let c = 0; c < C; c++) if (seen[c]) out.push(c);
    indptr[u + 1] = out.length;
  }
  return { rows: matrix.rows, cols: C, indptr, indices: Int32Array.from(out) };
}

/** Builds the rows of one epoch for a sampler; "balanced" rows are drawn once and reused. */
export class RowSampler {
  private fixed: Rows | null = null;
  private readonly genresOfUser: Csr;

  constructor(
    private readonly train: Csr,
    itemGenres: Csr,
    private readonly sampler: Sampler,
    private readonly conditioned: boolean,
    private readonly subsample: number,
    /** Seed of the balanced sampler's one-off draw (its own stream, so a resumed run redraws the same rows). */
    private readonly balancedSeed = 0,
  ) {
    this.genresOfUser = userGenres(train, itemGenres);
  }

  /** The rows of the next epoch, shuffled with `rng`. */
  epoch(rng: Rng): Rows {
    const rows = this.draw(rng);
    const order = rng.permutation(rows.users.length);
    return { users: order.map((k) => rows.users[k]), conditions: order.map((k) => rows.conditions[k]) };
  }

  private draw(rng: Rng): Rows {
    const U = this.train.rows;
    const zeroUsers: number[] = [];
    for (let u = 0; u < U; u++) if (rowLength(this.train, u) > 0) zeroUsers.push(u);
    if (!this.conditioned) return { users: Int32Array.from(zeroUsers), conditions: new Int32Array(zeroUsers.length).fill(-1) };
    const g = this.genresOfUser;
    switch (this.sampler) {
      case "full": {
        const users = [...zeroUsers];
        const conds = new Array<number>(zeroUsers.length).fill(-1);
        for (let u = 0; u < U; u++) for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) {
          users.push(u);
          conds.push(g.indices[k]);
        }
        return { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
      }
      case "balanced": {
        if (!this.fixed) {
          const perGenre = Math.floor((nnz(g) * this.subsample) / g.cols);
          const byGenre: number[][] = Array.from({ length: g.cols }, () => []);
          const draw = new Rng(this.balancedSeed);
          for (let u = 0; u < U; u++) for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) byGenre[g.indices[k]].push(u);
          const users = [...zeroUsers];
          const conds = new Array<number>(zeroUsers.length).fill(-1);
          byGenre.forEach((have, c) => {
            if (have.length === 0) return;
            for (let i = 0; i < perGenre; i++) {
              users.push(have[draw.integer(have.length)]);
              conds.push(c);
            }
          });
          this.fixed = { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
        }
        return this.fixed;
      }
      case "one-genre": {
        const users = [...zeroUsers];
        const conds = new Array<number>(zeroUsers.length).fill(-1);
        for (let u = 0; u < U; u++) {
          const n = g.indptr[u + 1] - g.indptr[u];
          if (n === 0) continue;
          users.push(u);
          conds.push(g.indices[g.indptr[u] + rng.integer(n)]);
        }
        return { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
      }
      default:
        throw new Error(`unknown sampler: ${String(this.sampler)}`);
    }
  }
}

/**
 * Evaluation rows of a held-out split: every user with the zero condition (the Mult-VAE
 * protocol), then one row per (user, genre) present in both the user's fold-in and
 * held-out items (the conditioned protocol; an empty target could not be scored).
 */
export function evaluationRows(split: HeldOutSplit, itemGenres: Csr, conditioned: boolean): Rows & { zeroRows: number } {
  const U = split.foldIn.rows;
  const users: number[] = Array.from({ length: U }, (_, u) => u);
  const conds: number[] = new Array<number>(U).fill(-1);
  if (conditioned) {
    const inG = userGenres(split.foldIn, itemGenres);
    const outG = userGenres(split.heldOut, itemGenres);
    for (let u = 0; u < U; u++) {
      const held = new Set(outG.indices.subarray(outG.indptr[u], outG.indptr[u + 1]));
      for (let k = inG.indptr[u]; k < inG.indptr[u + 1]; k++) {
        if (held.has(inG.indices[k])) {
          users.push(u);
          conds.push(inG.indices[k]);
        }
      }
    }
  }
  return { users: Int32Array.from(users), conditions: Int32Array.from(conds), zeroRows: U };
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
  latent: number;
  /** Draws dropout masks and eps; needed in training. */
  rng?: Rng;
  /** items x genres table (genreTable) for conditioned targets. */
  genres: Uint8Array;
  conditions: number;
}

/**
 * Builds a batch from rows[from..to): inputs from `input` (the user's history), targets
 * from `target` (the same matrix in training; the held-out items at evaluation),
 * restricted to the row's genre when it has one.
 */
export function buildBatch(input: Csr, target: Csr, rows: Rows, from: number, to: number, options: BatchOptions): SparseBatch {
  const { dropout, latent, rng, genres, conditions: C } = options;
  if ((dropout > 0 || latent > 0) && !rng) throw new Error("buildBatch: training batches need an rng");
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
      if (c < 0 || genres[item * C + c]) tgtItems.push(item);
    }
    tgtPtr[r + 1] = tgtItems.length;
  }
  let eps: Float32Array | null = null;
  if (latent > 0) {
    eps = new Float32Array(n * latent);
    for (let i = 0; i < eps.length; i++) eps[i] = (rng as Rng).normal();
  }
  return { rows: n, inPtr, inItems: Int32Array.from(inItems), inValues: Float32Array.from(inValues), cond, tgtPtr, tgtItems: Int32Array.from(tgtItems), eps };
}

/** The batch with every row's condition removed (how a Mult-VAE sees conditioned rows). */
export function withoutConditions(b: SparseBatch): SparseBatch {
  return { ...b, cond: new Int32Array(b.rows).fill(-1) };
}

/** Rows [from, to) of a batch as a batch of their own (the worker pool splits batches this way). */
export function sliceBatch(b: SparseBatch, from: number, to: number, latent: number): SparseBatch {
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
    eps: b.eps ? b.eps.slice(from * latent, to * latent) : null,
  };
}
