// Binary CSR matrices: building from (row, col) pairs, row access, and the few products
// the pipeline needs (user x genre counts). Values are implicit ones.
import type { Csr } from "./schema";

/** Builds a CSR matrix from parallel row/col arrays; repeated pairs are kept once; columns ascending. */
export function csrFromPairs(rows: number, cols: number, rowOf: ArrayLike<number>, colOf: ArrayLike<number>, count = rowOf.length): Csr {
  const indptr = new Int32Array(rows + 1);
  for (let i = 0; i < count; i++) {
    const r = rowOf[i];
    if (!(r >= 0 && r < rows)) throw new RangeError(`row ${r} outside 0..${rows - 1}`);
    indptr[r + 1]++;
  }
  for (let r = 0; r < rows; r++) indptr[r + 1] += indptr[r];
  const fill = indptr.slice(0, rows);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = colOf[i];
    if (!(c >= 0 && c < cols)) throw new RangeError(`column ${c} outside 0..${cols - 1}`);
    indices[fill[rowOf[i]]++] = c;
  }
  return sortRows({ rows, cols, indptr, indices });
}

/** Sorts each row's columns in place and drops repeats. */
export function sortRows(m: Csr): Csr {
  for (let r = 0; r < m.rows; r++) {
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    if (b - a <= 24) {
      // Insertion sort: short rows are the common case and a native sort call costs more.
      for (let i = a + 1; i < b; i++) {
        const v = m.indices[i];
        let j = i - 1;
        while (j >= a && m.indices[j] > v) {
          m.indices[j + 1] = m.indices[j];
          j--;
        }
        m.indices[j + 1] = v;
      }
    } else m.indices.subarray(a, b).sort();
  }
  return dropRepeats(m);
}

/** Drops repeated columns within rows (columns are already ascending). */
function dropRepeats(m: Csr): Csr {
  let repeats = 0;
  for (let r = 0; r < m.rows; r++) for (let k = m.indptr[r] + 1; k < m.indptr[r + 1]; k++) if (m.indices[k] === m.indices[k - 1]) repeats++;
  if (repeats === 0) return m;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(m.indices.length - repeats);
  let w = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++)
      if (k === m.indptr[r] || m.indices[k] !== m.indices[k - 1]) indices[w++] = m.indices[k];
    indptr[r + 1] = w;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices };
}

export function nnz(m: Csr): number {
  return m.indptr[m.rows];
}

/** Column indices of one row (a view, not a copy). */
export function rowOf(m: Csr, r: number): Int32Array {
  return m.indices.subarray(m.indptr[r], m.indptr[r + 1]);
}

export function rowLength(m: Csr, r: number): number {
  return m.indptr[r + 1] - m.indptr[r];
}

/** Share of cells that are non-zero. */
export function density(m: Csr): number {
  return m.rows === 0 || m.cols === 0 ? 0 : nnz(m) / (m.rows * m.cols);
}

/**
 * For each row of `a` (users x items), how many of its items carry each column of
 * `b` (items x genres): a dense rows x b.cols count matrix, row-major.
 */
export function countProduct(a: Csr, b: Csr): Int32Array {
  if (a.cols !== b.rows) throw new RangeError(`countProduct: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const out = new Int32Array(a.rows * b.cols);
  for (let r = 0; r < a.rows; r++) {
    const base = r * b.cols;
    for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) {
      const item = a.indices[k];
      for (let j = b.indptr[item]; j < b.indptr[item + 1]; j++) out[base + b.indices[j]]++;
    }
  }
  return out;
}

/** Per-column counts (how many rows contain each column). */
export function columnCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.cols);
  for (let k = 0; k < nnz(m); k++) out[m.indices[k]]++;
  return out;
}

/** Checks internal consistency; the store calls it on load. Errors name `what`. */
export function validateCsr(m: Csr, what: string): void {
  if (m.indptr.length !== m.rows + 1) throw new Error(`${what}: indptr has ${m.indptr.length} entries for ${m.rows} rows`);
  if (m.indptr[0] !== 0 || m.indptr[m.rows] !== m.indices.length)
    throw new Error(`${what}: indptr does not span the ${m.indices.length} indices`);
  for (let r = 0; r < m.rows; r++) {
    if (m.indptr[r + 1] < m.indptr[r]) throw new Error(`${what}: row ${r} has negative length`);
  }
  for (let k = 0; k < m.indices.length; k++) {
    if (m.indices[k] < 0 || m.indices[k] >= m.cols) throw new Error(`${what}: column index ${m.indices[k]} outside 0..${m.cols - 1}`);
  }
}
