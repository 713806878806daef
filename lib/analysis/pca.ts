// PCA of latent vectors with ml-pca. The covariance matrix (d x d, d = 200) is formed
// here in one pass and ml-pca decomposes it, which is far cheaper than an SVD of the
// 42,000 x 200 data matrix. Signs are made deterministic (the largest-|loading| entry of
// each component is positive), so figures do not flip between runs or machines.
import { PCA } from "ml-pca";

export const PCA_FORMAT = "cvae-lens/latent-pca";

export interface LatentPcaModel {
  name: typeof PCA_FORMAT;
  version: 1;
  dims: number;
  components: number;
  means: number[];
  /** loadings[k] = unit vector of component k (length dims). */
  loadings: number[][];
  /** Share of the total variance per component (all dims summed). */
  explained: number[];
  /** Rows the model was fitted on. */
  rows: number;
}

export interface PcaOptions {
  /** Components to keep (the paper looks at the first 5). */
  components?: number;
  /** Fit on these rows only (default all). */
  rows?: ArrayLike<number>;
}

export class LatentPca {
  private constructor(readonly model: LatentPcaModel) {}

  /** Fits on `data` (n x dims, row-major). */
  static fit(data: Float32Array, dims: number, options: PcaOptions = {}): LatentPca {
    const { components = 5 } = options;
    const n = data.length / dims;
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`pca: need at least 2 rows of ${dims} values, got ${data.length} values`);
    const rows = options.rows ?? Int32Array.from({ length: n }, (_, i) => i);
    if (rows.length < 2) throw new RangeError("pca: need at least 2 rows to fit");
    for (let k = 0; k < rows.length; k++) {
      if (!(Number.isInteger(rows[k]) && rows[k] >= 0 && rows[k] < n)) throw new RangeError(`pca: row ${rows[k]} is outside 0..${n - 1}`);
    }
    if (!Number.isInteger(components) || components < 1 || components > dims)
      throw new RangeError(`pca: components must be in 1..${dims}, got ${components}`);
    const means = new Float64Array(dims);
    for (let k = 0; k < rows.length; k++) {
      const o = rows[k] * dims;
      for (let j = 0; j < dims; j++) means[j] += data[o + j];
    }
    for (let j = 0; j < dims; j++) means[j] /= rows.length;
    const cov = new Float64Array(dims * dims);
    const x = new Float64Array(dims);
    for (let k = 0; k < rows.length; k++) {
      const o = rows[k] * dims;
      for (let j = 0; j < dims; j++) x[j] = data[o + j] - means[j];
      for (let a = 0; a < dims; a++) {
        const xa = x[a];
        if (xa === 0) continue;
        const base = a * dims;
        for (let b = a; b < dims; b++) cov[base + b] += xa * x[b];
      }
    }
    const matrix: number[][] = [];
    for (let a = 0; a < dims; a++) {
      const row = new Array<number>(dims);
      for (let b = 0; b < dims; b++) row[b] = (a <= b ? cov[a * dims + b] : cov[b * dims + a]) / (rows.length - 1);
      matrix.push(row);
    }
    const pca = new PCA(matrix, { isCovarianceMatrix: true });
    const vectors = pca.getEigenvectors().to2DArray();
    const explainedAll = pca.getExplainedVariance();
    const loadings: number[][] = [];
    for (let k = 0; k < components; k++) {
      const v = vectors.map((row) => row[k]);
      let big = 0;
      for (let j = 1; j < dims; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
      loadings.push(v[big] < 0 ? v.map((a) => -a) : v);
    }
    return new LatentPca({
      name: PCA_FORMAT,
      version: 1,
      dims,
      components,
      means: Array.from(means),
      loadings,
      explained: explainedAll.slice(0, components),
      rows: rows.length,
    });
  }

  static load(json: unknown): LatentPca {
    const m = json as LatentPcaModel;
    if (!m || m.name !== PCA_FORMAT) throw new TypeError(`not a latent PCA model (expected name "${PCA_FORMAT}")`);
    if (!Array.isArray(m.means) || !Array.isArray(m.loadings) || !Array.isArray(m.explained))
      throw new TypeError("latent PCA model: means, loadings or explained is missing");
    if (m.version !== 1) throw new RangeError(`latent PCA model version ${m.version}; this cvae-lens reads version 1`);
    if (m.means.length !== m.dims || m.loadings.length !== m.components || m.loadings.some((l) => l.length !== m.dims)) {
      throw new RangeError("latent PCA model: means or loadings do not match dims and components");
    }
    return new LatentPca(m);
  }

  toJSON(): LatentPcaModel {
    return this.model;
  }

  get components(): number {
    return this.model.components;
  }

  get explained(): number[] {
    return this.model.explained;
  }

  /** Scores of the given rows (default all) on every kept component: rows x components. */
  transform(data: Float32Array, rows?: ArrayLike<number>): Float64Array {
    const { dims, components, means, loadings } = this.model;
    const idx = rows ?? Int32Array.from({ length: data.length / dims }, (_, i) => i);
    const out = new Float64Array(idx.length * components);
    for (let k = 0; k < idx.length; k++) {
      const o = idx[k] * dims;
      for (let c = 0; c < components; c++) {
        const l = loadings[c];
        let s = 0;
        for (let j = 0; j < dims; j++) s += (data[o + j] - means[j]) * l[j];
        out[k * components + c] = s;
      }
    }
    return out;
  }
}
