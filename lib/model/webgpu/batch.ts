// What the GPU needs of a SparseBatch beyond the batch itself: its transpose by W1 row, so the
// input layer's gradient can be gathered row by row (WGSL has no float atomics to scatter with).
// Built on the CPU in O(nnz); only the batch's own entries go up, nothing dense.
import type { SparseBatch } from "../batch";

export interface BatchTranspose {
  /** W1 rows the batch touches (items, then the conditions' rows m + c), ascending. */
  colRow: Int32Array;
  /** Entries of touched row t: colPtr[t] .. colPtr[t + 1] in entRows / entValues. */
  colPtr: Int32Array;
  /** Batch row of each entry, ascending within a W1 row (the CPU's summation order). */
  entRows: Int32Array;
  entValues: Float32Array;
}

/**
 * The batch's input entries grouped by W1 row: item i's row for each (row, item, value), and row
 * m + c (value 1) for each row with condition c when the model takes conditions.
 */
export function transposeBatch(batch: SparseBatch, items: number, conditions: number): BatchTranspose {
  const { rows, inPtr, inItems, inValues, cond } = batch;
  const W = items + conditions;
  const counts = new Int32Array(W + 1);
  for (let k = 0; k < inPtr[rows]; k++) counts[inItems[k] + 1]++;
  if (conditions > 0) for (let r = 0; r < rows; r++) if (cond[r] >= 0) counts[items + cond[r] + 1]++;
  let touched = 0;
  for (let w = 0; w < W; w++) if (counts[w + 1] > 0) touched++;
  const colRow = new Int32Array(touched);
  const colPtr = new Int32Array(touched + 1);
  const start = new Int32Array(W);
  let t = 0;
  let total = 0;
  for (let w = 0; w < W; w++) {
    const n = counts[w + 1];
    if (n === 0) continue;
    colRow[t] = w;
    start[w] = total;
    total += n;
    colPtr[++t] = total;
  }
  const entRows = new Int32Array(total);
  const entValues = new Float32Array(total);
  // Rows in ascending order, so each W1 row's entries are in batch-row order.
  for (let r = 0; r < rows; r++) {
    for (let k = inPtr[r]; k < inPtr[r + 1]; k++) {
      const at = start[inItems[k]]++;
      entRows[at] = r;
      entValues[at] = inValues[k];
    }
    if (conditions > 0 && cond[r] >= 0) {
      const at = start[items + cond[r]]++;
      entRows[at] = r;
      entValues[at] = 1;
    }
  }
  return { colRow, colPtr, entRows, entValues };
}

/**
 * Every row of `batch` under no condition, then under each of C conditions: (C + 1) x rows rows,
 * grouped by condition, each with the row's whole history (encoding only: no targets, no noise).
 */
export function underEveryCondition(batch: SparseBatch, conditions: number): SparseBatch {
  const B = batch.rows;
  const n = batch.inPtr[B];
  const rows = (conditions + 1) * B;
  const inPtr = new Int32Array(rows + 1);
  const inItems = new Int32Array((conditions + 1) * n);
  const inValues = new Float32Array((conditions + 1) * n);
  const cond = new Int32Array(rows);
  for (let c = 0; c <= conditions; c++) {
    inItems.set(batch.inItems.subarray(0, n), c * n);
    inValues.set(batch.inValues.subarray(0, n), c * n);
    for (let u = 0; u < B; u++) {
      inPtr[c * B + u + 1] = c * n + batch.inPtr[u + 1];
      cond[c * B + u] = c - 1;
    }
  }
  return { rows, inPtr, inItems, inValues, cond, tgtPtr: new Int32Array(rows + 1), tgtItems: new Int32Array(0), eps: null };
}
